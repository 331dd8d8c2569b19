//! A flat map of a city in metres, on which distances are Euclidean.

use crate::error::{Error, Result};

use super::Xy;
use super::distance::{EARTH_RADIUS_M, check_lat_lon};

/// The azimuthal equidistant projection of the haversine sphere about a centre.
///
/// Why: a grid "every 10 metres" and a radius "within 200 metres" need a plane measured in
/// metres. On this map the distance from the centre is exact, and the distance between any two
/// points within 10 km of the centre differs from [`haversine_m`](super::haversine_m) by less
/// than one part in a million (a millimetre per kilometre): the map's scale across the radius
/// grows only as `1 + ρ²/(6R²)`. Plain "degrees times 111 km" maps are off by 0.1 % or more
/// a few kilometres north or south of their centre.
///
/// ```
/// use dslab::geo::{LocalProjection, haversine_m};
/// let map = LocalProjection::new((49.25, -123.10))?;
/// let (a, b) = ((49.2857, -123.1121), (49.2384, -123.0317));
/// let (pa, pb) = (map.to_local(a), map.to_local(b));
/// let flat = ((pa[0] - pb[0]).powi(2) + (pa[1] - pb[1]).powi(2)).sqrt();
/// assert!((flat - haversine_m(a, b)).abs() < 0.01); // under a centimetre in 7.9 km
/// let back = map.to_wgs84(pa);
/// assert!((back.0 - a.0).abs() < 1e-12 && (back.1 - a.1).abs() < 1e-12);
/// # Ok::<(), dslab::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LocalProjection {
    center: (f64, f64),
    sin_lat0: f64,
    cos_lat0: f64,
}

impl LocalProjection {
    /// The map centred on `center` = `(latitude, longitude)` in degrees.
    pub fn new(center: (f64, f64)) -> Result<Self> {
        check_lat_lon("projection centre", center)?;
        if center.0.abs() > 89.0 {
            return Err(Error::invalid("projection centre", "a city map cannot be centred within 1° of a pole"));
        }
        let phi = center.0.to_radians();
        Ok(LocalProjection { center, sin_lat0: phi.sin(), cos_lat0: phi.cos() })
    }

    /// The map centred on the mean latitude and longitude of `points` (which must not be empty).
    pub fn centered_on(points: &[(f64, f64)]) -> Result<Self> {
        if points.is_empty() {
            return Err(Error::invalid("projection centre", "no points to centre the map on"));
        }
        let n = points.len() as f64;
        let lat = points.iter().map(|p| p.0).sum::<f64>() / n;
        let lon = points.iter().map(|p| p.1).sum::<f64>() / n;
        Self::new((lat, lon))
    }

    /// The map's centre, `(latitude, longitude)` in degrees.
    pub fn center(&self) -> (f64, f64) {
        self.center
    }

    /// `[east, north]` in metres of the point `(latitude, longitude)` in degrees.
    pub fn to_local(&self, point: (f64, f64)) -> Xy {
        let phi = point.0.to_radians();
        let dlam = (point.1 - self.center.1).to_radians();
        let cos_phi = phi.cos();
        let sin_dlam = dlam.sin();
        // Angular distance from the centre by the haversine formula (accurate when small).
        let s_lat = ((phi - self.center.0.to_radians()) * 0.5).sin();
        let s_lon = (dlam * 0.5).sin();
        let h = s_lat * s_lat + self.cos_lat0 * cos_phi * s_lon * s_lon;
        let c = 2.0 * h.sqrt().min(1.0).asin();
        let k = if c < 1e-12 { 1.0 } else { c / c.sin() };
        let east = cos_phi * sin_dlam;
        // sin φ cos φ0 - cos φ sin φ0 cos Δλ, written to keep its digits for nearby points.
        let north = (phi - self.center.0.to_radians()).sin() + self.sin_lat0 * cos_phi * 2.0 * s_lon * s_lon;
        [EARTH_RADIUS_M * k * east, EARTH_RADIUS_M * k * north]
    }

    /// `(latitude, longitude)` in degrees of the map point `[east, north]` in metres.
    pub fn to_wgs84(&self, xy: Xy) -> (f64, f64) {
        let rho = xy[0].hypot(xy[1]);
        if rho == 0.0 {
            return self.center;
        }
        let c = rho / EARTH_RADIUS_M;
        let (sin_c, cos_c) = c.sin_cos();
        let phi = (cos_c * self.sin_lat0 + xy[1] * sin_c * self.cos_lat0 / rho).clamp(-1.0, 1.0).asin();
        let lam = (xy[0] * sin_c).atan2(rho * self.cos_lat0 * cos_c - xy[1] * self.sin_lat0 * sin_c);
        let mut lon = self.center.1 + lam.to_degrees();
        if lon > 180.0 {
            lon -= 360.0;
        } else if lon < -180.0 {
            lon += 360.0;
        }
        (phi.to_degrees(), lon)
    }
}

/// The most points [`circle`] draws.
pub const MAX_CIRCLE_POINTS: usize = 100_000;

/// `points` positions `(latitude, longitude)` on the circle of `radius_m` metres around
/// `center`, closed (the first point repeated at the end): for drawing a radius on a map.
///
/// Fails, naming the argument, on a centre that [`LocalProjection::new`] refuses, a radius that
/// is not from 0 to half the Earth's circumference, or more than [`MAX_CIRCLE_POINTS`] points
/// (fewer than 3 are drawn as 3).
///
/// ```
/// use dslab::geo::{circle, haversine_m};
/// let ring = circle((49.2442, -123.0458), 500.0, 64)?;
/// assert_eq!(ring.len(), 65);
/// assert!(ring.iter().all(|&p| (haversine_m(p, (49.2442, -123.0458)) - 500.0).abs() < 1e-6));
/// assert!(circle((49.2442, -123.0458), 500.0, usize::MAX).is_err());
/// # Ok::<(), dslab::Error>(())
/// ```
pub fn circle(center: (f64, f64), radius_m: f64, points: usize) -> Result<Vec<(f64, f64)>> {
    let map = LocalProjection::new(center)?;
    let half_circumference = std::f64::consts::PI * EARTH_RADIUS_M;
    if !(radius_m.is_finite() && (0.0..=half_circumference).contains(&radius_m)) {
        return Err(Error::invalid(
            "circle radius",
            format!(
                "{radius_m} m: expected a number of metres from 0 to {half_circumference:.0} (half the Earth's circumference)"
            ),
        ));
    }
    if points > MAX_CIRCLE_POINTS {
        return Err(Error::invalid("circle points", format!("{points}: at most {MAX_CIRCLE_POINTS} points are drawn")));
    }
    let n = points.max(3);
    Ok((0..=n)
        .map(|k| {
            let a = std::f64::consts::TAU * (k % n) as f64 / n as f64;
            map.to_wgs84([radius_m * a.cos(), radius_m * a.sin()])
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::haversine_m;
    use crate::random::Rng;

    #[test]
    fn the_centre_is_the_origin() {
        let map = LocalProjection::new((49.25, -123.1)).unwrap();
        assert_eq!(map.to_local((49.25, -123.1)), [0.0, 0.0]);
        assert_eq!(map.to_wgs84([0.0, 0.0]), (49.25, -123.1));
    }

    #[test]
    fn north_is_up_and_east_is_right() {
        let map = LocalProjection::new((49.25, -123.1)).unwrap();
        let p = map.to_local((49.26, -123.1));
        assert!(p[0].abs() < 1e-9 && (p[1] - haversine_m((49.25, -123.1), (49.26, -123.1))).abs() < 1e-6);
        let q = map.to_local((49.25, -123.09));
        assert!(q[0] > 700.0 && q[0] < 730.0, "{q:?}");
    }

    #[test]
    fn flat_distances_match_haversine_across_a_city() {
        let map = LocalProjection::new((49.25, -123.1)).unwrap();
        let mut rng = Rng::seed(6);
        let mut worst: f64 = 0.0;
        for _ in 0..2000 {
            let a = (49.25 + rng.range(-0.07, 0.07), -123.1 + rng.range(-0.1, 0.1));
            let b = (49.25 + rng.range(-0.07, 0.07), -123.1 + rng.range(-0.1, 0.1));
            let (pa, pb) = (map.to_local(a), map.to_local(b));
            let flat = crate::geo::distance2(pa, pb).sqrt();
            let round = haversine_m(a, b);
            worst = worst.max((flat - round).abs() / round.max(1.0));
            let back = map.to_wgs84(pa);
            assert!((back.0 - a.0).abs() < 1e-11 && (back.1 - a.1).abs() < 1e-11);
        }
        assert!(worst < 1e-6, "worst relative difference {worst}");
    }

    #[test]
    fn bad_centres_are_rejected() {
        assert!(LocalProjection::new((95.0, 0.0)).is_err());
        assert!(LocalProjection::new((89.5, 0.0)).is_err());
        assert!(LocalProjection::centered_on(&[]).is_err());
    }
}
