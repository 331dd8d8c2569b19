//! The article's search, from crimes, stations and stores to a ranked list of spots.

use std::time::{Duration, Instant};

use crate::error::{Error, Result};

use super::crime::{Crime, CrimeData, CrimeGroup};
use super::dedupe::{dedupe, dedupe_brute_force};
use super::distance::check_lat_lon;
use super::filter::CrimeFilter;
use super::grid::{CandidateArea, CandidateGrid, check_metres};
use super::index::SpatialIndex;
use super::places::{Station, Store};
use super::projection::LocalProjection;
use super::{Xy, distance2};

/// How the search answers its distance questions. Every method returns the same result; they
/// differ only in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Method {
    /// Compare everything with everything, as the article does: each candidate with each crime,
    /// each crime with each station. The reference the other two are tested against.
    BruteForce,
    /// Ask an R*-tree ([`SpatialIndex`]) each question: "is any theft within 1 km of this
    /// candidate?" looks only at the tree's boxes that reach that far.
    RTree,
    /// The fastest way for each step. Candidates are tested a whole grid row at a time: each crime
    /// within reach of the row blocks one run of the row (the points within its radius), and the
    /// survivors are what no run covers. Crimes near stations are found with plain loops when
    /// there are few stations (a city's 20 are quicker to scan than to query), with R-trees
    /// otherwise; duplicates with a hash grid.
    #[default]
    Sweep,
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Method::BruteForce => "brute force",
            Method::RTree => "R-tree queries",
            Method::Sweep => "row sweep",
        })
    }
}

/// The search's parameters, named as in the article. Build them from
/// [`SearchParams::article`] and change what you need:
///
/// ```
/// use dslab::geo::SearchParams;
/// let params = SearchParams { grid_spacing_m: 1.0, ..SearchParams::article() };
/// assert!(params.validate().is_ok());
/// assert!(SearchParams { theft_radius_m: -1.0, ..params }.validate().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SearchParams {
    /// A station "has a Starbucks" when a store is at most this far from it (m).
    pub store_radius_m: f64,
    /// A crime is "near" a station when it is at most this far from it (m).
    pub crime_radius_m: f64,
    /// A candidate is rejected when a theft is at most this far from it (m).
    pub theft_radius_m: f64,
    /// A candidate is rejected when a break and enter is at most this far from it (m).
    pub break_in_radius_m: f64,
    /// A candidate is rejected when a mischief is at most this far from it (m).
    pub mischief_radius_m: f64,
    /// Distance between neighbouring candidates (m): 10 in the article's run, 1 in its plan.
    pub grid_spacing_m: f64,
    /// Half-width of the square (or radius of the disc) of candidates around each station (m).
    pub candidate_radius_m: f64,
    /// Square, as in the article, or disc.
    pub candidate_area: CandidateArea,
    /// Crimes closer than this to an already kept one are dropped before filtering (m);
    /// `None` filters against every crime. `Some(0.0)` drops exact duplicates only and gives
    /// the same survivors as `None`; a positive distance is an approximation that can only add
    /// survivors (see [`dedupe`](super::dedupe)).
    pub dedupe_m: Option<f64>,
    /// `false` (the article): filter candidates against the crimes near the chosen stations
    /// only. `true`: against every crime of the three groups, wherever it is.
    pub filter_all_crimes: bool,
    /// How many of the best spots to list.
    pub top_k: usize,
    /// How distances are searched; the result is the same for every method.
    pub method: Method,
}

impl SearchParams {
    /// The article's filters and grid: no theft within 1 km, no break and enter or mischief
    /// within 200 m; candidates every 10 m in the 1 km square around each station; crimes
    /// within 1 m of each other counted once; the best 6 listed. "Near a station" is 500 m (a
    /// six-minute walk) for stores and crimes alike, a choice of this crate.
    pub fn article() -> Self {
        SearchParams {
            store_radius_m: 500.0,
            crime_radius_m: 500.0,
            theft_radius_m: 1000.0,
            break_in_radius_m: 200.0,
            mischief_radius_m: 200.0,
            grid_spacing_m: 10.0,
            candidate_radius_m: 500.0,
            candidate_area: CandidateArea::Square,
            dedupe_m: Some(1.0),
            filter_all_crimes: false,
            top_k: 6,
            method: Method::Sweep,
        }
    }

    /// Checks every value, naming the first one that is wrong: radii (and the dedupe distance)
    /// from 0 to [`CandidateGrid::MAX_RADIUS_M`] (100 km), a grid spacing from
    /// [`CandidateGrid::MIN_SPACING_M`] (1 mm) to 100 km.
    pub fn validate(&self) -> Result<()> {
        let radii = [
            ("store radius", self.store_radius_m),
            ("crime radius", self.crime_radius_m),
            ("theft radius", self.theft_radius_m),
            ("break-in radius", self.break_in_radius_m),
            ("mischief radius", self.mischief_radius_m),
            ("candidate radius", self.candidate_radius_m),
        ];
        for (name, value) in radii {
            check_metres(name, value, 0.0, CandidateGrid::MAX_RADIUS_M)?;
        }
        check_metres("grid spacing", self.grid_spacing_m, CandidateGrid::MIN_SPACING_M, CandidateGrid::MAX_RADIUS_M)?;
        if let Some(d) = self.dedupe_m {
            check_metres("dedupe distance", d, 0.0, CandidateGrid::MAX_RADIUS_M)?;
        }
        Ok(())
    }

    fn radius(&self, group: CrimeGroup) -> f64 {
        match group {
            CrimeGroup::Theft => self.theft_radius_m,
            CrimeGroup::BreakAndEnter => self.break_in_radius_m,
            CrimeGroup::Mischief => self.mischief_radius_m,
            CrimeGroup::Other => 0.0,
        }
    }
}

impl Default for SearchParams {
    fn default() -> Self {
        Self::article()
    }
}

/// The count after every step of a search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct StepCounts {
    /// Rows of the crime file, with or without a location.
    pub records: usize,
    /// Rows with a location.
    pub located: usize,
    /// Located crimes per searched group (theft, break and enter, mischief).
    pub by_group: [usize; 3],
    /// Stations.
    pub stations: usize,
    /// Stores.
    pub stores: usize,
    /// Stores within the store radius of some station.
    pub stores_near_stations: usize,
    /// Stations with no store within the store radius (the chosen stations).
    pub stations_without_store: usize,
    /// Crimes of the three groups within the crime radius of some station.
    pub crimes_near_stations: usize,
    /// Crimes of the three groups within the crime radius of a chosen station.
    pub crimes_near_selected: usize,
    /// Of those, per group.
    pub near_selected_by_group: [usize; 3],
    /// Candidate spots in the grid.
    pub candidates: usize,
    /// Crimes per group that candidates are tested against, before removing duplicates.
    pub filter_points: [usize; 3],
    /// The same after removing duplicates.
    pub deduped: [usize; 3],
    /// Candidates with no crime of any group within its radius.
    pub survivors: usize,
}

/// Time spent in each step of a search.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct StepTimings {
    /// Projecting stations, stores and crimes onto the city map.
    pub project: Duration,
    /// Stores near stations and stations without a store.
    pub stores: Duration,
    /// Crimes near stations.
    pub crimes_near: Duration,
    /// Building the candidate grid.
    pub grid: Duration,
    /// Removing duplicate crimes (and building the filter's indexes).
    pub dedupe: Duration,
    /// Testing every candidate against the crimes.
    pub filter: Duration,
    /// Ranking the survivors by distance to the nearest station.
    pub rank: Duration,
    /// The whole search.
    pub total: Duration,
}

/// A surviving candidate spot, ranked by its distance to the nearest station.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    /// `(latitude, longitude)` in degrees.
    pub position: (f64, f64),
    /// `[east, north]` on the search's map, in metres.
    pub xy: Xy,
    /// Index of the nearest station in the stations given to the search.
    pub station: usize,
    /// Distance to that station, in metres.
    pub station_distance_m: f64,
}

/// Everything a search found: the count and time of every step, the chosen stations, the
/// crimes near them, the grid and the ranked spots.
#[derive(Clone, Debug)]
pub struct SearchResult {
    /// The parameters used.
    pub params: SearchParams,
    /// The city map the search measured on (centred on the stations).
    pub projection: LocalProjection,
    /// The count after every step.
    pub counts: StepCounts,
    /// The time of every step.
    pub timings: StepTimings,
    /// Indices of the stores near some station.
    pub stores_near_stations: Vec<usize>,
    /// Indices of the stations with no store near them: the chosen stations.
    pub stations_without_store: Vec<usize>,
    /// Indices (into the crime records) of the searched crimes near some station.
    pub crimes_near_stations: Vec<usize>,
    /// Indices of the searched crimes near a chosen station.
    pub crimes_near_selected: Vec<usize>,
    /// The candidate grid.
    pub grid: CandidateGrid,
    /// The crimes candidates were tested against (after removing duplicates).
    pub filter: CrimeFilter,
    /// Lattice positions `(i, j)` of every surviving candidate, row by row.
    pub survivors: Vec<(i64, i64)>,
    /// The best `top_k` survivors, nearest to a station first.
    pub ranked: Vec<Candidate>,
}

/// Runs the article's search.
///
/// 1. Stores within `store_radius_m` of a station; the stations with none are chosen.
/// 2. Crimes (theft, break and enter, mischief) within `crime_radius_m` of any station, and of
///    a chosen station.
/// 3. Candidates every `grid_spacing_m` metres around each chosen station.
/// 4. The chosen stations' crimes (or every crime, with `filter_all_crimes`) with duplicates
///    within `dedupe_m` removed, per group.
/// 5. Candidates with no theft, break and enter or mischief within its radius survive.
/// 6. Survivors ranked by distance to the nearest station (any station), ties by position.
///
/// Distances are measured on a [`LocalProjection`] centred on the stations, which agrees with
/// [`haversine_m`](super::haversine_m) to a millimetre per kilometre across a city.
pub fn find_locations(
    crimes: &CrimeData,
    stations: &[Station],
    stores: &[Store],
    params: &SearchParams,
) -> Result<SearchResult> {
    params.validate()?;
    if stations.is_empty() {
        return Err(Error::invalid("stations", "the search needs at least one station"));
    }
    // Places built in code are not checked by the readers.
    for (k, s) in stations.iter().enumerate() {
        check_lat_lon(&format!("station {k} (`{}`)", s.name), s.position)?;
    }
    for (k, s) in stores.iter().enumerate() {
        check_lat_lon(&format!("store {k} (`{}`)", s.name), s.position)?;
    }
    for (k, c) in crimes.records.iter().enumerate() {
        check_lat_lon(&format!("crime record {k} ({}, {})", c.kind, c.year), c.position)?;
    }
    let method = params.method;
    let brute = method == Method::BruteForce;
    let started = Instant::now();
    let mut timings = StepTimings::default();
    let mut counts = StepCounts {
        records: crimes.rows(),
        located: crimes.records.len(),
        stations: stations.len(),
        stores: stores.len(),
        ..StepCounts::default()
    };

    // The map, and every place on it.
    let clock = Instant::now();
    let positions: Vec<(f64, f64)> = stations.iter().map(|s| s.position).collect();
    let projection = LocalProjection::centered_on(&positions)?;
    let station_xy: Vec<Xy> = positions.iter().map(|&p| projection.to_local(p)).collect();
    let store_xy: Vec<Xy> = stores.iter().map(|s| projection.to_local(s.position)).collect();
    let group_index = |g: CrimeGroup| CrimeGroup::SEARCHED.iter().position(|&x| x == g);
    // Half a million projections: split between the cores, kept in file order.
    let project = |from: usize, part: &[Crime]| -> Vec<(usize, usize, Xy)> {
        part.iter()
            .enumerate()
            .filter_map(|(k, c)| group_index(c.group()).map(|g| (from + k, g, projection.to_local(c.position))))
            .collect()
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let chunk = crimes.records.len().div_ceil(threads).max(1);
    let searched: Vec<(usize, usize, Xy)> = if threads == 1 || crimes.records.len() < 50_000 {
        project(0, &crimes.records)
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = crimes
                .records
                .chunks(chunk)
                .enumerate()
                .map(|(t, part)| scope.spawn(move || project(t * chunk, part)))
                .collect();
            handles.into_iter().flat_map(|h| h.join().expect("a projection thread panicked")).collect()
        })
    };
    for &(_, g, _) in &searched {
        counts.by_group[g] += 1;
    }
    timings.project = clock.elapsed();

    // 1. Stores near stations, and stations without a store.
    let clock = Instant::now();
    let r2 = params.store_radius_m * params.store_radius_m;
    let (stores_near_stations, stations_without_store): (Vec<usize>, Vec<usize>) = if brute {
        (
            (0..stores.len()).filter(|&k| station_xy.iter().any(|&s| distance2(s, store_xy[k]) <= r2)).collect(),
            (0..stations.len()).filter(|&k| !store_xy.iter().any(|&s| distance2(s, station_xy[k]) <= r2)).collect(),
        )
    } else {
        let station_index = SpatialIndex::new(&station_xy);
        let store_index = SpatialIndex::new(&store_xy);
        (
            (0..stores.len()).filter(|&k| station_index.any_within(store_xy[k], params.store_radius_m)).collect(),
            (0..stations.len()).filter(|&k| !store_index.any_within(station_xy[k], params.store_radius_m)).collect(),
        )
    };
    counts.stores_near_stations = stores_near_stations.len();
    counts.stations_without_store = stations_without_store.len();
    timings.stores = clock.elapsed();

    // 2. Crimes near stations, and near the chosen ones.
    let clock = Instant::now();
    let selected_xy: Vec<Xy> = stations_without_store.iter().map(|&k| station_xy[k]).collect();
    let r = params.crime_radius_m;
    let r2 = r * r;
    let mut is_selected = vec![false; stations.len()];
    for &k in &stations_without_store {
        is_selected[k] = true;
    }
    let mut crimes_near_stations = Vec::new();
    let mut crimes_near_selected = Vec::new();
    let mut near_selected_points: [Vec<Xy>; 3] = Default::default();
    // Scanning a few dozen stations beats querying a tree of them, so the sweep only builds the
    // trees for many stations; the R-tree method always does (it is there to show the tree).
    let index_stations = method == Method::RTree || (method == Method::Sweep && stations.len() > 64);
    let station_index = index_stations.then(|| SpatialIndex::new(&station_xy));
    let selected_index = index_stations.then(|| SpatialIndex::new(&selected_xy));
    for &(k, g, p) in &searched {
        let (near_any, near_chosen) = match (&station_index, &selected_index) {
            (Some(all), Some(chosen)) => {
                let any = all.any_within(p, r);
                (any, any && chosen.any_within(p, r))
            }
            _ => {
                (station_xy.iter().any(|&s| distance2(s, p) <= r2), selected_xy.iter().any(|&s| distance2(s, p) <= r2))
            }
        };
        if near_any {
            crimes_near_stations.push(k);
        }
        if near_chosen {
            crimes_near_selected.push(k);
            near_selected_points[g].push(p);
            counts.near_selected_by_group[g] += 1;
        }
    }
    counts.crimes_near_stations = crimes_near_stations.len();
    counts.crimes_near_selected = crimes_near_selected.len();
    timings.crimes_near = clock.elapsed();

    // 3. The candidate grid.
    let clock = Instant::now();
    let grid =
        CandidateGrid::new(&selected_xy, params.grid_spacing_m, params.candidate_radius_m, params.candidate_area)?;
    counts.candidates = grid.len();
    timings.grid = clock.elapsed();

    // 4. The crimes to test against, without duplicates.
    let clock = Instant::now();
    let mut groups = Vec::with_capacity(3);
    for (g, group) in CrimeGroup::SEARCHED.into_iter().enumerate() {
        let points: Vec<Xy> = if params.filter_all_crimes {
            searched.iter().filter(|s| s.1 == g).map(|s| s.2).collect()
        } else {
            std::mem::take(&mut near_selected_points[g])
        };
        counts.filter_points[g] = points.len();
        let kept: Vec<Xy> = match params.dedupe_m {
            None => points,
            Some(d) => {
                let keep = if brute { dedupe_brute_force(&points, d) } else { dedupe(&points, d) };
                keep.into_iter().map(|i| points[i]).collect()
            }
        };
        counts.deduped[g] = kept.len();
        groups.push((group, params.radius(group), kept));
    }
    let filter = CrimeFilter::new(groups)?;
    timings.dedupe = clock.elapsed();

    // 5. The survivors.
    let clock = Instant::now();
    let survivors = filter.survivors(&grid, method);
    counts.survivors = survivors.len();
    timings.filter = clock.elapsed();

    // 6. Ranking by distance to the nearest station.
    let clock = Instant::now();
    let nearest = |p: Xy| -> (usize, f64) {
        match &station_index {
            Some(index) => index.nearest(p).expect("there is at least one station"),
            None => {
                let mut best = (0, f64::INFINITY);
                for (k, &s) in station_xy.iter().enumerate() {
                    let d = distance2(p, s);
                    if d < best.1 {
                        best = (k, d);
                    }
                }
                (best.0, best.1.sqrt())
            }
        }
    };
    let order = |a: &(f64, i64, i64, usize), b: &(f64, i64, i64, usize)| {
        a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
    };
    // The best k, a block of survivors at a time, so that scoring millions of survivors does not
    // hold a score for each (the order is total, so the blocks give the same k as one pass).
    let k = params.top_k.min(survivors.len());
    let mut scored: Vec<(f64, i64, i64, usize)> = Vec::new();
    for block in survivors.chunks(k.max(1 << 16)) {
        scored.extend(block.iter().map(|&(i, j)| {
            let (station, d) = nearest(grid.point(i, j));
            (d, j, i, station)
        }));
        if k > 0 && k < scored.len() {
            scored.select_nth_unstable_by(k - 1, order);
        }
        scored.truncate(k);
    }
    scored.sort_unstable_by(order);
    let ranked = scored
        .into_iter()
        .map(|(d, j, i, station)| {
            let xy = grid.point(i, j);
            Candidate { position: projection.to_wgs84(xy), xy, station, station_distance_m: d }
        })
        .collect();
    timings.rank = clock.elapsed();
    timings.total = started.elapsed();

    Ok(SearchResult {
        params: *params,
        projection,
        counts,
        timings,
        stores_near_stations,
        stations_without_store,
        crimes_near_stations,
        crimes_near_selected,
        grid,
        filter,
        survivors,
        ranked,
    })
}

impl SearchResult {
    /// `(latitude, longitude)` of every surviving candidate.
    pub fn survivor_positions(&self) -> Vec<(f64, f64)> {
        self.survivors.iter().map(|&(i, j)| self.projection.to_wgs84(self.grid.point(i, j))).collect()
    }

    /// `(latitude, longitude)` of every candidate (thinned to at most `max` evenly spread
    /// points, for plots).
    pub fn candidate_positions(&self, max: usize) -> Vec<(f64, f64)> {
        let step = self.grid.len().div_ceil(max.max(1)).max(1);
        self.grid.positions().step_by(step).map(|(i, j)| self.projection.to_wgs84(self.grid.point(i, j))).collect()
    }
}
