//! Candidate spots: the points of a square lattice around one or more centres.

use crate::error::{Error, Result};

use super::{Xy, distance2};

/// The area around each centre that candidates are taken from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CandidateArea {
    /// The square of side `2 × radius` centred on the station, as in the article: a 1 km square
    /// holds about a million points one metre apart, six stations six million.
    #[default]
    Square,
    /// The disc of `radius` metres around the station (π/4 of the square's points).
    Disc,
}

impl std::fmt::Display for CandidateArea {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CandidateArea::Square => "square",
            CandidateArea::Disc => "disc",
        })
    }
}

/// The candidate spots of the search: the points `[i × spacing, j × spacing]` of one lattice
/// (anchored at the map's origin) that lie in the area around any of the centres.
///
/// Why: one shared lattice means that squares around nearby stations overlap without counting
/// a spot twice, and that each row of candidates is a few runs of consecutive `i`, so the grid
/// is kept as runs rather than as millions of points: the article's 6 million one-metre
/// candidates take a few hundred kilobytes, and a row can be tested against crimes all at once.
///
/// Membership is decided by the exact predicate (`|x − cx| ≤ r` and `|y − cy| ≤ r` for a
/// square, squared distance ≤ r² for a disc) on the lattice coordinates as computed, so the
/// runs hold exactly the points a brute-force scan would pick.
///
/// ```
/// use dslab::geo::{CandidateArea, CandidateGrid};
/// let grid = CandidateGrid::new(&[[0.0, 0.0]], 10.0, 500.0, CandidateArea::Square)?;
/// assert_eq!(grid.len(), 101 * 101);
/// let two = CandidateGrid::new(&[[0.0, 0.0], [300.0, 0.0]], 10.0, 500.0, CandidateArea::Square)?;
/// assert_eq!(two.len(), 131 * 101); // the overlap counts once
/// # Ok::<(), dslab::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct CandidateGrid {
    spacing: f64,
    radius: f64,
    area: CandidateArea,
    rows: Vec<(i64, Vec<(i64, i64)>)>,
    len: usize,
}

/// The exact run of integers within `bounds` around the guess `[lo, hi]` for which `inside`
/// holds, when the set is a run (true of every predicate here) and the guess is off by at most
/// a step or two. Nothing outside `bounds` is looked at, so a guess that saturated (a huge
/// value cast to `i64`) is clamped instead of walked back, and no step overflows.
pub(crate) fn exact_run(lo: i64, hi: i64, bounds: (i64, i64), inside: impl Fn(i64) -> bool) -> Option<(i64, i64)> {
    let (min, max) = (bounds.0.max(i64::MIN + 1), bounds.1.min(i64::MAX - 1));
    if min > max {
        return None;
    }
    let mut lo = lo.clamp(min, max);
    let mut hi = hi.clamp(min, max);
    if hi < lo - 1 {
        hi = lo - 1;
    }
    while lo > min && inside(lo - 1) {
        lo -= 1;
    }
    while lo <= hi && !inside(lo) {
        lo += 1;
    }
    if lo > hi {
        // The guess held nothing; the run may still sit just next to it.
        if lo <= max && inside(lo) {
            hi = lo;
        } else if hi >= min && inside(hi) {
            lo = hi;
        } else {
            return None;
        }
    }
    while hi < max && inside(hi + 1) {
        hi += 1;
    }
    while hi >= lo && !inside(hi) {
        hi -= 1;
    }
    (lo <= hi).then_some((lo, hi))
}

/// A length in metres for a message: plain, or in scientific form when very large or small.
pub(crate) fn metres(v: f64) -> String {
    if v.is_finite() && v != 0.0 && !(1e-4..1e9).contains(&v.abs()) { format!("{v:e} m") } else { format!("{v} m") }
}

/// Checks that `value` (metres) is finite and within `lo..=hi`, naming `what`.
pub(crate) fn check_metres(what: &str, value: f64, lo: f64, hi: f64) -> Result<()> {
    if !(value.is_finite() && (lo..=hi).contains(&value)) {
        return Err(Error::invalid(
            what,
            format!(
                "{} is outside {} to {} (expected a number of metres in that range)",
                metres(value),
                metres(lo),
                metres(hi)
            ),
        ));
    }
    Ok(())
}

impl CandidateGrid {
    /// The most candidates a grid may hold (twenty million); finer grids are refused, not
    /// attempted. The grid itself is small (runs), but a search keeps every survivor (16 bytes)
    /// and scores it for the ranking, so this bounds a search's memory to about a gigabyte.
    pub const MAX_POINTS: f64 = 2e7;
    /// The finest spacing, in metres (a millimetre).
    pub const MIN_SPACING_M: f64 = 1e-3;
    /// The largest spacing and radius, in metres (100 km: a search is about one city).
    pub const MAX_RADIUS_M: f64 = 100_000.0;
    /// The farthest lattice index from the map's origin (a thousand billion steps), so that
    /// indices and the steps around them stay exact in both `i64` and `f64`.
    pub const MAX_INDEX: f64 = 1e12;

    /// The lattice points every `spacing` metres in the `area` of half-width (or radius)
    /// `radius` metres around each of `centres`.
    ///
    /// Fails, naming the argument, on a spacing outside [`CandidateGrid::MIN_SPACING_M`] to
    /// [`CandidateGrid::MAX_RADIUS_M`], a radius outside 0 to [`CandidateGrid::MAX_RADIUS_M`],
    /// a centre that is not finite or lies more than [`CandidateGrid::MAX_INDEX`] steps from
    /// the origin, or more than [`CandidateGrid::MAX_POINTS`] candidates.
    pub fn new(centres: &[Xy], spacing: f64, radius: f64, area: CandidateArea) -> Result<Self> {
        check_metres("grid spacing", spacing, Self::MIN_SPACING_M, Self::MAX_RADIUS_M)?;
        check_metres("candidate radius", radius, 0.0, Self::MAX_RADIUS_M)?;
        for c in centres {
            if !c[0].is_finite() || !c[1].is_finite() {
                return Err(Error::invalid("grid centre", format!("{c:?} is not a finite point")));
            }
            let reach = (c[0].abs().max(c[1].abs()) + radius) / spacing;
            if reach > Self::MAX_INDEX {
                return Err(Error::invalid(
                    "grid centre",
                    format!(
                        "{c:?} is {reach:.2e} steps of {} from the map's origin, more than {:.0e}: centre the map on the stations",
                        metres(spacing),
                        Self::MAX_INDEX
                    ),
                ));
            }
        }
        let per_side = 2.0 * radius / spacing + 1.0;
        let estimate = per_side * per_side * centres.len() as f64;
        if estimate > Self::MAX_POINTS {
            return Err(Error::invalid(
                "grid spacing",
                format!(
                    "{} around {} centres within {} gives about {estimate:.2e} candidates, more than {:.0e}: use a coarser spacing",
                    metres(spacing),
                    centres.len(),
                    metres(radius),
                    Self::MAX_POINTS
                ),
            ));
        }
        let bounds = (-2 * Self::MAX_INDEX as i64, 2 * Self::MAX_INDEX as i64);
        let s = spacing;
        let coord = |k: i64| k as f64 * s;
        let mut pieces: Vec<(i64, i64, i64)> = Vec::new();
        for c in centres {
            let (cx, cy) = (c[0], c[1]);
            let row_inside = |j: i64| {
                let dy = coord(j) - cy;
                match area {
                    CandidateArea::Square => dy.abs() <= radius,
                    CandidateArea::Disc => dy * dy <= radius * radius,
                }
            };
            let Some((j_lo, j_hi)) =
                exact_run(((cy - radius) / s).ceil() as i64, ((cy + radius) / s).floor() as i64, bounds, row_inside)
            else {
                continue;
            };
            for j in j_lo..=j_hi {
                let y = coord(j);
                let inside = |i: i64| {
                    let p = [coord(i), y];
                    match area {
                        CandidateArea::Square => (p[0] - cx).abs() <= radius && (p[1] - cy).abs() <= radius,
                        CandidateArea::Disc => distance2(p, *c) <= radius * radius,
                    }
                };
                let dy = y - cy;
                let half = match area {
                    CandidateArea::Square => radius,
                    CandidateArea::Disc => (radius * radius - dy * dy).max(0.0).sqrt(),
                };
                if let Some((lo, hi)) =
                    exact_run(((cx - half) / s).ceil() as i64, ((cx + half) / s).floor() as i64, bounds, inside)
                {
                    pieces.push((j, lo, hi));
                }
            }
        }
        pieces.sort_unstable();
        let mut rows: Vec<(i64, Vec<(i64, i64)>)> = Vec::new();
        let mut len = 0usize;
        for (j, lo, hi) in pieces {
            match rows.last_mut() {
                Some((row, runs)) if *row == j => {
                    let last = runs.last_mut().expect("a row has at least one run");
                    if lo <= last.1 + 1 {
                        last.1 = last.1.max(hi);
                    } else {
                        runs.push((lo, hi));
                    }
                }
                _ => rows.push((j, vec![(lo, hi)])),
            }
        }
        for (_, runs) in &rows {
            len += runs.iter().map(|(lo, hi)| (hi - lo + 1) as usize).sum::<usize>();
        }
        Ok(CandidateGrid { spacing, radius, area, rows, len })
    }

    /// Number of candidate points.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there is no candidate (no centre, say).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Distance between neighbouring candidates, in metres.
    pub fn spacing(&self) -> f64 {
        self.spacing
    }

    /// Half-width of the square (or radius of the disc) around each centre, in metres.
    pub fn radius(&self) -> f64 {
        self.radius
    }

    /// The shape of the area around each centre.
    pub fn area(&self) -> CandidateArea {
        self.area
    }

    /// The map point of lattice position `(i, j)`.
    pub fn point(&self, i: i64, j: i64) -> Xy {
        [i as f64 * self.spacing, j as f64 * self.spacing]
    }

    /// The rows, south to north: each row's `j` and its runs `(first i, last i)`, west to east.
    pub fn rows(&self) -> impl Iterator<Item = (i64, &[(i64, i64)])> {
        self.rows.iter().map(|(j, runs)| (*j, runs.as_slice()))
    }

    /// Every candidate's lattice position `(i, j)`, row by row.
    pub fn positions(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.rows.iter().flat_map(|(j, runs)| runs.iter().flat_map(move |&(lo, hi)| (lo..=hi).map(move |i| (i, *j))))
    }

    /// Every candidate as a map point (for plots; prefer [`CandidateGrid::rows`] for millions).
    pub fn points(&self) -> Vec<Xy> {
        self.positions().map(|(i, j)| self.point(i, j)).collect()
    }
}

/// The points every `spacing` metres within `radius` metres of `center` (a square of
/// half-width `radius`, or the disc), on a lattice through `center` itself.
///
/// ```
/// use dslab::geo::{CandidateArea, grid_around};
/// let square = grid_around([100.0, 200.0], 1.0, 2.0, CandidateArea::Square)?;
/// assert_eq!(square.len(), 25);
/// assert!(square.contains(&[100.0, 200.0]));
/// let disc = grid_around([0.0, 0.0], 1.0, 2.0, CandidateArea::Disc)?;
/// assert_eq!(disc.len(), 13);
/// # Ok::<(), dslab::Error>(())
/// ```
pub fn grid_around(center: Xy, spacing: f64, radius: f64, area: CandidateArea) -> Result<Vec<Xy>> {
    let grid = CandidateGrid::new(&[[0.0, 0.0]], spacing, radius, area)?;
    if !center[0].is_finite() || !center[1].is_finite() {
        return Err(Error::invalid("grid centre", format!("{center:?} is not a finite point")));
    }
    Ok(grid.points().into_iter().map(|p| [center[0] + p[0], center[1] + p[1]]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Rng;

    /// Every lattice point of every centre's bounding box, tested one by one.
    fn brute(centres: &[Xy], s: f64, r: f64, area: CandidateArea) -> Vec<(i64, i64)> {
        let mut out = Vec::new();
        for c in centres {
            let (i0, i1) = (((c[0] - r) / s).floor() as i64 - 2, ((c[0] + r) / s).ceil() as i64 + 2);
            let (j0, j1) = (((c[1] - r) / s).floor() as i64 - 2, ((c[1] + r) / s).ceil() as i64 + 2);
            for j in j0..=j1 {
                for i in i0..=i1 {
                    let p = [i as f64 * s, j as f64 * s];
                    let inside = match area {
                        CandidateArea::Square => (p[0] - c[0]).abs() <= r && (p[1] - c[1]).abs() <= r,
                        CandidateArea::Disc => distance2(p, *c) <= r * r,
                    };
                    if inside {
                        out.push((j, i));
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out.into_iter().map(|(j, i)| (i, j)).collect()
    }

    #[test]
    fn runs_hold_exactly_the_brute_force_points() {
        let mut rng = Rng::seed(3);
        for area in [CandidateArea::Square, CandidateArea::Disc] {
            for _ in 0..30 {
                let centres: Vec<Xy> =
                    (0..1 + rng.index(4)).map(|_| [rng.range(-300.0, 300.0), rng.range(-300.0, 300.0)]).collect();
                let s = [0.7, 1.0, 3.0, 10.0][rng.index(4)];
                let r = rng.range(0.0, 120.0);
                let grid = CandidateGrid::new(&centres, s, r, area).unwrap();
                let want = brute(&centres, s, r, area);
                let got: Vec<(i64, i64)> = grid.positions().collect();
                assert_eq!(got, want, "{area} s={s} r={r}");
                assert_eq!(grid.len(), want.len());
            }
        }
    }

    #[test]
    fn points_on_the_edge_are_in() {
        // Centre on the lattice: the square's edges fall exactly on lattice points.
        let grid = CandidateGrid::new(&[[0.0, 0.0]], 1.0, 500.0, CandidateArea::Square).unwrap();
        assert_eq!(grid.len(), 1001 * 1001);
        let disc = CandidateGrid::new(&[[0.0, 0.0]], 1.0, 5.0, CandidateArea::Disc).unwrap();
        assert!(disc.positions().any(|p| p == (5, 0)) && disc.positions().any(|p| p == (3, 4)));
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(CandidateGrid::new(&[[0.0, 0.0]], 0.0, 5.0, CandidateArea::Square).is_err());
        assert!(CandidateGrid::new(&[[0.0, 0.0]], 1.0, -1.0, CandidateArea::Square).is_err());
        assert!(CandidateGrid::new(&[[f64::NAN, 0.0]], 1.0, 1.0, CandidateArea::Square).is_err());
        let err = CandidateGrid::new(&[[0.0, 0.0]; 6], 0.01, 500.0, CandidateArea::Square).unwrap_err();
        assert!(err.to_string().contains("coarser spacing"), "{err}");
        assert!(CandidateGrid::new(&[], 1.0, 5.0, CandidateArea::Square).unwrap().is_empty());
    }

    #[test]
    fn sizes_that_would_hang_or_exhaust_memory_are_errors() {
        let grid =
            |c: Xy, s: f64, r: f64| CandidateGrid::new(&[c], s, r, CandidateArea::Square).unwrap_err().to_string();
        // 1e-300 m with radius 0 is one point, but its lattice index saturates i64.
        let text = grid([10.0, 0.0], 1e-300, 0.0);
        assert_eq!(
            text,
            "invalid grid spacing: 1e-300 m is outside 0.001 m to 100000 m (expected a number of metres in that range)"
        );
        let text = grid([0.0, 0.0], 1.0, 1e20);
        assert!(text.starts_with("invalid candidate radius: 1e20 m is outside 0 m to 100000 m"), "{text}");
        let text = grid([1e300, 0.0], 1.0, 10.0);
        assert!(
            text.starts_with("invalid grid centre: [1e300, 0.0] is 1.00e300 steps of 1 m from the map's origin"),
            "{text}"
        );
        // 0.035 m around one station: 8e8 candidates, under the old limit of 1e9 but gigabytes of survivors.
        let text = grid([0.0, 0.0], 0.035, 500.0);
        assert!(text.contains("gives about 8.16e8 candidates, more than 2e7: use a coarser spacing"), "{text}");
        // The largest allowed values work.
        let far = CandidateGrid::new(&[[99_000.0, -99_000.0]], 0.001, 0.0, CandidateArea::Disc).unwrap();
        assert_eq!(far.len(), 1);
    }

    #[test]
    fn runs_stay_within_their_bounds() {
        assert_eq!(exact_run(i64::MIN, i64::MAX, (-5, 5), |i| i >= 2), Some((2, 5)));
        assert_eq!(exact_run(i64::MAX, i64::MAX, (-5, 5), |_| true), Some((-5, 5)));
        assert_eq!(exact_run(0, 3, (-5, 5), |_| false), None);
        assert_eq!(exact_run(1, 2, (i64::MIN, i64::MAX), |i| (0..=3).contains(&i)), Some((0, 3)));
    }
}
