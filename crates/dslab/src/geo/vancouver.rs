//! Public facts about Vancouver that the data files and the generator share.

use super::places::Station;

/// The 20 rapid-transit (SkyTrain) stations inside the City of Vancouver: name, lines,
/// latitude and longitude in degrees (to 4 decimals, about 10 m).
///
/// Positions are public facts: for each station, the median of the coordinates given by
/// several public station lists (the GitHub repositories `kema206/safeTravels`,
/// `tobyjsullivan/yvr-voronoi` and `MadiMagpie/map`, and a Unity project's station table),
/// which agree to within about 100 m. The article counted 23 stations from the City of
/// Vancouver's open-data file; counting each line's platforms at the two interchanges
/// (Waterfront, Commercial–Broadway) gives 22 here.
pub const STATIONS: [(&str, &str, f64, f64); 20] = [
    ("Waterfront", "Expo Line / Canada Line", 49.2857, -123.1121),
    ("Burrard", "Expo Line", 49.2856, -123.1201),
    ("Granville", "Expo Line", 49.2830, -123.1165),
    ("Stadium–Chinatown", "Expo Line", 49.2798, -123.1098),
    ("Main Street–Science World", "Expo Line", 49.2731, -123.1005),
    ("Commercial–Broadway", "Expo Line / Millennium Line", 49.2628, -123.0691),
    ("Nanaimo", "Expo Line", 49.2483, -123.0559),
    ("29th Avenue", "Expo Line", 49.2442, -123.0458),
    ("Joyce–Collingwood", "Expo Line", 49.2384, -123.0317),
    ("VCC–Clark", "Millennium Line", 49.2658, -123.0789),
    ("Renfrew", "Millennium Line", 49.2589, -123.0453),
    ("Rupert", "Millennium Line", 49.2608, -123.0328),
    ("Vancouver City Centre", "Canada Line", 49.2822, -123.1187),
    ("Yaletown–Roundhouse", "Canada Line", 49.2745, -123.1219),
    ("Olympic Village", "Canada Line", 49.2664, -123.1154),
    ("Broadway–City Hall", "Canada Line", 49.2628, -123.1146),
    ("King Edward", "Canada Line", 49.2491, -123.1157),
    ("Oakridge–41st Avenue", "Canada Line", 49.2332, -123.1165),
    ("Langara–49th Avenue", "Canada Line", 49.2263, -123.1161),
    ("Marine Drive", "Canada Line", 49.2097, -123.1170),
];

/// [`STATIONS`] as [`Station`] values.
pub fn stations() -> Vec<Station> {
    STATIONS
        .iter()
        .map(|&(name, line, lat, lon)| Station { name: name.to_owned(), line: line.to_owned(), position: (lat, lon) })
        .collect()
}

/// The stations file's text (`name,line,latitude,longitude`), as committed in `data/`.
pub fn stations_csv() -> String {
    let mut out = String::from("name,line,latitude,longitude\n");
    for (name, line, lat, lon) in STATIONS {
        out.push_str(&format!("{name},{line},{lat:.4},{lon:.4}\n"));
    }
    out
}
