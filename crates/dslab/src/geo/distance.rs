//! Great-circle distances on a spherical Earth.

use crate::error::{Error, Result};

/// The Earth's mean radius in metres (IUGG, `R1 = (2a + b) / 3` of WGS84), the radius most
/// haversine implementations use; the sphere is within 0.5 % of the real ellipsoid everywhere.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres between two `(latitude, longitude)` points in degrees.
///
/// The haversine formula stays accurate for short distances, where the spherical law of
/// cosines loses digits, which is what a city-scale search needs. Inputs are not checked (use
/// [`check_lat_lon`] on user data); a non-finite coordinate gives `NaN`.
///
/// ```
/// use dslab::geo::haversine_m;
/// assert_eq!(haversine_m((49.25, -123.1), (49.25, -123.1)), 0.0);
/// // One degree of latitude is about 111.2 km on this sphere.
/// assert!((haversine_m((49.0, -123.0), (50.0, -123.0)) - 111_195.1).abs() < 0.1);
/// ```
pub fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let s_lat = ((lat2 - lat1) * 0.5).sin();
    let s_lon = ((lon2 - lon1) * 0.5).sin();
    let h = s_lat * s_lat + lat1.cos() * lat2.cos() * s_lon * s_lon;
    // Rounding can push h a hair above 1 for antipodes; NaN must stay NaN (`min` would hide it).
    let s = h.sqrt();
    2.0 * EARTH_RADIUS_M * (if s > 1.0 { 1.0 } else { s }).asin()
}

/// Checks that `point` is a `(latitude, longitude)` pair in degrees: finite, latitude within
/// -90..=90 and longitude within -180..=180; the error names `what` (a file line, say).
///
/// ```
/// use dslab::geo::check_lat_lon;
/// assert!(check_lat_lon("Waterfront", (49.2857, -123.1121)).is_ok());
/// let err = check_lat_lon("line 3", (123.1, 49.2)).unwrap_err();
/// assert!(err.to_string().contains("latitude 123.1 is outside -90 to 90"), "{err}");
/// ```
pub fn check_lat_lon(what: &str, point: (f64, f64)) -> Result<()> {
    let (lat, lon) = point;
    if !lat.is_finite() || !lon.is_finite() {
        return Err(Error::invalid(what, format!("the point ({lat}, {lon}) is not a pair of finite numbers")));
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(Error::invalid(
            what,
            format!("latitude {lat} is outside -90 to 90 degrees (are latitude and longitude swapped?)"),
        ));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(Error::invalid(what, format!("longitude {lon} is outside -180 to 180 degrees")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_is_symmetric_and_zero_on_the_diagonal() {
        let a = (49.2857, -123.1121);
        let b = (49.2097, -123.1170);
        assert_eq!(haversine_m(a, a), 0.0);
        assert_eq!(haversine_m(a, b), haversine_m(b, a));
    }

    #[test]
    fn antipodes_are_half_a_circumference_apart() {
        let d = haversine_m((0.0, 0.0), (0.0, 180.0));
        assert!((d - std::f64::consts::PI * EARTH_RADIUS_M).abs() < 1e-6, "{d}");
        let d = haversine_m((90.0, 0.0), (-90.0, 0.0));
        assert!((d - std::f64::consts::PI * EARTH_RADIUS_M).abs() < 1e-6, "{d}");
    }

    #[test]
    fn non_finite_input_gives_nan() {
        assert!(haversine_m((f64::NAN, 0.0), (0.0, 0.0)).is_nan());
    }

    #[test]
    fn bad_points_are_rejected_with_their_name() {
        assert!(check_lat_lon("p", (90.0, -180.0)).is_ok());
        for (p, text) in [
            ((90.5, 0.0), "latitude 90.5"),
            ((0.0, 181.0), "longitude 181"),
            ((f64::NAN, 0.0), "not a pair of finite numbers"),
        ] {
            let err = check_lat_lon("line 7", p).unwrap_err().to_string();
            assert!(err.contains("line 7") && err.contains(text), "{err}");
        }
    }
}
