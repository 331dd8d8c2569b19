//! Testing candidates against crimes: brute force, R-tree queries, or a sweep row by row.

use std::time::Instant;

use super::crime::CrimeGroup;
use crate::error::Result;

use super::grid::{CandidateGrid, check_metres, exact_run};
use super::index::SpatialIndex;
use super::pipeline::{Method, SearchResult};
use super::{Xy, distance2};

/// A grid row: its `j` and its runs of `i`.
type Row<'a> = (i64, &'a [(i64, i64)]);

/// The crimes candidates are tested against: per group, their map points and radius.
///
/// Kept in the result so that a notebook can test other grids (a finer spacing, another
/// method) against the same crimes without redoing the earlier steps.
#[derive(Clone, Debug)]
pub struct CrimeFilter {
    groups: Vec<(CrimeGroup, f64, Vec<Xy>)>,
    indexes: Vec<SpatialIndex>,
    sorted: Vec<Vec<Xy>>,
}

impl CrimeFilter {
    /// A filter rejecting every point within `radius` of any of `points`, per group.
    ///
    /// Fails, naming the group, on a radius that is not a number of metres from 0 to
    /// [`CandidateGrid::MAX_RADIUS_M`] (a larger one would make the row sweep walk billions of
    /// lattice steps per crime). Non-finite points are within no distance of anything.
    pub fn new(groups: Vec<(CrimeGroup, f64, Vec<Xy>)>) -> Result<Self> {
        for (group, radius, _) in &groups {
            let what = format!("{} radius", group.name().to_lowercase());
            check_metres(&what, *radius, 0.0, CandidateGrid::MAX_RADIUS_M)?;
        }
        let indexes = groups.iter().map(|(_, _, pts)| SpatialIndex::new(pts)).collect();
        let sorted = groups
            .iter()
            .map(|(_, _, pts)| {
                let mut s: Vec<Xy> = pts.iter().copied().filter(|p| p[0].is_finite() && p[1].is_finite()).collect();
                s.sort_by(|a, b| a[1].total_cmp(&b[1]).then(a[0].total_cmp(&b[0])));
                s
            })
            .collect();
        Ok(CrimeFilter { groups, indexes, sorted })
    }

    /// The groups' points and radii.
    pub fn groups(&self) -> impl Iterator<Item = (CrimeGroup, f64, &[Xy])> {
        self.groups.iter().map(|(g, r, p)| (*g, *r, p.as_slice()))
    }

    /// Total number of crime points over the groups.
    pub fn len(&self) -> usize {
        self.groups.iter().map(|g| g.2.len()).sum()
    }

    /// True when there is no crime to test against.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether some crime is within its group's radius of `p`, comparing with every crime.
    pub fn blocked_brute_force(&self, p: Xy) -> bool {
        self.groups.iter().any(|(_, r, pts)| {
            let r2 = r * r;
            pts.iter().any(|&c| distance2(p, c) <= r2)
        })
    }

    /// How many distance computations [`CrimeFilter::blocked_brute_force`] makes for `p`.
    pub fn brute_force_comparisons(&self, p: Xy) -> usize {
        let mut n = 0;
        for (_, r, pts) in &self.groups {
            let r2 = r * r;
            for &c in pts {
                n += 1;
                if distance2(p, c) <= r2 {
                    return n;
                }
            }
        }
        n
    }

    /// Whether some crime is within its group's radius of `p`, asking the R-trees.
    pub fn blocked_indexed(&self, p: Xy) -> bool {
        self.groups.iter().zip(&self.indexes).any(|((_, r, _), index)| index.any_within(p, *r))
    }

    /// The lattice positions `(i, j)` of `grid` that no crime blocks, row by row.
    ///
    /// Uses every available core (two on the class laptops), splitting the rows between them.
    pub fn survivors(&self, grid: &CandidateGrid, method: Method) -> Vec<(i64, i64)> {
        let rows: Vec<Row<'_>> = grid.rows().collect();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
        let work = |part: &[Row<'_>]| -> Vec<(i64, i64)> {
            let mut out = Vec::new();
            let mut blocked: Vec<(i64, i64)> = Vec::new();
            for &(j, runs) in part {
                match method {
                    Method::BruteForce | Method::RTree => {
                        for &(lo, hi) in runs {
                            for i in lo..=hi {
                                let p = grid.point(i, j);
                                let hit = if method == Method::RTree {
                                    self.blocked_indexed(p)
                                } else {
                                    self.blocked_brute_force(p)
                                };
                                if !hit {
                                    out.push((i, j));
                                }
                            }
                        }
                    }
                    Method::Sweep => self.sweep_row(grid, j, runs, &mut blocked, &mut out),
                }
            }
            out
        };
        if threads == 1 || rows.len() < 64 {
            return work(&rows);
        }
        // Interleaved blocks of rows, so that both threads get rows from every station.
        let block = 16;
        let chunks: Vec<Vec<Row<'_>>> =
            (0..threads).map(|t| rows.chunks(block).skip(t).step_by(threads).flatten().copied().collect()).collect();
        let results: Vec<Vec<(i64, i64)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = chunks.iter().map(|c| scope.spawn(|| work(c))).collect();
            handles.into_iter().map(|h| h.join().expect("a filter thread panicked")).collect()
        });
        let mut all: Vec<(i64, i64)> = results.into_iter().flatten().collect();
        all.sort_unstable_by_key(|&(i, j)| (j, i));
        all
    }

    /// The survivors of one row: each crime within reach of the row blocks the run of lattice
    /// points within its radius; what no blocked run covers survives.
    fn sweep_row(
        &self,
        grid: &CandidateGrid,
        j: i64,
        runs: &[(i64, i64)],
        blocked: &mut Vec<(i64, i64)>,
        out: &mut Vec<(i64, i64)>,
    ) {
        let s = grid.spacing();
        let y = grid.point(0, j)[1];
        let (row_lo, row_hi) = (runs[0].0, runs[runs.len() - 1].1);
        blocked.clear();
        for ((_, r, _), pts) in self.groups.iter().zip(&self.sorted) {
            let r2 = r * r;
            let reach = r * (1.0 + 1e-12) + 1e-9;
            let start = pts.partition_point(|p| p[1] < y - reach);
            let end = pts.partition_point(|p| p[1] <= y + reach);
            for &c in &pts[start..end] {
                let dy = y - c[1];
                let dy2 = dy * dy;
                if dy2 > r2 {
                    continue;
                }
                let half = (r2 - dy2).sqrt();
                let lo = ((c[0] - half) / s).ceil() as i64;
                let hi = ((c[0] + half) / s).floor() as i64;
                if hi < row_lo - 1 || lo > row_hi + 1 {
                    continue;
                }
                let inside = |i: i64| distance2([i as f64 * s, y], c) <= r2;
                // Only the row's own span matters: a saturated guess is clamped to it.
                if let Some((lo, hi)) = exact_run(lo, hi, (row_lo, row_hi), inside) {
                    blocked.push((lo, hi));
                }
            }
        }
        blocked.sort_unstable();
        // Walk the candidate runs and the blocked runs together.
        let mut b = 0;
        let mut covered_to = i64::MIN; // every i <= covered_to is blocked (among those seen)
        for &(lo, hi) in runs {
            let mut i = lo;
            while i <= hi {
                while b < blocked.len() && blocked[b].0 <= i {
                    covered_to = covered_to.max(blocked[b].1);
                    b += 1;
                }
                if covered_to >= i {
                    i = covered_to + 1;
                    continue;
                }
                // Free from i up to the start of the next blocked run (or the end of this run).
                let next = if b < blocked.len() { blocked[b].0 - 1 } else { hi };
                let stop = next.min(hi);
                out.extend((i..=stop).map(|k| (k, j)));
                i = stop + 1;
            }
        }
    }
}

/// What comparing every candidate with every crime would cost, timed on a sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BruteForceEstimate {
    /// Candidates in the grid.
    pub candidates: usize,
    /// Crimes tested against (over the three groups).
    pub crimes: usize,
    /// Candidates timed.
    pub sample: usize,
    /// Candidates × crimes: every pair, as the article counts.
    pub all_pairs: f64,
    /// Seconds per comparison, measured on the sample.
    pub seconds_per_comparison: f64,
    /// Estimated seconds to compare every pair.
    pub all_pairs_seconds: f64,
    /// Estimated seconds when each candidate stops at its first blocking crime.
    pub early_exit_seconds: f64,
}

impl SearchResult {
    /// Times brute force on `sample` candidates spread evenly over the grid, and extrapolates to
    /// the whole grid: every pair (the article's count), and stopping at the first crime found.
    pub fn estimate_brute_force(&self, sample: usize) -> BruteForceEstimate {
        let n = self.grid.len();
        let crimes = self.filter.len();
        let step = n.div_ceil(sample.max(1)).max(1);
        let points: Vec<Xy> = self.grid.positions().step_by(step).map(|(i, j)| self.grid.point(i, j)).collect();
        // Every pair for the sample: sum of distances below each radius, so nothing is skipped.
        let clock = Instant::now();
        let mut hits = 0usize;
        for &p in &points {
            for (_, r, pts) in self.filter.groups() {
                let r2 = r * r;
                hits += pts.iter().filter(|&&c| distance2(p, c) <= r2).count();
            }
        }
        let full = clock.elapsed().as_secs_f64();
        std::hint::black_box(hits);
        let pairs_timed = (points.len() * crimes).max(1) as f64;
        let per = full / pairs_timed;
        let early: usize = points.iter().map(|&p| self.filter.brute_force_comparisons(p)).sum();
        let early_per_candidate = early as f64 / points.len().max(1) as f64;
        BruteForceEstimate {
            candidates: n,
            crimes,
            sample: points.len(),
            all_pairs: n as f64 * crimes as f64,
            seconds_per_comparison: per,
            all_pairs_seconds: per * n as f64 * crimes as f64,
            early_exit_seconds: per * early_per_candidate * n as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::CandidateArea;
    use crate::random::Rng;

    #[test]
    fn radii_are_checked_and_huge_ones_cannot_hang_the_sweep() {
        let text = CrimeFilter::new(vec![(CrimeGroup::Theft, 1e20, vec![[0.0, 0.0]])]).unwrap_err().to_string();
        assert!(text.starts_with("invalid theft radius: 1e20 m is outside 0 m to 100000 m"), "{text}");
        let text = CrimeFilter::new(vec![(CrimeGroup::Mischief, -1.0, vec![])]).unwrap_err().to_string();
        assert!(text.starts_with("invalid mischief radius: -1 m is outside"), "{text}");
        // The largest radius on the finest grid: each crime's run is clamped to the row.
        let grid = CandidateGrid::new(&[[0.0, 0.0]], 0.001, 0.5, CandidateArea::Square).unwrap();
        let filter = CrimeFilter::new(vec![(CrimeGroup::Theft, 100_000.0, vec![[99_999.0, 0.0]])]).unwrap();
        assert!(filter.survivors(&grid, Method::Sweep).is_empty());
        let far = CrimeFilter::new(vec![(CrimeGroup::Theft, 100_000.0, vec![[1e300, 0.0]])]).unwrap();
        assert_eq!(far.survivors(&grid, Method::Sweep).len(), grid.len());
        assert_eq!(far.survivors(&grid, Method::BruteForce).len(), grid.len());
    }

    #[test]
    fn the_three_filters_agree_on_random_crimes() {
        let mut rng = Rng::seed(17);
        for round in 0..12 {
            let centres: Vec<Xy> =
                (0..1 + rng.index(3)).map(|_| [rng.range(-400.0, 400.0), rng.range(-400.0, 400.0)]).collect();
            let spacing = [1.0, 2.5, 7.0, 10.0][round % 4];
            let grid = CandidateGrid::new(&centres, spacing, rng.range(50.0, 150.0), CandidateArea::Square).unwrap();
            let mut groups = Vec::new();
            for g in CrimeGroup::SEARCHED {
                let n = rng.index(40);
                // Crimes on a 5 m lattice half the time, so some sit exactly at a radius.
                let pts: Vec<Xy> = (0..n)
                    .map(|_| {
                        if rng.uniform() < 0.5 {
                            [(rng.index(200) as f64 - 100.0) * 5.0, (rng.index(200) as f64 - 100.0) * 5.0]
                        } else {
                            [rng.range(-600.0, 600.0), rng.range(-600.0, 600.0)]
                        }
                    })
                    .collect();
                groups.push((g, [20.0, 25.0, 40.0][rng.index(3)], pts));
            }
            let filter = CrimeFilter::new(groups).unwrap();
            let brute = filter.survivors(&grid, Method::BruteForce);
            assert_eq!(filter.survivors(&grid, Method::RTree), brute, "round {round}");
            assert_eq!(filter.survivors(&grid, Method::Sweep), brute, "round {round}");
        }
    }
}
