//! dslab::geo against references: haversine distances (the `haversine` package), UTM zone 10N
//! (pyproj), the indexed search against brute force on seeded samples, the data files against
//! their generator, and errors for malformed rows.
#![cfg(feature = "geo")]

use std::path::{Path, PathBuf};

use dslab::Error;
use dslab::geo::{
    self, CandidateArea, CrimeGroup, LocalProjection, Method, SearchParams, SearchResult, Utm, haversine_m, synthetic,
};
use serde::Deserialize;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[derive(Deserialize)]
struct Fixtures {
    distances: Vec<Distance>,
    utm10n: Vec<UtmPoint>,
}

#[derive(Deserialize)]
struct Distance {
    a: String,
    b: String,
    pa: (f64, f64),
    pb: (f64, f64),
    metres: f64,
}

#[derive(Deserialize)]
struct UtmPoint {
    lat: f64,
    lon: f64,
    easting: f64,
    northing: f64,
}

fn fixtures() -> Fixtures {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/geo/geo.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A scratch folder removed at the end of the test.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("dslab-geo-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn haversine_matches_the_reference_on_city_pairs() {
    for d in fixtures().distances {
        let ours = haversine_m(d.pa, d.pb);
        // The same formula and radius: agreement to a micrometre per kilometre.
        assert!((ours - d.metres).abs() <= 1e-9 * d.metres + 1e-6, "{} to {}: {ours} vs {}", d.a, d.b, d.metres);
    }
    // Published great-circle figures, to the kilometre.
    let london_paris = haversine_m((51.5074, -0.1278), (48.8566, 2.3522));
    assert!((london_paris / 1000.0 - 343.6).abs() < 1.0, "{london_paris}");
    let vancouver_seattle = haversine_m((49.2827, -123.1207), (47.6062, -122.3321));
    assert!((vancouver_seattle / 1000.0 - 195.3).abs() < 1.0, "{vancouver_seattle}");
}

#[test]
fn utm_matches_pyproj_to_a_millimetre() {
    let utm = Utm::ZONE_10N;
    for p in fixtures().utm10n {
        let (x, y) = utm.from_wgs84((p.lat, p.lon)).unwrap();
        assert!(
            (x - p.easting).abs() < 1e-3 && (y - p.northing).abs() < 1e-3,
            "({}, {}): {x} {y} vs {} {}",
            p.lat,
            p.lon,
            p.easting,
            p.northing
        );
        if (100_000.0..=900_000.0).contains(&p.easting) {
            let (lat, lon) = utm.to_wgs84(p.easting, p.northing).unwrap();
            // 1e-8 degrees is about a millimetre.
            assert!((lat - p.lat).abs() < 1e-8 && (lon - p.lon).abs() < 1e-8, "{lat} {lon} vs {} {}", p.lat, p.lon);
        }
    }
}

#[test]
fn utm_round_trips_to_a_millimetre_across_the_zone() {
    let utm = Utm::ZONE_10N;
    let mut rng = dslab::random::Rng::seed(10);
    let mut worst: f64 = 0.0;
    for _ in 0..20_000 {
        // Anywhere in the zone (126° W to 120° W) and half a degree beyond, equator to 84° N.
        let p = (rng.range(0.0, 84.0), rng.range(-126.5, -119.5));
        let (x, y) = utm.from_wgs84(p).unwrap();
        if !(100_000.0..=900_000.0).contains(&x) {
            continue;
        }
        let back = utm.from_wgs84(utm.to_wgs84(x, y).unwrap()).unwrap();
        worst = worst.max((back.0 - x).abs()).max((back.1 - y).abs());
    }
    assert!(worst < 1e-3, "worst round trip error {worst} m");
    // Vancouver: easting near 491 km, northing near 5,459 km.
    let (x, y) = utm.from_wgs84((49.2827, -123.1207)).unwrap();
    assert!((491_000.0..492_000.0).contains(&x) && (5_458_000.0..5_460_000.0).contains(&y), "{x} {y}");
}

#[test]
fn local_map_distances_match_haversine_between_stations() {
    let stations = synthetic::stations();
    let positions: Vec<(f64, f64)> = stations.iter().map(|s| s.position).collect();
    let map = LocalProjection::centered_on(&positions).unwrap();
    for a in &positions {
        for b in &positions {
            let flat = geo::distance2(map.to_local(*a), map.to_local(*b)).sqrt();
            let round = haversine_m(*a, *b);
            assert!((flat - round).abs() < 1e-3 + 1e-6 * round, "{a:?} {b:?}: {flat} vs {round}");
        }
    }
}

// ------------------------------------------------------------------ malformed rows

const HEADER: &str = "TYPE,YEAR,MONTH,DAY,HOUR,MINUTE,HUNDRED_BLOCK,NEIGHBOURHOOD,X,Y\n";

#[test]
fn crime_rows_with_bad_coordinates_are_errors_naming_the_row() {
    let dir = TempDir::new("bad-crimes");
    let good = "Mischief,2010,5,3,14,30,31XX W 4TH AVE,Kitsilano,487456.12,5457310.5\n";
    let cases = [
        ("x-zero.csv", "Mischief,2010,5,3,14,30,31XX W 4TH AVE,Kitsilano,0,5457310.5\n", "line 3, column `X`", "X = 0"),
        (
            "x-text.csv",
            "Mischief,2010,5,3,14,30,31XX W 4TH AVE,Kitsilano,abc,5457310.5\n",
            "line 3, column `X`",
            "cannot read `abc`",
        ),
        (
            "y-south.csv",
            "Mischief,2010,5,3,14,30,31XX W 4TH AVE,Kitsilano,487456.12,-20\n",
            "line 3, column `Y`",
            "northing",
        ),
        (
            "x-far.csv",
            "Mischief,2010,5,3,14,30,31XX W 4TH AVE,Kitsilano,1487456,5457310.5\n",
            "line 3, column `X`",
            "easting",
        ),
        (
            "y-empty.csv",
            "Mischief,2010,5,3,14,30,31XX W 4TH AVE,Kitsilano,487456.12,\n",
            "line 3, column `Y`",
            "Y is empty",
        ),
        (
            "hour.csv",
            "Mischief,2010,5,3,25,30,31XX W 4TH AVE,Kitsilano,487456.12,5457310.5\n",
            "line 3, column `HOUR`",
            "0 to 23",
        ),
    ];
    for (name, bad, place, what) in cases {
        let path = dir.file(name, &format!("{HEADER}{good}{bad}"));
        let err = geo::read_crimes(&path).unwrap_err();
        assert!(matches!(err, Error::Parse { line: 3, .. }), "{name}: {err:?}");
        let text = err.to_string();
        assert!(text.contains(name) && text.contains(place) && text.contains(what), "{name}: {text}");
    }
    // A short row.
    let path = dir.file("short.csv", &format!("{HEADER}{good}Mischief,2010,5\n"));
    let err = geo::read_crimes(&path).unwrap_err();
    assert!(matches!(err, Error::MalformedRow { line: 3, .. }), "{err:?}");
}

#[test]
fn withheld_locations_are_skipped_or_rejected() {
    let dir = TempDir::new("withheld");
    let text = format!(
        "{HEADER}Mischief,2010,5,3,14,30,31XX W 4TH AVE,Kitsilano,487456.12,5457310.5\n\
         Offence Against a Person,2011,1,1,,,OFFSET TO PROTECT PRIVACY,,0,0\n\
         Homicide,2012,2,2,,,OFFSET TO PROTECT PRIVACY,,,\n"
    );
    let path = dir.file("withheld.csv", &text);
    let data = geo::read_crimes(&path).unwrap();
    assert_eq!((data.records.len(), data.withheld, data.rows()), (1, 2, 3));
    let c = data.records[0];
    assert_eq!(
        (c.kind.group(), c.year, c.month, c.day, c.hour, c.minute),
        (CrimeGroup::Mischief, 2010, 5, 3, Some(14), Some(30))
    );
    assert_eq!(data.neighbourhood_of(&c), "Kitsilano");
    assert!((c.position.0 - 49.2685).abs() < 0.01 && (c.position.1 + 123.174).abs() < 0.01, "{:?}", c.position);
    let err = geo::read_crimes_strict(&path).unwrap_err();
    assert!(matches!(err, Error::Parse { line: 3, .. }), "{err:?}");
    assert!(err.to_string().contains("no location"), "{err}");
}

#[test]
fn missing_columns_are_named() {
    let dir = TempDir::new("columns");
    let path = dir.file("no-y.csv", "TYPE,YEAR,X\nMischief,2010,487456\n");
    let err = geo::read_crimes(&path).unwrap_err();
    let Error::MissingColumn { ref column, ref available, .. } = err else { panic!("{err:?}") };
    assert_eq!((column.as_str(), available.as_str()), ("Y", "TYPE, YEAR, X"));
    let path = dir.file("stations.csv", "name,latitude,longitude\nWaterfront,49.2857,-123.1121\n");
    let err = geo::read_stations(&path).unwrap_err();
    assert!(err.to_string().contains("no column `line`"), "{err}");
}

#[test]
fn places_outside_the_globe_are_errors_naming_the_row() {
    let dir = TempDir::new("places");
    let path = dir.file(
        "stations.csv",
        "name,line,latitude,longitude\nWaterfront,Expo Line,49.2857,-123.1121\nBurrard,Expo Line,-123.1201,49.2856\n",
    );
    let err = geo::read_stations(&path).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Parse { line: 3, .. }), "{err:?}");
    assert!(text.contains("line 3, column `latitude`") && text.contains("swapped"), "{text}");
    let path = dir.file("stores.csv", "name,latitude,longitude\nA,49.28,-123.12\nB,49.28,-200\nC,91,0\n");
    let err = geo::read_stores(&path).unwrap_err();
    assert!(err.to_string().contains("line 3, column `longitude`: longitude -200"), "{err}");
    let path = dir.file("stores2.csv", "name,latitude,longitude\nA,,-123.12\n");
    assert!(geo::read_stores(&path).unwrap_err().to_string().contains("line 2, column `latitude`: the value is empty"));
}

#[test]
fn non_finite_numbers_in_geo_files_are_errors_naming_the_text() {
    let dir = TempDir::new("non-finite");
    let path = dir.file("stations.csv", "name,line,latitude,longitude\nWaterfront,Expo Line,NaN,-123.1121\n");
    let text = geo::read_stations(&path).unwrap_err().to_string();
    assert!(
        text.ends_with("stations.csv, line 2, column `latitude`: `NaN` is not a number (expected a finite number)"),
        "{text}"
    );
    let path = dir.file("stores.csv", "name,latitude,longitude\nA,49.28,1e400\n");
    let text = geo::read_stores(&path).unwrap_err().to_string();
    assert!(text.contains("stores.csv, line 2, column `longitude`: `1e400` is not a finite number"), "{text}");
    let path =
        dir.file("crimes.csv", &format!("{HEADER}Mischief,2010,5,3,14,30,31XX W 4TH AVE,Kitsilano,inf,5457310.5\n"));
    let text = geo::read_crimes(&path).unwrap_err().to_string();
    assert!(text.contains("crimes.csv, line 2, column `X`: `inf` is not a finite number"), "{text}");
    let path =
        dir.file("year.csv", &format!("{HEADER}Mischief,NaN,5,3,14,30,31XX W 4TH AVE,Kitsilano,487456,5457310\n"));
    let text = geo::read_crimes(&path).unwrap_err().to_string();
    assert!(text.contains("year.csv, line 2, column `YEAR`: `NaN` is not a number"), "{text}");
}

// ------------------------------------------------------------------ the data files

/// The committed stations, stores and crime sample are exactly what the generator writes.
/// `DSLAB_WRITE_DATA=1` rewrites them (see data/prepare/geo.sh).
#[test]
fn committed_data_files_match_their_generator() {
    let data = root().join("data");
    if std::env::var_os("DSLAB_WRITE_DATA").is_some() {
        synthetic::write_committed_files(&data).unwrap();
    }
    let dir = TempDir::new("committed");
    synthetic::write_committed_files(&dir.0).unwrap();
    for name in [synthetic::STATIONS_FILE, synthetic::STORES_FILE, synthetic::SAMPLE_FILE] {
        let want = std::fs::read_to_string(dir.0.join(name)).unwrap();
        let have = std::fs::read_to_string(data.join(name)).unwrap_or_default();
        assert!(have == want, "data/{name} differs from what the generator writes: run data/prepare/geo.sh");
    }
    let stations = geo::read_stations(data.join(synthetic::STATIONS_FILE)).unwrap();
    assert_eq!(stations, synthetic::stations());
    let stores = geo::read_stores(data.join(synthetic::STORES_FILE)).unwrap();
    assert_eq!(stores, synthetic::stores(synthetic::SEED));
    let sample = geo::read_crimes(data.join(synthetic::SAMPLE_FILE)).unwrap();
    assert_eq!(sample.rows(), synthetic::SAMPLE_RECORDS);
}

#[test]
fn the_generator_keeps_the_vpd_proportions() {
    let dir = TempDir::new("proportions");
    let path = dir.0.join("crimes.csv");
    synthetic::write_crimes(&path, 99, 40_000).unwrap();
    let data = geo::read_crimes(&path).unwrap();
    assert_eq!(data.rows(), 40_000);
    assert_eq!(data.unrecognised, 0);
    // Offences against a person and homicides (10.2 %) are published without a place.
    let withheld = data.withheld as f64 / 40_000.0;
    assert!((withheld - 0.1025).abs() < 0.001, "{withheld}");
    let share = |g| data.count(g) as f64 / 40_000.0;
    assert!((share(CrimeGroup::Theft) - 0.5446).abs() < 0.001, "{}", share(CrimeGroup::Theft));
    assert!((share(CrimeGroup::BreakAndEnter) - 0.1785).abs() < 0.001);
    assert!((share(CrimeGroup::Mischief) - 0.1327).abs() < 0.001);
    assert!(data.records.iter().all(|c| (2003..=2016).contains(&c.year)));
    // Every crime is inside the city's bounding box.
    assert!(
        data.records
            .iter()
            .all(|c| (49.19..49.30).contains(&c.position.0) && (-123.23..-123.02).contains(&c.position.1))
    );
    // Many crimes share an address: fewer than half the thefts have a place of their own.
    let map = LocalProjection::new((49.25, -123.1)).unwrap();
    let thefts: Vec<geo::Xy> = data.positions(CrimeGroup::Theft).into_iter().map(|p| map.to_local(p)).collect();
    let unique = geo::dedupe(&thefts, 1.0).len();
    assert!(unique * 2 < thefts.len(), "{unique} of {}", thefts.len());
}

// ------------------------------------------------------------------ the search

fn assert_same(a: &SearchResult, b: &SearchResult, what: &str) {
    assert_eq!(a.counts, b.counts, "{what}: counts");
    assert_eq!(a.stores_near_stations, b.stores_near_stations, "{what}");
    assert_eq!(a.stations_without_store, b.stations_without_store, "{what}");
    assert_eq!(a.crimes_near_stations, b.crimes_near_stations, "{what}");
    assert_eq!(a.crimes_near_selected, b.crimes_near_selected, "{what}");
    assert_eq!(a.survivors, b.survivors, "{what}: survivors");
    assert_eq!(a.ranked, b.ranked, "{what}: ranking");
}

fn run(crimes: &geo::CrimeData, params: SearchParams) -> [SearchResult; 3] {
    let stations = synthetic::stations();
    let stores = synthetic::stores(synthetic::SEED);
    [Method::BruteForce, Method::RTree, Method::Sweep]
        .map(|method| geo::find_locations(crimes, &stations, &stores, &SearchParams { method, ..params }).unwrap())
}

#[test]
fn indexed_search_equals_brute_force_on_the_committed_sample() {
    let crimes = geo::read_crimes(root().join("data").join(synthetic::SAMPLE_FILE)).unwrap();
    for params in [
        SearchParams::article(),
        SearchParams { grid_spacing_m: 5.0, dedupe_m: None, ..SearchParams::article() },
        SearchParams {
            grid_spacing_m: 7.5,
            candidate_area: CandidateArea::Disc,
            filter_all_crimes: true,
            ..SearchParams::article()
        },
        SearchParams {
            theft_radius_m: 150.0,
            break_in_radius_m: 60.0,
            mischief_radius_m: 40.0,
            top_k: 50,
            ..SearchParams::article()
        },
    ] {
        let [brute, tree, sweep] = run(&crimes, params);
        assert_same(&brute, &tree, "R-tree");
        assert_same(&brute, &sweep, "sweep");
        assert_eq!(brute.counts.stations_without_store, 6);
        assert_eq!(brute.counts.stores_near_stations, 10);
    }
}

#[test]
fn indexed_search_equals_brute_force_on_seeded_samples() {
    let dir = TempDir::new("samples");
    for seed in [1u64, 2, 3] {
        let path = dir.0.join(format!("crimes-{seed}.csv"));
        synthetic::write_crimes(&path, seed, 15_000).unwrap();
        let crimes = geo::read_crimes(&path).unwrap();
        let params = SearchParams {
            grid_spacing_m: [10.0, 6.0, 12.5][seed as usize - 1],
            crime_radius_m: [500.0, 700.0, 400.0][seed as usize - 1],
            theft_radius_m: [1000.0, 300.0, 120.0][seed as usize - 1],
            dedupe_m: [Some(1.0), Some(0.0), Some(3.0)][seed as usize - 1],
            top_k: 20,
            ..SearchParams::article()
        };
        let [brute, tree, sweep] = run(&crimes, params);
        assert!(brute.counts.candidates > 10_000, "{:?}", brute.counts);
        assert_same(&brute, &tree, "R-tree");
        assert_same(&brute, &sweep, "sweep");
        // The ranking is sorted, and every ranked spot is a survivor.
        assert!(brute.ranked.windows(2).all(|w| w[0].station_distance_m <= w[1].station_distance_m));
        for c in &brute.ranked {
            assert!(!brute.filter.blocked_brute_force(c.xy));
        }
    }
}

#[test]
fn survivors_really_have_no_crime_within_the_radii() {
    let crimes = geo::read_crimes(root().join("data").join(synthetic::SAMPLE_FILE)).unwrap();
    let stations = synthetic::stations();
    let stores = synthetic::stores(synthetic::SEED);
    let params = SearchParams {
        dedupe_m: None,
        filter_all_crimes: true,
        theft_radius_m: 100.0,
        break_in_radius_m: 50.0,
        mischief_radius_m: 50.0,
        ..SearchParams::article()
    };
    let result = geo::find_locations(&crimes, &stations, &stores, &params).unwrap();
    assert!(result.counts.survivors > 0);
    // Check the survivors with haversine on latitude and longitude, independently of the map.
    for (lat, lon) in result.survivor_positions().into_iter().step_by(37) {
        for c in &crimes.records {
            let r = match c.group() {
                CrimeGroup::Theft => 100.0,
                CrimeGroup::BreakAndEnter | CrimeGroup::Mischief => 50.0,
                CrimeGroup::Other => continue,
            };
            assert!(haversine_m((lat, lon), c.position) > r - 1e-3, "({lat}, {lon}) has a {} within {r} m", c.kind);
        }
    }
}

/// Each of these hung, aborted or answered nonsense before (issue 18); each is now an error
/// naming the parameter and its range.
#[test]
fn parameters_that_would_hang_or_exhaust_memory_are_errors() {
    let crimes = geo::read_crimes(root().join("data").join(synthetic::SAMPLE_FILE)).unwrap();
    let stations = synthetic::stations();
    let stores = synthetic::stores(synthetic::SEED);
    let search = |params: SearchParams| geo::find_locations(&crimes, &stations, &stores, &params);
    let text = search(SearchParams { theft_radius_m: 1e20, ..SearchParams::article() }).unwrap_err().to_string();
    assert_eq!(
        text,
        "invalid theft radius: 1e20 m is outside 0 m to 100000 m (expected a number of metres in that range)"
    );
    let params = SearchParams { grid_spacing_m: 1e-300, candidate_radius_m: 0.0, ..SearchParams::article() };
    let text = search(params).unwrap_err().to_string();
    assert!(text.starts_with("invalid grid spacing: 1e-300 m is outside 0.001 m to 100000 m"), "{text}");
    let text = search(SearchParams { dedupe_m: Some(1e9), ..SearchParams::article() }).unwrap_err().to_string();
    assert!(text.starts_with("invalid dedupe distance: 1e9 m is outside 0 m to 100000 m"), "{text}");
    // A 0.035 m grid around the six stations: 5e9 candidates, refused before any allocation.
    let text = search(SearchParams { grid_spacing_m: 0.035, ..SearchParams::article() }).unwrap_err().to_string();
    assert!(text.contains("candidates, more than 2e7: use a coarser spacing"), "{text}");
    // Around one station (8e8 candidates, under the old limit of 1e9, gigabytes of survivors).
    let one = [stations[0].clone()];
    let params = SearchParams { grid_spacing_m: 0.035, ..SearchParams::article() };
    let text = geo::find_locations(&crimes, &one, &[], &params).unwrap_err().to_string();
    assert!(text.contains("within 500 m gives about 8.16e8 candidates, more than 2e7"), "{text}");
}

#[test]
fn places_built_in_code_are_checked() {
    let crimes = geo::read_crimes(root().join("data").join(synthetic::SAMPLE_FILE)).unwrap();
    let mut stations = synthetic::stations();
    stations[3].position.0 = 200.0;
    let text = geo::find_locations(&crimes, &stations, &[], &SearchParams::article()).unwrap_err().to_string();
    assert_eq!(
        text,
        "invalid station 3 (`Stadium–Chinatown`): latitude 200 is outside -90 to 90 degrees (are latitude and longitude swapped?)"
    );
    let stations = synthetic::stations();
    let mut stores = synthetic::stores(synthetic::SEED);
    stores[1].position.1 = f64::NAN;
    let text = geo::find_locations(&crimes, &stations, &stores, &SearchParams::article()).unwrap_err().to_string();
    assert!(text.starts_with("invalid store 1 (`Starbucks 02"), "{text}");
    assert!(text.ends_with(", NaN) is not a pair of finite numbers"), "{text}");
    let mut bad = crimes.clone();
    bad.records[7].position = (49.25, 190.0);
    let text = geo::find_locations(&bad, &stations, &[], &SearchParams::article()).unwrap_err().to_string();
    assert!(
        text.starts_with("invalid crime record 7 (") && text.ends_with("longitude 190 is outside -180 to 180 degrees"),
        "{text}"
    );
}

#[test]
fn dedupe_at_zero_changes_nothing_and_a_metre_only_adds_survivors() {
    let crimes = geo::read_crimes(root().join("data").join(synthetic::SAMPLE_FILE)).unwrap();
    let base = SearchParams {
        theft_radius_m: 150.0,
        break_in_radius_m: 60.0,
        mischief_radius_m: 40.0,
        ..SearchParams::article()
    };
    let [none, zero, metre] = [None, Some(0.0), Some(1.0)].map(|dedupe_m| {
        let params = SearchParams { dedupe_m, ..base };
        geo::find_locations(&crimes, &synthetic::stations(), &synthetic::stores(synthetic::SEED), &params).unwrap()
    });
    assert_eq!(none.survivors, zero.survivors);
    assert!(metre.survivors.len() >= none.survivors.len());
    assert!(none.survivors.iter().all(|p| metre.survivors.binary_search_by_key(&(p.1, p.0), |q| (q.1, q.0)).is_ok()));
}

#[test]
fn circles_are_checked() {
    let text = geo::circle((49.25, -123.1), 500.0, usize::MAX).unwrap_err().to_string();
    assert!(text.contains("circle points: 18446744073709551615: at most 100000 points"), "{text}");
    let text = geo::circle((49.25, -123.1), f64::NAN, 8).unwrap_err().to_string();
    assert!(text.contains("invalid circle radius: NaN m"), "{text}");
    assert!(geo::circle((200.0, 0.0), 5.0, 8).unwrap_err().to_string().contains("latitude 200"));
}

#[test]
fn bad_parameters_are_rejected() {
    let crimes = geo::read_crimes(root().join("data").join(synthetic::SAMPLE_FILE)).unwrap();
    let stations = synthetic::stations();
    let err =
        geo::find_locations(&crimes, &stations, &[], &SearchParams { grid_spacing_m: 0.0, ..SearchParams::article() })
            .unwrap_err();
    assert!(err.to_string().contains("grid spacing"), "{err}");
    let err = geo::find_locations(&crimes, &[], &[], &SearchParams::article()).unwrap_err();
    assert!(err.to_string().contains("at least one station"), "{err}");
    let err = geo::find_locations(
        &crimes,
        &stations,
        &[],
        &SearchParams { dedupe_m: Some(f64::NAN), ..SearchParams::article() },
    )
    .unwrap_err();
    assert!(err.to_string().contains("dedupe"), "{err}");
}
