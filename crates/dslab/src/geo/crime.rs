//! Crime records in the Vancouver Police Department's open-data format.
//!
//! The VPD publishes one row per crime with the columns `TYPE, YEAR, MONTH, DAY, HOUR, MINUTE,
//! HUNDRED_BLOCK, NEIGHBOURHOOD, X, Y`, where X and Y are metres in UTM zone 10N, offset to
//! the hundred block. Crimes against a person are published without a place: their X and Y
//! are 0 and the block reads "OFFSET TO PROTECT PRIVACY". [`read_crimes`] reads that file (or
//! the synthetic one in the same format), skips and counts those rows, and converts the rest to
//! latitude and longitude. The hundred block is not kept: the search needs type, time and place.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::table::Table;

use super::reader::CsvFile;
use super::utm::Utm;

/// The crime types of the VPD file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CrimeType {
    /// "Theft from Vehicle".
    TheftFromVehicle,
    /// "Other Theft" (shoplifting, pickpocketing and the like).
    OtherTheft,
    /// "Theft of Vehicle".
    TheftOfVehicle,
    /// "Theft of Bicycle".
    TheftOfBicycle,
    /// "Break and Enter Commercial".
    BreakAndEnterCommercial,
    /// "Break and Enter Residential/Other".
    BreakAndEnterResidential,
    /// "Mischief" (vandalism).
    Mischief,
    /// "Offence Against a Person" (published without a location).
    OffenceAgainstAPerson,
    /// "Homicide" (published without a location).
    Homicide,
    /// "Vehicle Collision or Pedestrian Struck (with Injury)".
    CollisionWithInjury,
    /// "Vehicle Collision or Pedestrian Struck (with Fatality)".
    CollisionWithFatality,
    /// A type name this version does not know.
    Unrecognised,
}

impl CrimeType {
    /// Every known type, in the order of the VPD's own lists.
    pub const ALL: [CrimeType; 11] = [
        CrimeType::TheftFromVehicle,
        CrimeType::OtherTheft,
        CrimeType::TheftOfVehicle,
        CrimeType::TheftOfBicycle,
        CrimeType::BreakAndEnterCommercial,
        CrimeType::BreakAndEnterResidential,
        CrimeType::Mischief,
        CrimeType::OffenceAgainstAPerson,
        CrimeType::Homicide,
        CrimeType::CollisionWithInjury,
        CrimeType::CollisionWithFatality,
    ];

    /// The name as written in the VPD file's `TYPE` column.
    pub fn name(self) -> &'static str {
        match self {
            CrimeType::TheftFromVehicle => "Theft from Vehicle",
            CrimeType::OtherTheft => "Other Theft",
            CrimeType::TheftOfVehicle => "Theft of Vehicle",
            CrimeType::TheftOfBicycle => "Theft of Bicycle",
            CrimeType::BreakAndEnterCommercial => "Break and Enter Commercial",
            CrimeType::BreakAndEnterResidential => "Break and Enter Residential/Other",
            CrimeType::Mischief => "Mischief",
            CrimeType::OffenceAgainstAPerson => "Offence Against a Person",
            CrimeType::Homicide => "Homicide",
            CrimeType::CollisionWithInjury => "Vehicle Collision or Pedestrian Struck (with Injury)",
            CrimeType::CollisionWithFatality => "Vehicle Collision or Pedestrian Struck (with Fatality)",
            CrimeType::Unrecognised => "(unrecognised type)",
        }
    }

    /// The type whose VPD name is `name` (ignoring case and surrounding spaces).
    pub fn from_name(name: &str) -> CrimeType {
        let name = name.trim();
        Self::ALL.into_iter().find(|t| t.name().eq_ignore_ascii_case(name)).unwrap_or(CrimeType::Unrecognised)
    }

    /// The article's group for this type.
    pub fn group(self) -> CrimeGroup {
        match self {
            CrimeType::TheftFromVehicle
            | CrimeType::OtherTheft
            | CrimeType::TheftOfVehicle
            | CrimeType::TheftOfBicycle => CrimeGroup::Theft,
            CrimeType::BreakAndEnterCommercial | CrimeType::BreakAndEnterResidential => CrimeGroup::BreakAndEnter,
            CrimeType::Mischief => CrimeGroup::Mischief,
            _ => CrimeGroup::Other,
        }
    }
}

impl std::fmt::Display for CrimeType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The article's three groups of crime (and the rest, which the search ignores).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CrimeGroup {
    /// Every kind of theft: plotted red.
    Theft,
    /// Break and enter, commercial or residential: plotted orange.
    BreakAndEnter,
    /// Mischief: plotted green.
    Mischief,
    /// Collisions, offences against a person, homicide.
    Other,
}

impl CrimeGroup {
    /// The three groups the search filters on, in the article's order.
    pub const SEARCHED: [CrimeGroup; 3] = [CrimeGroup::Theft, CrimeGroup::BreakAndEnter, CrimeGroup::Mischief];

    /// A short name for legends and tables.
    pub fn name(self) -> &'static str {
        match self {
            CrimeGroup::Theft => "Theft",
            CrimeGroup::BreakAndEnter => "Break and Enter",
            CrimeGroup::Mischief => "Mischief",
            CrimeGroup::Other => "Other",
        }
    }

    /// The article's colour for the group.
    pub fn color(self) -> crate::plot::Rgb {
        match self {
            CrimeGroup::Theft => crate::plot::RED,
            CrimeGroup::BreakAndEnter => crate::plot::ORANGE,
            CrimeGroup::Mischief => crate::plot::GREEN,
            CrimeGroup::Other => crate::plot::GREY,
        }
    }
}

impl std::fmt::Display for CrimeGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One located crime.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Crime {
    /// The VPD type.
    pub kind: CrimeType,
    /// Year of the crime.
    pub year: u16,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month.
    pub day: u8,
    /// Hour, 0 to 23, when published.
    pub hour: Option<u8>,
    /// Minute, when published.
    pub minute: Option<u8>,
    /// Index into [`CrimeData::neighbourhoods`], when the row names one.
    pub neighbourhood: Option<u16>,
    /// Easting and northing in metres, UTM zone 10N, as published.
    pub utm: (f64, f64),
    /// `(latitude, longitude)` in degrees.
    pub position: (f64, f64),
}

impl Crime {
    /// The article's group of this crime's type.
    pub fn group(&self) -> CrimeGroup {
        self.kind.group()
    }
}

/// The crimes of one file: those with a location, and a count of those without.
#[derive(Clone, Debug)]
pub struct CrimeData {
    /// The file read.
    pub path: PathBuf,
    /// Rows with a location, in file order.
    pub records: Vec<Crime>,
    /// Rows published without a location (X = Y = 0, or both empty), skipped.
    pub withheld: usize,
    /// Rows whose `TYPE` this version does not know (kept, in group Other).
    pub unrecognised: usize,
    /// Neighbourhood names, indexed by [`Crime::neighbourhood`].
    pub neighbourhoods: Vec<String>,
}

impl CrimeData {
    /// Every data row of the file: located and withheld.
    pub fn rows(&self) -> usize {
        self.records.len() + self.withheld
    }

    /// Number of located crimes in `group`.
    pub fn count(&self, group: CrimeGroup) -> usize {
        self.records.iter().filter(|c| c.group() == group).count()
    }

    /// Number of located crimes of each type, most frequent first.
    pub fn type_counts(&self) -> Vec<(CrimeType, usize)> {
        let mut counts: Vec<(CrimeType, usize)> = CrimeType::ALL
            .into_iter()
            .chain([CrimeType::Unrecognised])
            .map(|t| (t, self.records.iter().filter(|c| c.kind == t).count()))
            .filter(|(_, n)| *n > 0)
            .collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        counts
    }

    /// The `(latitude, longitude)` of the located crimes in `group`.
    pub fn positions(&self, group: CrimeGroup) -> Vec<(f64, f64)> {
        self.records.iter().filter(|c| c.group() == group).map(|c| c.position).collect()
    }

    /// The neighbourhood name of a crime, or "" when the row had none.
    pub fn neighbourhood_of(&self, crime: &Crime) -> &str {
        crime.neighbourhood.and_then(|i| self.neighbourhoods.get(i as usize)).map_or("", String::as_str)
    }

    /// A table of the rows by group and type, shown in a notebook.
    pub fn summary(&self) -> Table {
        let mut table = Table::new(["group", "type", "records"]).caption(format!(
            "{}: {} rows, {} with a location, {} published without one",
            self.path.file_name().map_or_else(|| self.path.display().to_string(), |n| n.to_string_lossy().into_owned()),
            self.rows(),
            self.records.len(),
            self.withheld
        ));
        let mut counts = self.type_counts();
        counts.sort_by_key(|(t, n)| (t.group(), std::cmp::Reverse(*n)));
        for (t, n) in counts {
            let _ = table.push_row([t.group().name().to_owned(), t.name().to_owned(), n.to_string()]);
        }
        table
    }

    /// Shows [`CrimeData::summary`] when a notebook cell ends with the data.
    pub fn evcxr_display(&self) {
        self.summary().evcxr_display();
    }
}

/// What to do with a row published without a location (X = Y = 0).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Withheld {
    Skip,
    Reject,
}

/// Reads a VPD crime CSV, skipping (and counting) the rows published without a location.
///
/// Needs the columns `TYPE`, `YEAR`, `X` and `Y` (`MONTH`, `DAY`, `HOUR`, `MINUTE` and
/// `NEIGHBOURHOOD` are read when present). Fails, naming the file, line and column, on a
/// missing column, a value that is not a number, or a place that is not one: an X of 0 with a
/// non-zero Y, or coordinates outside UTM zone 10N.
pub fn read_crimes(path: impl AsRef<Path>) -> Result<CrimeData> {
    read(path.as_ref(), Withheld::Skip)
}

/// Like [`read_crimes`], but a row without a location (X = Y = 0, or empty) is an error naming
/// its line: for files that should have a place on every row, such as a prepared extract.
pub fn read_crimes_strict(path: impl AsRef<Path>) -> Result<CrimeData> {
    read(path.as_ref(), Withheld::Reject)
}

fn small(
    file: &CsvFile,
    index: Option<usize>,
    column: &str,
    range: std::ops::RangeInclusive<u8>,
) -> Result<Option<u8>> {
    let Some(index) = index else { return Ok(None) };
    match file.optional_number(index, column)? {
        None => Ok(None),
        Some(v) if v.fract() == 0.0 && v >= f64::from(*range.start()) && v <= f64::from(*range.end()) => {
            Ok(Some(v as u8))
        }
        Some(v) => {
            Err(file.error(column, &format!("{v} is not a whole number from {} to {}", range.start(), range.end())))
        }
    }
}

fn read(path: &Path, withheld_rows: Withheld) -> Result<CrimeData> {
    let mut file = CsvFile::open(path)?;
    let c_type = file.column("TYPE")?;
    let c_year = file.column("YEAR")?;
    let c_x = file.column("X")?;
    let c_y = file.column("Y")?;
    let c_month = file.optional_column("MONTH");
    let c_day = file.optional_column("DAY");
    let c_hour = file.optional_column("HOUR");
    let c_minute = file.optional_column("MINUTE");
    let c_hood = file.optional_column("NEIGHBOURHOOD");
    let utm = Utm::ZONE_10N;
    let mut records = Vec::with_capacity(600_000);
    let mut withheld = 0;
    let mut unrecognised = 0;
    let mut neighbourhoods: Vec<String> = Vec::new();
    let mut last_type: (Vec<u8>, CrimeType) = (Vec::new(), CrimeType::Unrecognised);
    while file.next_row()? {
        let x = file.optional_number(c_x, "X")?;
        let y = file.optional_number(c_y, "Y")?;
        let (x, y) = match (x, y) {
            (None, None) | (Some(0.0), Some(0.0)) => {
                if withheld_rows == Withheld::Reject {
                    return Err(file.error("X", "the row has no location (X and Y are 0 or empty)"));
                }
                withheld += 1;
                continue;
            }
            (Some(x), Some(y)) => (x, y),
            (None, Some(_)) => return Err(file.error("X", "X is empty but Y is not")),
            (Some(_), None) => return Err(file.error("Y", "Y is empty but X is not")),
        };
        if x == 0.0 {
            return Err(file.error("X", &format!("X = 0 with Y = {y}: not a place in UTM zone 10N")));
        }
        let position = utm.to_wgs84(x, y).map_err(|e| {
            let (column, message) = match e {
                Error::InvalidInput { what, message } if what.contains("northing") => ("Y", message),
                Error::InvalidInput { message, .. } => ("X", message),
                other => ("X", other.to_string()),
            };
            file.error(column, &message)
        })?;
        let type_bytes = file.bytes(c_type);
        let kind = if type_bytes == last_type.0.as_slice() {
            last_type.1
        } else {
            let kind = CrimeType::from_name(file.text(c_type, "TYPE")?);
            last_type = (type_bytes.to_vec(), kind);
            kind
        };
        if kind == CrimeType::Unrecognised {
            unrecognised += 1;
        }
        let year = file.number(c_year, "YEAR")?;
        if !(year.fract() == 0.0 && (1800.0..=2200.0).contains(&year)) {
            return Err(file.error("YEAR", &format!("{year} is not a year")));
        }
        let month = small(&file, c_month, "MONTH", 1..=12)?.unwrap_or(1);
        let day = small(&file, c_day, "DAY", 1..=31)?.unwrap_or(1);
        let hour = small(&file, c_hour, "HOUR", 0..=23)?;
        let minute = small(&file, c_minute, "MINUTE", 0..=59)?;
        let neighbourhood = match c_hood {
            None => None,
            Some(index) => {
                let name = file.text(index, "NEIGHBOURHOOD")?;
                if name.is_empty() {
                    None
                } else if let Some(i) = neighbourhoods.iter().position(|n| n == name) {
                    Some(i as u16)
                } else if neighbourhoods.len() < u16::MAX as usize {
                    neighbourhoods.push(name.to_owned());
                    Some((neighbourhoods.len() - 1) as u16)
                } else {
                    return Err(file.row_error("more than 65535 different neighbourhood names".to_owned()));
                }
            }
        };
        records.push(Crime { kind, year: year as u16, month, day, hour, minute, neighbourhood, utm: (x, y), position });
    }
    Ok(CrimeData { path: file.path().to_owned(), records, withheld, unrecognised, neighbourhoods })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_group() {
        for t in CrimeType::ALL {
            assert_eq!(CrimeType::from_name(t.name()), t);
        }
        assert_eq!(CrimeType::from_name(" mischief "), CrimeType::Mischief);
        assert_eq!(CrimeType::from_name("Arson"), CrimeType::Unrecognised);
        assert_eq!(CrimeType::TheftOfBicycle.group(), CrimeGroup::Theft);
        assert_eq!(CrimeType::BreakAndEnterCommercial.group(), CrimeGroup::BreakAndEnter);
        assert_eq!(CrimeType::Homicide.group(), CrimeGroup::Other);
    }
}
