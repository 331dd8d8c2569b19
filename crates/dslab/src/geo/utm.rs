//! UTM coordinates on the WGS84 ellipsoid, to and from latitude and longitude.
//!
//! The Vancouver Police Department publishes crime locations as X and Y in metres in UTM zone
//! 10 north (NAD83, which agrees with WGS84 to about a metre in Vancouver). The conversion is
//! the transverse Mercator projection in Krüger's series to the sixth order in the third
//! flattening, as given by Karney (2011, "Transverse Mercator with an accuracy of a few
//! nanometers"): a round trip agrees to well under a millimetre inside a zone.

use crate::error::{Error, Result};

use super::distance::check_lat_lon;

/// WGS84 semi-major axis in metres.
const A: f64 = 6_378_137.0;
/// WGS84 flattening.
const F: f64 = 1.0 / 298.257_223_563;
/// Scale on the central meridian of every UTM zone.
const K0: f64 = 0.9996;
/// Easting of the central meridian.
const FALSE_EASTING: f64 = 500_000.0;
/// Northing of the equator in the southern hemisphere.
const FALSE_NORTHING_SOUTH: f64 = 10_000_000.0;

/// A UTM zone: its number (1 to 60) and hemisphere.
///
/// ```
/// use dslab::geo::Utm;
/// let utm = Utm::ZONE_10N;
/// let (x, y) = utm.from_wgs84((49.2827, -123.1207))?;
/// let (lat, lon) = utm.to_wgs84(x, y)?;
/// assert!((lat - 49.2827).abs() < 1e-9 && (lon + 123.1207).abs() < 1e-9);
/// # Ok::<(), dslab::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Utm {
    zone: u8,
    north: bool,
}

impl Utm {
    /// Zone 10 north, where Vancouver is (central meridian 123° W).
    pub const ZONE_10N: Utm = Utm { zone: 10, north: true };

    /// The zone `zone` (1 to 60) in the northern (`north = true`) or southern hemisphere.
    pub fn new(zone: u8, north: bool) -> Result<Self> {
        if !(1..=60).contains(&zone) {
            return Err(Error::invalid("UTM zone", format!("{zone} is not a zone number (1 to 60)")));
        }
        Ok(Utm { zone, north })
    }

    /// The zone's number.
    pub fn zone(&self) -> u8 {
        self.zone
    }

    /// True in the northern hemisphere.
    pub fn is_north(&self) -> bool {
        self.north
    }

    /// Longitude of the zone's central meridian in degrees.
    pub fn central_meridian(&self) -> f64 {
        f64::from(self.zone) * 6.0 - 183.0
    }

    fn false_northing(&self) -> f64 {
        if self.north { 0.0 } else { FALSE_NORTHING_SOUTH }
    }

    /// `(latitude, longitude)` in degrees of the point at `easting`, `northing` metres.
    ///
    /// Fails, saying which value is wrong, when a value is not finite or lies outside what the
    /// zone covers (eastings 100 km to 900 km, northings of latitudes -80° to 84°): a zero
    /// easting, say, is a missing value rather than a place.
    pub fn to_wgs84(&self, easting: f64, northing: f64) -> Result<(f64, f64)> {
        let name = self.to_string();
        if !easting.is_finite() || !(100_000.0..=900_000.0).contains(&easting) {
            return Err(Error::invalid(
                "UTM easting",
                format!("easting {easting} m is outside {name} (expected 100000 to 900000 m)"),
            ));
        }
        let (lo, hi) = if self.north { (0.0, 9_350_000.0) } else { (1_100_000.0, 10_000_000.0) };
        if !northing.is_finite() || !(lo..=hi).contains(&northing) {
            return Err(Error::invalid(
                "UTM northing",
                format!("northing {northing} m is outside {name} (expected {lo} to {hi} m)"),
            ));
        }
        Ok(TM.inverse((easting - FALSE_EASTING) / K0, (northing - self.false_northing()) / K0, self.central_meridian()))
    }

    /// `(easting, northing)` in metres of the point `(latitude, longitude)` in degrees.
    ///
    /// Fails when the point is not a valid latitude and longitude, or lies more than 9° of
    /// longitude from the zone's central meridian (beyond that the series loses accuracy).
    pub fn from_wgs84(&self, point: (f64, f64)) -> Result<(f64, f64)> {
        check_lat_lon("point", point)?;
        let mut dlon = point.1 - self.central_meridian();
        dlon = (dlon + 540.0).rem_euclid(360.0) - 180.0;
        if dlon.abs() > 9.0 {
            return Err(Error::invalid(
                "point",
                format!("longitude {} is {:.1}° from the central meridian of {self} (at most 9°)", point.1, dlon.abs()),
            ));
        }
        let (x, y) = TM.forward(point.0, dlon);
        Ok((FALSE_EASTING + K0 * x, self.false_northing() + K0 * y))
    }
}

impl std::fmt::Display for Utm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UTM zone {}{}", self.zone, if self.north { 'N' } else { 'S' })
    }
}

/// Krüger's series for the transverse Mercator projection with unit scale on the central
/// meridian; the coefficients depend only on the ellipsoid.
struct TransverseMercator {
    /// Rectifying radius (the meridian's length over 2π).
    big_a: f64,
    alpha: [f64; 6],
    beta: [f64; 6],
}

const TM: TransverseMercator = TransverseMercator::wgs84();

impl TransverseMercator {
    const fn wgs84() -> Self {
        let n = F / (2.0 - F);
        let n2 = n * n;
        let n3 = n2 * n;
        let n4 = n3 * n;
        let n5 = n4 * n;
        let n6 = n5 * n;
        let big_a = A / (1.0 + n) * (1.0 + n2 / 4.0 + n4 / 64.0 + n6 / 256.0);
        let alpha = [
            n / 2.0 - 2.0 * n2 / 3.0 + 5.0 * n3 / 16.0 + 41.0 * n4 / 180.0 - 127.0 * n5 / 288.0 + 7891.0 * n6 / 37800.0,
            13.0 * n2 / 48.0 - 3.0 * n3 / 5.0 + 557.0 * n4 / 1440.0 + 281.0 * n5 / 630.0 - 1983433.0 * n6 / 1935360.0,
            61.0 * n3 / 240.0 - 103.0 * n4 / 140.0 + 15061.0 * n5 / 26880.0 + 167603.0 * n6 / 181440.0,
            49561.0 * n4 / 161280.0 - 179.0 * n5 / 168.0 + 6601661.0 * n6 / 7257600.0,
            34729.0 * n5 / 80640.0 - 3418889.0 * n6 / 1995840.0,
            212378941.0 * n6 / 319334400.0,
        ];
        let beta = [
            n / 2.0 - 2.0 * n2 / 3.0 + 37.0 * n3 / 96.0 - n4 / 360.0 - 81.0 * n5 / 512.0 + 96199.0 * n6 / 604800.0,
            n2 / 48.0 + n3 / 15.0 - 437.0 * n4 / 1440.0 + 46.0 * n5 / 105.0 - 1118711.0 * n6 / 3870720.0,
            17.0 * n3 / 480.0 - 37.0 * n4 / 840.0 - 209.0 * n5 / 4480.0 + 5569.0 * n6 / 90720.0,
            4397.0 * n4 / 161280.0 - 11.0 * n5 / 504.0 - 830251.0 * n6 / 7257600.0,
            4583.0 * n5 / 161280.0 - 108847.0 * n6 / 3991680.0,
            20648693.0 * n6 / 638668800.0,
        ];
        TransverseMercator { big_a, alpha, beta }
    }

    /// First eccentricity, `sqrt(f (2 - f))` (not a constant: `sqrt` is not `const`).
    fn e(&self) -> f64 {
        (F * (2.0 - F)).sqrt()
    }

    /// Conformal latitude's tangent τ' from the geodetic latitude's tangent τ.
    fn tau_prime(e: f64, tau: f64) -> f64 {
        let tau1 = tau.hypot(1.0);
        let sigma = (e * (e * tau / tau1).atanh()).sinh();
        tau * sigma.hypot(1.0) - sigma * tau1
    }

    /// `(x, y)` in metres with unit central scale, for latitude `lat` and longitude `dlon`
    /// from the central meridian, both in degrees.
    fn forward(&self, lat: f64, dlon: f64) -> (f64, f64) {
        let e = self.e();
        let phi = lat.to_radians();
        let lam = dlon.to_radians();
        let tau = phi.tan();
        let taup = if lat.abs() == 90.0 { tau } else { Self::tau_prime(e, tau) };
        let xi_p = taup.atan2(lam.cos());
        let eta_p = (lam.sin() / taup.hypot(lam.cos())).asinh();
        let mut xi = xi_p;
        let mut eta = eta_p;
        for (j, a) in self.alpha.iter().enumerate() {
            let k = 2.0 * (j + 1) as f64;
            xi += a * (k * xi_p).sin() * (k * eta_p).cosh();
            eta += a * (k * xi_p).cos() * (k * eta_p).sinh();
        }
        (self.big_a * eta, self.big_a * xi)
    }

    /// `(latitude, longitude)` in degrees from `(x, y)` in metres with unit central scale.
    fn inverse(&self, x: f64, y: f64, lon0: f64) -> (f64, f64) {
        let e = self.e();
        let xi = y / self.big_a;
        let eta = x / self.big_a;
        let mut xi_p = xi;
        let mut eta_p = eta;
        for (j, b) in self.beta.iter().enumerate() {
            let k = 2.0 * (j + 1) as f64;
            xi_p -= b * (k * xi).sin() * (k * eta).cosh();
            eta_p -= b * (k * xi).cos() * (k * eta).sinh();
        }
        let taup = xi_p.sin() / eta_p.sinh().hypot(xi_p.cos());
        let lam = eta_p.sinh().atan2(xi_p.cos());
        // Newton's method for τ from τ' (Karney 2011, eqs. 19-21); converges in 2-3 steps.
        let e2 = e * e;
        let mut tau = taup;
        for _ in 0..5 {
            let tp = Self::tau_prime(e, tau);
            let dtau = (taup - tp) / tp.hypot(1.0) * (1.0 + (1.0 - e2) * tau * tau) / ((1.0 - e2) * tau.hypot(1.0));
            tau += dtau;
            if dtau.abs() < 1e-14 * tau.abs().max(1.0) {
                break;
            }
        }
        (tau.atan().to_degrees(), lon0 + lam.to_degrees())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn central_meridians() {
        assert_eq!(Utm::ZONE_10N.central_meridian(), -123.0);
        assert_eq!(Utm::new(31, true).unwrap().central_meridian(), 3.0);
        assert!(Utm::new(0, true).is_err() && Utm::new(61, false).is_err());
    }

    #[test]
    fn the_central_meridian_maps_to_the_false_easting() {
        let (x, _) = Utm::ZONE_10N.from_wgs84((49.0, -123.0)).unwrap();
        assert!((x - 500_000.0).abs() < 1e-9, "{x}");
        let (x, y) = Utm::ZONE_10N.from_wgs84((0.0, -123.0)).unwrap();
        assert!(x.abs() - 500_000.0 < 1e-9 && y.abs() < 1e-9, "{x} {y}");
    }

    #[test]
    fn round_trips_to_well_under_a_millimetre() {
        let utm = Utm::ZONE_10N;
        for lat in [-79.0, -30.0, 0.5, 20.0, 49.25, 60.0, 83.0] {
            for lon in [-129.0, -125.5, -123.1, -123.0, -120.0, -117.5] {
                let south = Utm::new(10, false).unwrap();
                let zone = if lat < 0.0 { south } else { utm };
                let (x, y) = zone.from_wgs84((lat, lon)).unwrap();
                if !(100_000.0..=900_000.0).contains(&x) {
                    continue;
                }
                let back = zone.to_wgs84(x, y).unwrap();
                let (x2, y2) = zone.from_wgs84(back).unwrap();
                assert!((x - x2).abs() < 1e-6 && (y - y2).abs() < 1e-6, "({lat}, {lon}): {x} {y} -> {x2} {y2}");
            }
        }
    }

    #[test]
    fn out_of_zone_values_are_errors() {
        let utm = Utm::ZONE_10N;
        let err = utm.to_wgs84(0.0, 5_457_000.0).unwrap_err().to_string();
        assert!(err.contains("easting 0 m is outside UTM zone 10N"), "{err}");
        assert!(utm.to_wgs84(491_000.0, -5.0).is_err());
        assert!(utm.to_wgs84(f64::NAN, 5_457_000.0).is_err());
        assert!(utm.from_wgs84((49.0, -100.0)).is_err());
        assert!(utm.from_wgs84((91.0, -123.0)).is_err());
    }
}
