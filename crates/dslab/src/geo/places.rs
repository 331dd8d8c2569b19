//! Stations and stores: small CSV files of named places.

use std::path::Path;

use crate::error::Result;
use crate::table::Table;

use super::distance::check_lat_lon;
use super::reader::CsvFile;

/// A rapid-transit station.
#[derive(Clone, Debug, PartialEq)]
pub struct Station {
    /// The station's name.
    pub name: String,
    /// The line or lines that stop there ("Expo Line", "Expo Line / Canada Line").
    pub line: String,
    /// `(latitude, longitude)` in degrees.
    pub position: (f64, f64),
}

/// A shop (a Starbucks, in the article).
#[derive(Clone, Debug, PartialEq)]
pub struct Store {
    /// The store's name.
    pub name: String,
    /// `(latitude, longitude)` in degrees.
    pub position: (f64, f64),
}

/// A place's name, line (empty for stores) and position.
type Place = (String, String, (f64, f64));

fn read_places(path: &Path, with_line: bool) -> Result<Vec<Place>> {
    let mut file = CsvFile::open(path)?;
    let c_name = file.column("name")?;
    let c_line = if with_line { Some(file.column("line")?) } else { None };
    let c_lat = file.column("latitude")?;
    let c_lon = file.column("longitude")?;
    let mut out = Vec::new();
    while file.next_row()? {
        let name = file.text(c_name, "name")?.to_owned();
        let line = match c_line {
            Some(c) => file.text(c, "line")?.to_owned(),
            None => String::new(),
        };
        let lat = file.number(c_lat, "latitude")?;
        let lon = file.number(c_lon, "longitude")?;
        if let Err(err) = check_lat_lon("point", (lat, lon)) {
            let column = if (-90.0..=90.0).contains(&lat) { "longitude" } else { "latitude" };
            let message = match err {
                crate::Error::InvalidInput { message, .. } => message,
                other => other.to_string(),
            };
            return Err(file.error(column, &message));
        }
        out.push((name, line, (lat, lon)));
    }
    Ok(out)
}

/// Reads a stations file with the columns `name, line, latitude, longitude`.
///
/// Fails, naming the file, line and column, on a missing column, a value that is not a number,
/// or a latitude outside -90..90 (or longitude outside -180..180).
pub fn read_stations(path: impl AsRef<Path>) -> Result<Vec<Station>> {
    Ok(read_places(path.as_ref(), true)?
        .into_iter()
        .map(|(name, line, position)| Station { name, line, position })
        .collect())
}

/// Reads a stores file with the columns `name, latitude, longitude`, with the same checks as
/// [`read_stations`].
pub fn read_stores(path: impl AsRef<Path>) -> Result<Vec<Store>> {
    Ok(read_places(path.as_ref(), false)?.into_iter().map(|(name, _, position)| Store { name, position }).collect())
}

impl Station {
    /// A table of stations, shown in a notebook.
    pub fn table(stations: &[Station], caption: &str) -> Table {
        let mut table = Table::new(["station", "line", "latitude", "longitude"]).caption(caption.to_owned());
        for s in stations {
            let _ = table.push_row([
                s.name.clone(),
                s.line.clone(),
                format!("{:.5}", s.position.0),
                format!("{:.5}", s.position.1),
            ]);
        }
        table
    }
}
