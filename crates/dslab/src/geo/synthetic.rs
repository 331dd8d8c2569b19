//! Seeded synthetic data in the real formats: a VPD-style crime file and a Starbucks file.
//!
//! No real crime or store data ships with this repository. The generator draws a city of
//! Vancouver's shape (shoreline, parks and street grid approximated by hand), puts each crime on
//! a street at a hundred-block-like address, and writes the VPD's columns. It is **synthetic**:
//! only the overall shape is meant to look like the real file.
//!
//! * 530,653 records over 14 years (2003 to 2016), with the types in the proportions of the
//!   VPD file the article used (theft from vehicles the most common, then mischief and break
//!   and enter); offences against a person and homicides are written without a place (X = Y =
//!   0, "OFFSET TO PROTECT PRIVACY"), as the VPD does.
//! * Places are a mixture, per type, of the downtown core, the busier stations, commercial
//!   streets and centres, neighbourhoods, and (for break and enter and mischief) anywhere on a
//!   residential street. Thefts in this synthetic city happen where shops, offices and busy
//!   stations are; the quiet residential stations of the east side have none close by.
//! * Many crimes repeat at the same address (a parking lot, a mall), and some are recorded a
//!   few decimetres apart, so removing duplicates within a metre matters, as in the article.
//!
//! The full file (about 45 MB) is not committed: [`crime_file`] writes it on first use into
//! `data/generated/` (git-ignored) in a second or two, and uses a real VPD file instead when
//! one is in `data/`. A small sample made by the same generator is committed for tests.
//!
//! ```
//! use dslab::geo::synthetic;
//! let csv = synthetic::crimes_csv(7, 50)?;
//! assert!(csv.starts_with("TYPE,YEAR,MONTH,DAY,HOUR,MINUTE,HUNDRED_BLOCK,NEIGHBOURHOOD,X,Y\n"));
//! assert_eq!(csv.lines().count(), 51);
//! assert_eq!(csv, synthetic::crimes_csv(7, 50)?); // same seed, same file
//! # Ok::<(), dslab::Error>(())
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::random::Rng;

use super::crime::CrimeType;
use super::places::{Station, Store};
use super::projection::LocalProjection;
use super::utm::Utm;
use super::{Xy, distance2, vancouver};

/// Records in the full synthetic file: the article's count.
pub const CRIME_RECORDS: usize = 530_653;
/// The seed of the full file and of the committed sample.
pub const SEED: u64 = 2017;
/// The most records a synthetic file may have: ten times the article's file, about 450 MB of
/// text held in memory while it is written.
pub const MAX_RECORDS: usize = 5_000_000;
/// Records in the committed sample.
pub const SAMPLE_RECORDS: usize = 3_000;
/// The synthetic crime file's name in `data/generated/`; the version changes with the generator.
pub const CRIME_FILE: &str = "vancouver-crime-synthetic-v1.csv";
/// The committed sample's name in `data/`.
pub const SAMPLE_FILE: &str = "vancouver-crime-sample-synthetic.csv";
/// The committed stations file's name in `data/`.
pub const STATIONS_FILE: &str = "vancouver-rapid-transit-stations.csv";
/// The committed synthetic stores file's name in `data/`.
pub const STORES_FILE: &str = "vancouver-starbucks-synthetic.csv";
/// Names under which a real VPD download placed in `data/` is found and used instead.
pub const REAL_CRIME_FILES: [&str; 2] = ["crime.csv", "crimedata_csv_all_years.csv"];

/// Stores in the synthetic stores file, as in the article.
pub const STORES: usize = 24;
/// Of those, stores within [`STORE_RADIUS_M`] of a station, as in the article.
pub const STORES_NEAR_STATIONS: usize = 10;
/// The radius the stores file is built for.
pub const STORE_RADIUS_M: f64 = 500.0;
/// The stations the synthetic stores leave without a store within [`STORE_RADIUS_M`] (six, as
/// in the article; the residential stations of the east side and the southernmost one).
pub const UNSERVED_STATIONS: [&str; 6] =
    ["Nanaimo", "29th Avenue", "Joyce–Collingwood", "Renfrew", "Rupert", "Marine Drive"];

/// VPD type counts of the file the article used (2003 to mid-2017, 530,652 rows; one more theft
/// from a vehicle here to reach the article's 530,653). The generator keeps these proportions.
const TYPE_COUNTS: [(CrimeType, usize); 11] = [
    (CrimeType::TheftFromVehicle, 172_701),
    (CrimeType::Mischief, 70_413),
    (CrimeType::BreakAndEnterResidential, 60_862),
    (CrimeType::OffenceAgainstAPerson, 54_142),
    (CrimeType::OtherTheft, 52_167),
    (CrimeType::TheftOfVehicle, 38_418),
    (CrimeType::BreakAndEnterCommercial, 33_845),
    (CrimeType::TheftOfBicycle, 25_730),
    (CrimeType::CollisionWithInjury, 21_901),
    (CrimeType::CollisionWithFatality, 254),
    (CrimeType::Homicide, 220),
];

/// The city's shoreline and boundary, `(latitude, longitude)`, by hand from a map: Burrard
/// Inlet, English Bay and False Creek to the north, Blanca and Camosun Streets to the west,
/// the Fraser River to the south, Boundary Road to the east. Stanley Park is left out.
const OUTLINE: [(f64, f64); 46] = [
    (49.2935, -123.0235),
    (49.2925, -123.0450),
    (49.2895, -123.0700),
    (49.2872, -123.0950),
    (49.2885, -123.1060),
    (49.2897, -123.1120),
    (49.2905, -123.1200),
    (49.2925, -123.1280),
    (49.2945, -123.1340),
    (49.2925, -123.1420),
    (49.2870, -123.1440),
    (49.2820, -123.1410),
    (49.2775, -123.1350),
    (49.2745, -123.1270),
    (49.2733, -123.1225),
    (49.2720, -123.1180),
    (49.2715, -123.1100),
    (49.2725, -123.1050),
    (49.2720, -123.1012),
    (49.2695, -123.1030),
    (49.2690, -123.1100),
    (49.2700, -123.1200),
    (49.2712, -123.1300),
    (49.2725, -123.1370),
    (49.2745, -123.1430),
    (49.2775, -123.1480),
    (49.2745, -123.1560),
    (49.2722, -123.1700),
    (49.2735, -123.1850),
    (49.2742, -123.2000),
    (49.2730, -123.2155),
    (49.2580, -123.2155),
    (49.2580, -123.1965),
    (49.2330, -123.1965),
    (49.2250, -123.2050),
    (49.2150, -123.1980),
    (49.2070, -123.1700),
    (49.2040, -123.1450),
    (49.2045, -123.1250),
    (49.2035, -123.1050),
    (49.2015, -123.0750),
    (49.2003, -123.0450),
    (49.2000, -123.0235),
    (49.2200, -123.0235),
    (49.2500, -123.0235),
    (49.2800, -123.0235),
];

/// Large parks, golf courses and cemeteries, roughly: `(latitude, longitude, radius in m)`.
/// Nobody lives there, so no address is drawn inside.
const PARKS: [(f64, f64, f64); 19] = [
    (49.2418, -123.1126, 380.0), // Queen Elizabeth Park
    (49.2385, -123.0965, 300.0), // Mountain View Cemetery
    (49.2560, -123.0625, 230.0), // Trout Lake (John Hendry Park)
    (49.2820, -123.0385, 330.0), // Hastings Park
    (49.2185, -123.0480, 450.0), // Fraserview Golf Course
    (49.2205, -123.1080, 350.0), // Langara Golf Course
    (49.2320, -123.1590, 350.0), // Shaughnessy Golf Course
    (49.2255, -123.1850, 380.0), // Point Grey Golf Course
    (49.2370, -123.1500, 200.0), // Quilchena Park
    (49.2435, -123.1050, 180.0), // Hillcrest and Riley Parks
    (49.2460, -123.0505, 150.0), // Slocan Park
    (49.2505, -123.0425, 150.0), // Renfrew Ravine and Community Park
    (49.2165, -123.0330, 350.0), // Everett Crowley Park
    (49.2715, -123.1980, 300.0), // Jericho Beach Park
    (49.2735, -123.1550, 150.0), // Kitsilano Beach Park
    (49.2335, -123.0730, 180.0), // Memorial South Park
    (49.2260, -123.0440, 150.0), // Killarney Park
    (49.2385, -123.1300, 250.0), // VanDusen Botanical Garden
    (49.2260, -123.1950, 300.0), // Musqueam Park and golf course
];

/// The VPD's neighbourhoods and a rough centre of each; a crime takes the nearest one's name.
const NEIGHBOURHOODS: [(&str, f64, f64, f64); 23] = [
    // name, latitude, longitude, weight of the neighbourhood's own cluster
    ("Central Business District", 49.2820, -123.1170, 0.0),
    ("West End", 49.2860, -123.1340, 3.0),
    ("Strathcona", 49.2780, -123.0900, 2.0),
    ("Grandview-Woodland", 49.2720, -123.0670, 2.0),
    ("Hastings-Sunrise", 49.2780, -123.0420, 1.5),
    ("Mount Pleasant", 49.2630, -123.0980, 2.0),
    ("Fairview", 49.2640, -123.1300, 2.0),
    ("Kitsilano", 49.2680, -123.1620, 2.0),
    ("West Point Grey", 49.2660, -123.2000, 0.7),
    ("Arbutus Ridge", 49.2480, -123.1620, 0.7),
    ("Shaughnessy", 49.2470, -123.1390, 0.5),
    ("South Cambie", 49.2470, -123.1220, 0.6),
    ("Riley Park", 49.2450, -123.1030, 1.0),
    ("Kensington-Cedar Cottage", 49.2470, -123.0750, 1.5),
    ("Renfrew-Collingwood", 49.2480, -123.0400, 1.2),
    ("Dunbar-Southlands", 49.2400, -123.1860, 0.7),
    ("Kerrisdale", 49.2250, -123.1580, 0.6),
    ("Oakridge", 49.2270, -123.1230, 0.6),
    ("Sunset", 49.2200, -123.0930, 1.0),
    ("Victoria-Fraserview", 49.2200, -123.0650, 0.8),
    ("Killarney", 49.2200, -123.0390, 0.8),
    ("Marpole", 49.2120, -123.1300, 1.0),
    ("Musqueam", 49.2280, -123.1990, 0.1),
];

/// A `(latitude, longitude)` pair in degrees.
type LatLon = (f64, f64);

/// Commercial streets, `(from, to, weight)`, each a straight piece of street where shops are.
const STREETS: [(LatLon, LatLon, f64); 14] = [
    ((49.2640, -123.1850), (49.2628, -123.1300), 1.5), // W Broadway, Alma to South Granville
    ((49.2628, -123.1300), (49.2625, -123.0690), 2.0), // Broadway, Granville to Commercial
    ((49.2640, -123.1005), (49.2500, -123.0770), 1.5), // Kingsway, Main to Knight
    ((49.2500, -123.0770), (49.2290, -123.0240), 1.5), // Kingsway, Knight to Boundary
    ((49.2740, -123.1000), (49.2330, -123.1010), 1.5), // Main Street
    ((49.2770, -123.0697), (49.2600, -123.0697), 1.5), // Commercial Drive
    ((49.2700, -123.1390), (49.2080, -123.1400), 1.5), // Granville Street (south)
    ((49.2660, -123.1150), (49.2450, -123.1160), 1.0), // Cambie Street
    ((49.2686, -123.1400), (49.2680, -123.1750), 1.0), // W 4th Avenue
    ((49.2340, -123.1700), (49.2330, -123.1100), 1.0), // 41st Avenue
    ((49.2810, -123.1000), (49.2810, -123.0300), 1.5), // E Hastings Street
    ((49.2580, -123.0905), (49.2250, -123.0905), 0.7), // Fraser Street
    ((49.2500, -123.0656), (49.2200, -123.0656), 0.5), // Victoria Drive (south)
    ((49.2110, -123.1400), (49.2105, -123.1000), 0.5), // SW and SE Marine Drive
];

/// Shopping centres and village cores, `(latitude, longitude, weight)`.
const CENTRES: [(f64, f64, f64); 14] = [
    (49.2330, -123.1170, 2.0), // Oakridge Centre
    (49.2340, -123.1550, 1.0), // Kerrisdale village
    (49.2110, -123.1400, 1.0), // Marpole, Granville and 70th
    (49.2700, -123.0695, 1.5), // Commercial Drive
    (49.2630, -123.1010, 1.5), // Main and Broadway
    (49.2620, -123.1390, 1.5), // South Granville
    (49.2685, -123.1580, 1.5), // Kitsilano, 4th Avenue
    (49.2640, -123.1850, 0.7), // West Point Grey village
    (49.2550, -123.1850, 0.5), // Dunbar village
    (49.2330, -123.0280, 1.5), // Collingwood, Joyce and Kingsway
    (49.2330, -123.0650, 0.8), // Victoria and 41st
    (49.2265, -123.0900, 0.8), // Fraser and 49th
    (49.2810, -123.0560, 1.0), // Hastings-Sunrise
    (49.2800, -123.1000, 1.5), // Chinatown
];

/// How busy each station is for the generator (by name; a busier station draws more crime
/// around it). The quiet residential stations draw none.
const STATION_WEIGHTS: [(&str, f64); 20] = [
    ("Waterfront", 10.0),
    ("Burrard", 7.0),
    ("Granville", 8.0),
    ("Stadium–Chinatown", 5.0),
    ("Main Street–Science World", 6.0),
    ("Commercial–Broadway", 8.0),
    ("Nanaimo", 0.0),
    ("29th Avenue", 0.0),
    ("Joyce–Collingwood", 3.0),
    ("VCC–Clark", 1.0),
    ("Renfrew", 0.0),
    ("Rupert", 0.0),
    ("Vancouver City Centre", 6.0),
    ("Yaletown–Roundhouse", 3.0),
    ("Olympic Village", 1.5),
    ("Broadway–City Hall", 4.0),
    ("King Edward", 1.0),
    ("Oakridge–41st Avenue", 3.0),
    ("Langara–49th Avenue", 1.5),
    ("Marine Drive", 2.0),
];

/// Where a crime is drawn from.
#[derive(Clone, Copy)]
enum Source {
    Downtown,
    Station,
    Street,
    Centre,
    Neighbourhood,
    Anywhere,
}

/// Mixture weights (downtown, station, street, centre, neighbourhood, anywhere), the share of
/// crimes at a repeated address, and the address pool's size, per type.
fn mixture(kind: CrimeType) -> ([f64; 6], f64) {
    match kind {
        CrimeType::TheftFromVehicle => ([0.32, 0.12, 0.36, 0.20, 0.0, 0.0], 0.45),
        CrimeType::OtherTheft => ([0.40, 0.12, 0.28, 0.20, 0.0, 0.0], 0.55),
        CrimeType::TheftOfVehicle => ([0.18, 0.08, 0.44, 0.30, 0.0, 0.0], 0.35),
        CrimeType::TheftOfBicycle => ([0.40, 0.15, 0.25, 0.20, 0.0, 0.0], 0.45),
        CrimeType::BreakAndEnterCommercial => ([0.30, 0.05, 0.45, 0.20, 0.0, 0.0], 0.30),
        CrimeType::BreakAndEnterResidential => ([0.08, 0.02, 0.05, 0.05, 0.35, 0.45], 0.10),
        CrimeType::Mischief => ([0.25, 0.08, 0.17, 0.10, 0.20, 0.20], 0.10),
        _ => ([0.25, 0.05, 0.55, 0.15, 0.0, 0.0], 0.30),
    }
}

/// Street lines: avenues (east-west) every 100 m, streets (north-south) every 160 m.
const AVENUE_SPACING: f64 = 100.0;
const STREET_SPACING: f64 = 160.0;
/// Addresses along a street are this far apart.
const ADDRESS_SPACING: f64 = 8.0;

struct City {
    map: LocalProjection,
    outline: Vec<Xy>,
    parks: Vec<(Xy, f64)>,
    downtown: Xy,
    stations: Vec<(Xy, f64)>,
    streets: Vec<(Xy, Xy, f64)>,
    centres: Vec<(Xy, f64)>,
    hoods: Vec<(Xy, f64)>,
    bounds: (Xy, Xy),
    ontario_x: f64,
    first_avenue_y: f64,
}

fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut total = 0.0;
    weights
        .map(|w| {
            total += w;
            total
        })
        .collect()
}

fn pick(rng: &mut Rng, cumulative: &[f64]) -> usize {
    let total = *cumulative.last().expect("weights are not empty");
    let u = rng.uniform() * total;
    cumulative.partition_point(|&c| c <= u).min(cumulative.len() - 1)
}

impl City {
    fn new() -> Self {
        let map = LocalProjection::new((49.25, -123.10)).expect("a valid centre");
        let p = |lat: f64, lon: f64| map.to_local((lat, lon));
        let outline: Vec<Xy> = OUTLINE.iter().map(|&(lat, lon)| p(lat, lon)).collect();
        let lo = [
            outline.iter().map(|q| q[0]).fold(f64::INFINITY, f64::min),
            outline.iter().map(|q| q[1]).fold(f64::INFINITY, f64::min),
        ];
        let hi = [
            outline.iter().map(|q| q[0]).fold(f64::NEG_INFINITY, f64::max),
            outline.iter().map(|q| q[1]).fold(f64::NEG_INFINITY, f64::max),
        ];
        let stations = vancouver::STATIONS
            .iter()
            .map(|&(name, _, lat, lon)| {
                let w = STATION_WEIGHTS.iter().find(|(n, _)| *n == name).map_or(0.0, |(_, w)| *w);
                (p(lat, lon), w)
            })
            .collect();
        City {
            outline,
            parks: PARKS.iter().map(|&(lat, lon, r)| (p(lat, lon), r)).collect(),
            downtown: p(49.2830, -123.1180),
            stations,
            streets: STREETS.iter().map(|&(a, b, w)| (p(a.0, a.1), p(b.0, b.1), w)).collect(),
            centres: CENTRES.iter().map(|&(lat, lon, w)| (p(lat, lon), w)).collect(),
            hoods: NEIGHBOURHOODS.iter().map(|&(_, lat, lon, w)| (p(lat, lon), w)).collect(),
            bounds: (lo, hi),
            ontario_x: p(49.25, -123.1045)[0],
            first_avenue_y: p(49.2700, -123.10)[1],
            map,
        }
    }

    fn inside_outline(&self, q: Xy) -> bool {
        let mut inside = false;
        let n = self.outline.len();
        let mut j = n - 1;
        for i in 0..n {
            let (a, b) = (self.outline[i], self.outline[j]);
            if (a[1] > q[1]) != (b[1] > q[1]) && q[0] < (b[0] - a[0]) * (q[1] - a[1]) / (b[1] - a[1]) + a[0] {
                inside = !inside;
            }
            j = i;
        }
        inside
    }

    fn on_land(&self, q: Xy) -> bool {
        self.inside_outline(q) && !self.parks.iter().any(|&(c, r)| distance2(c, q) < r * r)
    }

    /// Moves a point onto the nearest street line, at the nearest address.
    fn snap(&self, p: Xy) -> Xy {
        let ry = (p[1] / AVENUE_SPACING).round() * AVENUE_SPACING;
        let rx = (p[0] / STREET_SPACING).round() * STREET_SPACING;
        if (p[1] - ry).abs() <= (p[0] - rx).abs() {
            [(p[0] / ADDRESS_SPACING).round() * ADDRESS_SPACING, ry]
        } else {
            [rx, (p[1] / ADDRESS_SPACING).round() * ADDRESS_SPACING]
        }
    }

    fn draw(&self, rng: &mut Rng, source: Source, tables: &Tables) -> Xy {
        let normal = |rng: &mut Rng, c: Xy, sd: f64| [c[0] + sd * rng.normal(), c[1] + sd * rng.normal()];
        match source {
            Source::Downtown => normal(rng, self.downtown, 650.0),
            Source::Station => {
                let k = pick(rng, &tables.stations);
                normal(rng, self.stations[k].0, 180.0)
            }
            Source::Street => {
                let (a, b, _) = self.streets[pick(rng, &tables.streets)];
                let t = rng.uniform();
                let along = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
                normal(rng, along, 30.0)
            }
            Source::Centre => {
                let k = pick(rng, &tables.centres);
                normal(rng, self.centres[k].0, 220.0)
            }
            Source::Neighbourhood => {
                let k = pick(rng, &tables.hoods);
                normal(rng, self.hoods[k].0, 700.0)
            }
            Source::Anywhere => {
                let (lo, hi) = self.bounds;
                [rng.range(lo[0], hi[0]), rng.range(lo[1], hi[1])]
            }
        }
    }

    /// An address on land drawn from the mixture `weights`.
    fn address(&self, rng: &mut Rng, weights: &[f64], tables: &Tables) -> Xy {
        const SOURCES: [Source; 6] = [
            Source::Downtown,
            Source::Station,
            Source::Street,
            Source::Centre,
            Source::Neighbourhood,
            Source::Anywhere,
        ];
        let cum = cumulative(weights.iter().copied());
        for _ in 0..200 {
            let source = SOURCES[pick(rng, &cum)];
            let q = self.snap(self.draw(rng, source, tables));
            if self.on_land(q) {
                return q;
            }
        }
        loop {
            let q = self.snap(self.draw(rng, Source::Anywhere, tables));
            if self.on_land(q) {
                return q;
            }
        }
    }

    fn neighbourhood(&self, q: Xy) -> &'static str {
        let mut best = (0, f64::INFINITY);
        for (k, (c, _)) in self.hoods.iter().enumerate() {
            let d = distance2(*c, q);
            if d < best.1 {
                best = (k, d);
            }
        }
        NEIGHBOURHOODS[best.0].0
    }

    /// A VPD-style hundred block for an address on the street grid.
    fn hundred_block(&self, q: Xy) -> String {
        const EAST_WEST: [&str; 10] = [
            "W HASTINGS ST",
            "W PENDER ST",
            "W GEORGIA ST",
            "ROBSON ST",
            "DAVIE ST",
            "E CORDOVA ST",
            "VENABLES ST",
            "ADANAC ST",
            "E GEORGIA ST",
            "POWELL ST",
        ];
        const NORTH_SOUTH: [&str; 16] = [
            "MAIN ST",
            "FRASER ST",
            "KNIGHT ST",
            "VICTORIA DR",
            "NANAIMO ST",
            "RENFREW ST",
            "RUPERT ST",
            "JOYCE ST",
            "CAMBIE ST",
            "OAK ST",
            "GRANVILLE ST",
            "ARBUTUS ST",
            "MACDONALD ST",
            "DUNBAR ST",
            "HEATHER ST",
            "ONTARIO ST",
        ];
        let on_avenue = (q[1] / AVENUE_SPACING).round() * AVENUE_SPACING == q[1];
        let side = if q[0] < self.ontario_x { "W" } else { "E" };
        let avenue = ((self.first_avenue_y - q[1]) / AVENUE_SPACING).round() as i64 + 1;
        if on_avenue {
            let block = ((q[0] - self.ontario_x).abs() / 100.0).floor() as i64;
            if avenue >= 1 {
                let suffix = match (avenue % 10, avenue % 100) {
                    (_, 11..=13) => "TH",
                    (1, _) => "ST",
                    (2, _) => "ND",
                    (3, _) => "RD",
                    _ => "TH",
                };
                format!("{block}XX {side} {avenue}{suffix} AVE")
            } else {
                let street = EAST_WEST[(-avenue).rem_euclid(EAST_WEST.len() as i64) as usize];
                format!("{block}XX {street}")
            }
        } else {
            let k = (q[0] / STREET_SPACING).round() as i64;
            let street = NORTH_SOUTH[k.rem_euclid(NORTH_SOUTH.len() as i64) as usize];
            format!("{}XX {street}", avenue.max(0))
        }
    }
}

struct Tables {
    stations: Vec<f64>,
    streets: Vec<f64>,
    centres: Vec<f64>,
    hoods: Vec<f64>,
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// How many records of each type a file of `n` records holds: the VPD proportions, rounded
/// by largest remainder so that they sum to `n`.
fn type_counts(n: usize) -> Vec<(CrimeType, usize)> {
    let total: usize = TYPE_COUNTS.iter().map(|t| t.1).sum();
    let mut counts: Vec<(CrimeType, usize, f64)> = TYPE_COUNTS
        .iter()
        .map(|&(t, c)| {
            let exact = c as f64 * n as f64 / total as f64;
            (t, exact.floor() as usize, exact - exact.floor())
        })
        .collect();
    let missing = n - counts.iter().map(|c| c.1).sum::<usize>();
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by(|&a, &b| counts[b].2.total_cmp(&counts[a].2).then(a.cmp(&b)));
    for &k in order.iter().take(missing) {
        counts[k].1 += 1;
    }
    counts.into_iter().map(|(t, c, _)| (t, c)).collect()
}

/// One generated row before formatting.
struct Row {
    kind: CrimeType,
    year: u16,
    month: u8,
    day: u8,
    hour: Option<u8>,
    minute: Option<u8>,
    place: Option<Xy>,
}

/// The text of a synthetic VPD crime file of `n` records drawn from `seed`.
///
/// Fails when `n` is more than [`MAX_RECORDS`] (the text is built in memory).
pub fn crimes_csv(seed: u64, n: usize) -> Result<String> {
    if n > MAX_RECORDS {
        return Err(Error::invalid(
            "number of synthetic crime records",
            format!("{n} is more than {MAX_RECORDS} (about 90 bytes each are held in memory)"),
        ));
    }
    let city = City::new();
    let mut rng = Rng::seed(seed);
    let tables = Tables {
        stations: cumulative(city.stations.iter().map(|s| s.1)),
        streets: cumulative(city.streets.iter().map(|(a, b, w)| w * distance2(*a, *b).sqrt())),
        centres: cumulative(city.centres.iter().map(|c| c.1)),
        hoods: cumulative(city.hoods.iter().map(|c| c.1)),
    };
    // Repeated addresses (parking lots, malls, busy corners): a pool per type, drawn from the
    // type's own mixture, picked with Zipf-like weights so that a few spots repeat a lot.
    let counts = type_counts(n);
    let mut pools: Vec<(CrimeType, Vec<Xy>, Vec<f64>)> = Vec::new();
    for &(kind, count) in &counts {
        let (weights, _) = mixture(kind);
        let size = (count / 25).clamp(1, 4000);
        let pool: Vec<Xy> = (0..size).map(|_| city.address(&mut rng, &weights, &tables)).collect();
        let zipf = cumulative((0..size).map(|k| 1.0 / (k as f64 + 1.0).powf(0.7)));
        pools.push((kind, pool, zipf));
    }
    let mut rows: Vec<Row> = Vec::with_capacity(n);
    for (kind, pool, zipf) in &pools {
        let count = counts.iter().find(|c| c.0 == *kind).map_or(0, |c| c.1);
        let (weights, repeat) = mixture(*kind);
        let withheld = matches!(kind, CrimeType::OffenceAgainstAPerson | CrimeType::Homicide);
        for _ in 0..count {
            let year = 2003 + rng.index(14) as u16;
            let month = 1 + rng.index(12) as u8;
            let day = 1 + rng.index(usize::from(days_in_month(year, month))) as u8;
            // Evenings are busier; a fifth of property crimes have no known minute (0).
            let hour = ((rng.normal() * 5.5 + 16.0).round().rem_euclid(24.0)) as u8;
            let minute = if rng.uniform() < 0.2 { 0 } else { rng.index(60) as u8 };
            let place = if withheld {
                None
            } else {
                let mut q = if rng.uniform() < repeat {
                    pool[pick(&mut rng, zipf)]
                } else {
                    city.address(&mut rng, &weights, &tables)
                };
                // Some records of the same address are written a few decimetres apart.
                if rng.uniform() < 0.15 {
                    q = [q[0] + 0.3 * rng.normal(), q[1] + 0.3 * rng.normal()];
                }
                Some(q)
            };
            let (hour, minute) = if withheld { (None, None) } else { (Some(hour), Some(minute)) };
            rows.push(Row { kind: *kind, year, month, day, hour, minute, place });
        }
    }
    rows.sort_by_key(|r| (r.kind, r.year, r.month, r.day, r.hour, r.minute));
    let utm = Utm::ZONE_10N;
    let mut out = String::with_capacity(n * 90 + 100);
    out.push_str("TYPE,YEAR,MONTH,DAY,HOUR,MINUTE,HUNDRED_BLOCK,NEIGHBOURHOOD,X,Y\n");
    for r in &rows {
        let opt = |v: Option<u8>| v.map_or(String::new(), |v| v.to_string());
        match r.place {
            None => {
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{},OFFSET TO PROTECT PRIVACY,,0,0",
                    r.kind.name(),
                    r.year,
                    r.month,
                    r.day,
                    opt(r.hour),
                    opt(r.minute)
                );
            }
            Some(q) => {
                let (x, y) = utm.from_wgs84(city.map.to_wgs84(q)).expect("the city is in zone 10");
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{:.2},{:.2}",
                    r.kind.name(),
                    r.year,
                    r.month,
                    r.day,
                    opt(r.hour),
                    opt(r.minute),
                    city.hundred_block(city.snap(q)),
                    city.neighbourhood(q),
                    x,
                    y
                );
            }
        }
    }
    Ok(out)
}

/// Writes a synthetic crime file of `n` records from `seed` to `path` (through a temporary file
/// renamed into place, so that a reader never sees half a file).
///
/// Fails before writing anything when `n` is more than [`MAX_RECORDS`].
pub fn write_crimes(path: impl AsRef<Path>, seed: u64, n: usize) -> Result<()> {
    let path = path.as_ref();
    let text = crimes_csv(seed, n)?;
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| Error::Io { action: "create", path: dir.to_owned(), source: e })?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, text).map_err(|e| Error::Io { action: "write", path: tmp.clone(), source: e })?;
    std::fs::rename(&tmp, path).map_err(|e| Error::Io { action: "write", path: path.to_owned(), source: e })
}

/// Which crime file a notebook reads, and whether it had to be made.
#[derive(Clone, Debug, PartialEq)]
pub struct CrimeFile {
    /// The file.
    pub path: PathBuf,
    /// True for the synthetic file, false for a real VPD download found in `data/`.
    pub synthetic: bool,
    /// How long generating it took, when it was generated by this call.
    pub generated_in: Option<Duration>,
}

/// The crime file for the notebook: a real VPD file in `data_dir` when there is one (named as
/// in [`REAL_CRIME_FILES`]), else the full synthetic file in `data_dir/generated/`, generated
/// now if it is not there yet (about a second on a laptop).
pub fn crime_file(data_dir: impl AsRef<Path>) -> Result<CrimeFile> {
    let data_dir = data_dir.as_ref();
    if !data_dir.is_dir() {
        return Err(Error::invalid(
            "data folder",
            format!("{} is not a folder (the notebooks expect ../data)", data_dir.display()),
        ));
    }
    for name in REAL_CRIME_FILES {
        let path = data_dir.join(name);
        if path.is_file() {
            return Ok(CrimeFile { path, synthetic: false, generated_in: None });
        }
    }
    let path = data_dir.join("generated").join(CRIME_FILE);
    if path.is_file() {
        return Ok(CrimeFile { path, synthetic: true, generated_in: None });
    }
    let clock = Instant::now();
    write_crimes(&path, SEED, CRIME_RECORDS)?;
    Ok(CrimeFile { path, synthetic: true, generated_in: Some(clock.elapsed()) })
}

/// The synthetic stores: [`STORES`] of them, [`STORES_NEAR_STATIONS`] within
/// [`STORE_RADIUS_M`] of a station, every station but [`UNSERVED_STATIONS`] with one that
/// close, the others spread over the city's shopping streets and centres, at least 150 m
/// farther than the radius from every station.
pub fn stores(seed: u64) -> Vec<Store> {
    let city = City::new();
    let stations = vancouver::stations();
    let xy: Vec<Xy> = stations.iter().map(|s| city.map.to_local(s.position)).collect();
    let unserved: Vec<usize> =
        (0..stations.len()).filter(|&k| UNSERVED_STATIONS.contains(&stations[k].name.as_str())).collect();
    let r2 = STORE_RADIUS_M * STORE_RADIUS_M;
    let mut rng = Rng::seed(seed);
    let mut placed: Vec<(Xy, String)> = Vec::new();
    let covered = |placed: &[(Xy, String)], s: Xy| placed.iter().any(|(p, _)| distance2(*p, s) <= r2);
    let safe = |p: Xy| unserved.iter().all(|&u| distance2(p, xy[u]).sqrt() > STORE_RADIUS_M + 100.0);
    let mut order: Vec<usize> = (0..stations.len()).filter(|k| !unserved.contains(k)).collect();
    rng.shuffle(&mut order);
    // A store near station k: among random spots within 450 m of it, the one that is within the
    // radius of the most stations still without a store (so ten stores can cover 14 stations).
    let near_store = |rng: &mut Rng, k: usize, placed: &[(Xy, String)]| -> Xy {
        let mut best: Option<(usize, Xy)> = None;
        let mut tries = 0;
        while tries < 300 || best.is_none() {
            tries += 1;
            let (d, a) = (rng.range(40.0, 450.0), rng.range(0.0, std::f64::consts::TAU));
            let p = [xy[k][0] + d * a.cos(), xy[k][1] + d * a.sin()];
            if !(city.on_land(p) && safe(p)) {
                continue;
            }
            let gain = order.iter().filter(|&&s| !covered(placed, xy[s]) && distance2(p, xy[s]) <= r2 * 0.9).count();
            if best.is_none_or(|(g, _)| gain > g) {
                best = Some((gain, p));
            }
        }
        best.expect("a spot was found").1
    };
    for &k in &order {
        if !covered(&placed, xy[k]) {
            let p = near_store(&mut rng, k, &placed);
            placed.push((p, stations[k].name.clone()));
        }
    }
    assert!(placed.len() <= STORES_NEAR_STATIONS, "{} stores needed to cover the stations", placed.len());
    while placed.len() < STORES_NEAR_STATIONS {
        let k = order[rng.index(order.len())];
        let p = near_store(&mut rng, k, &placed);
        placed.push((p, stations[k].name.clone()));
    }
    let tables = Tables {
        stations: cumulative(city.stations.iter().map(|s| s.1)),
        streets: cumulative(city.streets.iter().map(|(a, b, w)| w * distance2(*a, *b).sqrt())),
        centres: cumulative(city.centres.iter().map(|c| c.1)),
        hoods: cumulative(city.hoods.iter().map(|c| c.1)),
    };
    while placed.len() < STORES {
        let p = city.address(&mut rng, &[0.0, 0.0, 0.6, 0.4, 0.0, 0.0], &tables);
        let far = xy.iter().all(|&s| distance2(p, s).sqrt() > STORE_RADIUS_M + 150.0);
        let apart = placed.iter().all(|(q, _)| distance2(p, *q).sqrt() > 400.0);
        if far && apart {
            placed.push((p, city.neighbourhood(p).to_owned()));
        }
    }
    placed
        .into_iter()
        .enumerate()
        .map(|(k, (p, near))| {
            let (lat, lon) = city.map.to_wgs84(p);
            // Rounded as written in the file, so the file reads back to the same values.
            let round = |v: f64| (v * 1e6).round() / 1e6;
            Store {
                name: format!("Starbucks {:02} near {near} (synthetic)", k + 1),
                position: (round(lat), round(lon)),
            }
        })
        .collect()
}

/// The stores file's text (`name,latitude,longitude`).
pub fn stores_csv(stores: &[Store]) -> String {
    let mut out = String::from("name,latitude,longitude\n");
    for s in stores {
        let name =
            if s.name.contains([',', '"']) { format!("\"{}\"", s.name.replace('"', "\"\"")) } else { s.name.clone() };
        let _ = writeln!(out, "{name},{:.6},{:.6}", s.position.0, s.position.1);
    }
    out
}

/// The stations, whose positions are public facts (see [`vancouver::STATIONS`]).
pub fn stations() -> Vec<Station> {
    vancouver::stations()
}

/// Writes the three small committed files into `data_dir`: the stations, the synthetic stores
/// and the synthetic crime sample. Used by `data/prepare/geo.sh`; a test checks that the
/// committed files are what this writes.
pub fn write_committed_files(data_dir: impl AsRef<Path>) -> Result<()> {
    let dir = data_dir.as_ref();
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| Error::Io { action: "write", path, source: e })
    };
    write(STATIONS_FILE, vancouver::stations_csv())?;
    write(STORES_FILE, stores_csv(&stores(SEED)))?;
    write(SAMPLE_FILE, crimes_csv(SEED, SAMPLE_RECORDS)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_counts_sum_and_match_the_vpd_file() {
        let full = type_counts(CRIME_RECORDS);
        assert_eq!(full.iter().map(|c| c.1).sum::<usize>(), CRIME_RECORDS);
        assert_eq!(full, TYPE_COUNTS.to_vec());
        let small = type_counts(1000);
        assert_eq!(small.iter().map(|c| c.1).sum::<usize>(), 1000);
    }

    #[test]
    fn absurd_record_counts_are_errors_before_allocating() {
        let text = crimes_csv(1, usize::MAX).unwrap_err().to_string();
        assert_eq!(
            text,
            "invalid number of synthetic crime records: 18446744073709551615 is more than 5000000 (about 90 bytes each are held in memory)"
        );
        let path = std::env::temp_dir().join(format!("dslab-never-written-{}.csv", std::process::id()));
        assert!(write_crimes(&path, 1, MAX_RECORDS + 1).is_err());
        assert!(!path.exists());
        assert_eq!(crimes_csv(1, 0).unwrap().lines().count(), 1);
    }

    #[test]
    fn every_station_is_on_land() {
        let city = City::new();
        for (name, _, lat, lon) in vancouver::STATIONS {
            assert!(city.inside_outline(city.map.to_local((lat, lon))), "{name}");
        }
    }

    #[test]
    fn stores_have_the_article_counts() {
        let stores = stores(SEED);
        let stations = vancouver::stations();
        assert_eq!(stores.len(), STORES);
        let near = |p: (f64, f64), q: (f64, f64)| crate::geo::haversine_m(p, q) <= STORE_RADIUS_M;
        let near_stations = stores.iter().filter(|s| stations.iter().any(|t| near(s.position, t.position))).count();
        assert_eq!(near_stations, STORES_NEAR_STATIONS);
        let unserved: Vec<&str> = stations
            .iter()
            .filter(|t| !stores.iter().any(|s| near(s.position, t.position)))
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(unserved, UNSERVED_STATIONS.to_vec());
    }
}
