//! Geographic search: where to open a coffee shop in Vancouver (article 6).
//!
//! The article looks for a spot near a rapid-transit station, with no Starbucks near that
//! station and little crime around it. Each step is a distance question, and this module
//! answers them fast enough to run the article's own 1-metre grid in class:
//!
//! | step | items |
//! |---|---|
//! | distances on the globe | [`haversine_m`], [`EARTH_RADIUS_M`] |
//! | the police's coordinates (UTM zone 10N) to latitude and longitude | [`Utm`] |
//! | a flat, metric map of the city where distances are plain Euclidean | [`LocalProjection`] |
//! | candidate spots every S metres around each station | [`CandidateGrid`], [`grid_around`] |
//! | collapsing crimes recorded at (almost) the same spot | [`dedupe`] |
//! | radius counts and nearest neighbours | [`SpatialIndex`] (an R*-tree from `rstar`) |
//! | the data files (VPD crime CSV, stations, stores) | [`read_crimes`], [`read_stations`], [`read_stores`] |
//! | the stations (public facts) | [`vancouver`] |
//! | the seeded synthetic crime and store data | [`synthetic`] |
//! | the whole search, with every step's count | [`find_locations`], [`SearchParams`], [`SearchResult`] |
//!
//! Points on the globe are `(latitude, longitude)` tuples in degrees; points on the local map are
//! [`Xy`] arrays `[east, north]` in metres.
//!
//! ```
//! use dslab::geo::haversine_m;
//! let waterfront = (49.2857, -123.1121);
//! let joyce = (49.2384, -123.0317);
//! let d = haversine_m(waterfront, joyce);
//! assert!((d - 7_855.0).abs() < 1.0, "{d}"); // about 7.9 km
//! ```

mod crime;
mod dedupe;
mod distance;
mod filter;
mod grid;
mod index;
mod pipeline;
mod places;
mod projection;
mod reader;
mod report;
pub mod synthetic;
mod utm;
pub mod vancouver;

pub use crime::{Crime, CrimeData, CrimeGroup, CrimeType, read_crimes, read_crimes_strict};
pub use dedupe::{dedupe, dedupe_brute_force};
pub use distance::{EARTH_RADIUS_M, check_lat_lon, haversine_m};
pub use filter::{BruteForceEstimate, CrimeFilter};
pub use grid::{CandidateArea, CandidateGrid, grid_around};
pub use index::SpatialIndex;
pub use pipeline::{Candidate, Method, SearchParams, SearchResult, StepCounts, StepTimings, find_locations};
pub use places::{Station, Store, read_stations, read_stores};
pub use projection::{LocalProjection, MAX_CIRCLE_POINTS, circle};
pub use report::{ARTICLE, ArticleFigures};
pub use utm::Utm;

/// A point on a local metric map: `[east, north]` in metres from the map's centre.
pub type Xy = [f64; 2];

/// Squared Euclidean distance between two map points, the one formula every step uses, so the
/// indexed and the brute-force searches compare exactly the same numbers.
#[inline]
pub fn distance2(a: Xy, b: Xy) -> f64 {
    let dx = a[0] - b[0];
    let dy = a[1] - b[1];
    dx * dx + dy * dy
}
