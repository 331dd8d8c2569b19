//! Showing a search: its counts next to the article's, its ranking and its timings as tables.

use crate::table::Table;

use super::pipeline::SearchResult;
use super::places::Station;

/// The figures the article reports, for showing next to a run's own.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArticleFigures {
    /// Crime records in the file.
    pub records: usize,
    /// Rapid-transit stations in Vancouver.
    pub stations: usize,
    /// Starbucks stores in Vancouver.
    pub stores: usize,
    /// Stores near a station.
    pub stores_near_stations: usize,
    /// Stations without a store near them.
    pub stations_without_store: usize,
    /// Crimes near any station ("over 110,000").
    pub crimes_near_stations: usize,
    /// Crimes near the stations without a store ("about 44,000").
    pub crimes_near_selected: usize,
    /// Candidates one metre apart ("6 million").
    pub candidates_1m: usize,
    /// The article's count of comparisons for the 1-metre grid (432.4 billion).
    pub comparisons_1m: f64,
    /// Thefts, break and enters and mischiefs left after removing duplicates.
    pub deduped: [usize; 3],
    /// Spots listed at the end.
    pub final_spots: usize,
    /// Where they were, `(latitude, longitude)`, roughly.
    pub final_near: (f64, f64),
}

/// The article's figures.
pub const ARTICLE: ArticleFigures = ArticleFigures {
    records: 530_653,
    stations: 23,
    stores: 24,
    stores_near_stations: 10,
    stations_without_store: 6,
    crimes_near_stations: 110_000,
    crimes_near_selected: 44_000,
    candidates_1m: 6_000_000,
    comparisons_1m: 432.4e9,
    deduped: [816, 2_654, 8_234],
    final_spots: 6,
    final_near: (49.24, -123.04),
};

impl SearchResult {
    /// The count after every step next to the article's, as a table.
    pub fn counts_table(&self) -> Table {
        let c = &self.counts;
        let a = ARTICLE;
        let mut table = Table::new(["step", "this run", "the article"]).caption(format!(
            "Counts after each step ({}, {} m grid, {}); the article used the real VPD file",
            self.params.method,
            self.params.grid_spacing_m,
            if self.params.dedupe_m.is_some() { "deduplicated" } else { "no dedupe" }
        ));
        let thousands = |n: usize| group_digits(n);
        let rows: Vec<(String, String, String)> = vec![
            ("crime records".into(), thousands(c.records), thousands(a.records)),
            (
                "  with a location, theft / break and enter / mischief".into(),
                format!("{} / {} / {}", thousands(c.by_group[0]), thousands(c.by_group[1]), thousands(c.by_group[2])),
                "–".into(),
            ),
            ("rapid-transit stations".into(), thousands(c.stations), thousands(a.stations)),
            ("Starbucks stores".into(), thousands(c.stores), thousands(a.stores)),
            (
                format!("stores within {} m of a station", self.params.store_radius_m),
                thousands(c.stores_near_stations),
                thousands(a.stores_near_stations),
            ),
            (
                "stations without a store".into(),
                thousands(c.stations_without_store),
                thousands(a.stations_without_store),
            ),
            (
                format!("crimes within {} m of a station", self.params.crime_radius_m),
                thousands(c.crimes_near_stations),
                format!("over {}", thousands(a.crimes_near_stations)),
            ),
            (
                "crimes near the stations without a store".into(),
                thousands(c.crimes_near_selected),
                format!("about {}", thousands(a.crimes_near_selected)),
            ),
            (
                format!("candidates every {} m", self.params.grid_spacing_m),
                thousands(c.candidates),
                format!("{} at 1 m", thousands(a.candidates_1m)),
            ),
            (
                "after dedupe: thefts / break-ins / mischiefs".into(),
                format!("{} / {} / {}", thousands(c.deduped[0]), thousands(c.deduped[1]), thousands(c.deduped[2])),
                format!("{} / {} / {}", thousands(a.deduped[0]), thousands(a.deduped[1]), thousands(a.deduped[2])),
            ),
            ("candidates surviving the crime filters".into(), thousands(c.survivors), "–".into()),
            ("spots listed".into(), thousands(self.ranked.len()), thousands(a.final_spots)),
        ];
        for (step, ours, theirs) in rows {
            let _ = table.push_row([step, ours, theirs]);
        }
        table
    }

    /// The ranked spots as a table, with the nearest station's name.
    pub fn ranked_table(&self, stations: &[Station]) -> Table {
        let mut table = Table::new(["rank", "latitude", "longitude", "nearest station", "distance (m)"])
            .caption("The best spots: no crime within the radii, nearest to a station first");
        for (k, c) in self.ranked.iter().enumerate() {
            let name = stations.get(c.station).map_or("?", |s| s.name.as_str());
            let _ = table.push_row([
                (k + 1).to_string(),
                format!("{:.5}", c.position.0),
                format!("{:.5}", c.position.1),
                name.to_owned(),
                format!("{:.0}", c.station_distance_m),
            ]);
        }
        table
    }

    /// The time of every step, as a table.
    pub fn timings_table(&self) -> Table {
        let t = &self.timings;
        let mut table = Table::new(["step", "milliseconds"]).caption(format!("Time per step ({})", self.params.method));
        for (name, d) in [
            ("project onto the map", t.project),
            ("stores near stations", t.stores),
            ("crimes near stations", t.crimes_near),
            ("candidate grid", t.grid),
            ("dedupe and index the crimes", t.dedupe),
            ("filter the candidates", t.filter),
            ("rank the survivors", t.rank),
            ("total", t.total),
        ] {
            let _ = table.push_row([name.to_owned(), format!("{:.1}", d.as_secs_f64() * 1e3)]);
        }
        table
    }

    /// Shows [`SearchResult::counts_table`] when a notebook cell ends with the result.
    pub fn evcxr_display(&self) {
        self.counts_table().evcxr_display();
    }
}

/// `1234567` as `1,234,567`.
pub(crate) fn group_digits(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (k, ch) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(530_653), "530,653");
        assert_eq!(group_digits(6_012_006), "6,012,006");
    }
}
