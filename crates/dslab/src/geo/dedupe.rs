//! Collapsing points recorded at (almost) the same place.

use std::collections::HashMap;

use super::{Xy, distance2};

/// Indices of the points kept when every point within `min_distance` metres of an already kept
/// point is dropped, going through the points in order (a greedy thinning).
///
/// Why: the police record a crime at its hundred block, so thousands of crimes share a handful
/// of coordinates; for the question "is there a crime within 200 m of here?" one point per spot
/// answers the same as all of them, and is far cheaper. That holds exactly for
/// `min_distance = 0`, where only exact duplicates go. With a positive distance it is an
/// approximation: a dropped point lies up to `min_distance` from the kept one, so a spot whose
/// only crimes within the radius were dropped, and whose nearest kept crime is up to
/// `min_distance` beyond the radius, is no longer blocked. Survivors can only be added, never
/// lost: the article's 1 m dedupe changes a few survivors at the edges of the radii. A point at
/// exactly `min_distance` from a kept point is dropped, and no two kept points are within
/// `min_distance` of each other.
///
/// Runs in linear expected time on a hash grid of cells `min_distance` wide; gives exactly the
/// indices of [`dedupe_brute_force`]. Non-finite points are dropped.
///
/// ```
/// use dslab::geo::dedupe;
/// let points = [[0.0, 0.0], [0.4, 0.0], [5.0, 5.0], [0.0, 0.0], [6.5, 5.0]];
/// assert_eq!(dedupe(&points, 1.0), vec![0, 2, 4]);
/// assert_eq!(dedupe(&points, 0.0), vec![0, 1, 2, 4]);
/// ```
pub fn dedupe(points: &[Xy], min_distance: f64) -> Vec<usize> {
    let d = if min_distance.is_finite() { min_distance.max(0.0) } else { 0.0 };
    let d2 = d * d;
    // Cells a little wider than d: two points within d are then in the same or adjacent cells
    // whatever the rounding of the division.
    let cell = d.max(1e-6) * (1.0 + 1e-9);
    let key = |p: Xy| ((p[0] / cell).floor() as i64, (p[1] / cell).floor() as i64);
    let mut grid: HashMap<(i64, i64), Vec<u32>> = HashMap::new();
    let mut kept = Vec::new();
    for (i, &p) in points.iter().enumerate() {
        if !p[0].is_finite() || !p[1].is_finite() {
            continue;
        }
        // Points beyond i64's reach share the last cell (the cast saturates); the search around
        // it must not overflow.
        let (cx, cy) = key(p);
        let mut close = false;
        'search: for gx in cx.saturating_sub(1)..=cx.saturating_add(1) {
            for gy in cy.saturating_sub(1)..=cy.saturating_add(1) {
                if let Some(list) = grid.get(&(gx, gy))
                    && list.iter().any(|&k| distance2(points[k as usize], p) <= d2)
                {
                    close = true;
                    break 'search;
                }
            }
        }
        if !close {
            grid.entry((cx, cy)).or_default().push(i as u32);
            kept.push(i);
        }
    }
    kept
}

/// The same thinning as [`dedupe`], comparing each point with every kept point: O(n × kept).
/// Kept as the reference the fast version is tested against.
pub fn dedupe_brute_force(points: &[Xy], min_distance: f64) -> Vec<usize> {
    let d = if min_distance.is_finite() { min_distance.max(0.0) } else { 0.0 };
    let d2 = d * d;
    let mut kept: Vec<usize> = Vec::new();
    for (i, &p) in points.iter().enumerate() {
        if !p[0].is_finite() || !p[1].is_finite() {
            continue;
        }
        if !kept.iter().any(|&k| distance2(points[k], p) <= d2) {
            kept.push(i);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Rng;

    #[test]
    fn fast_and_brute_force_agree() {
        let mut rng = Rng::seed(5);
        for &d in &[0.0, 0.5, 1.0, 3.0, 25.0] {
            // Points on a coarse lattice with small jitter, so many are duplicates or near ones.
            let points: Vec<Xy> = (0..4000)
                .map(|_| {
                    let x = (rng.index(60) as f64) * 2.0 + if rng.uniform() < 0.5 { 0.0 } else { rng.range(-0.6, 0.6) };
                    let y = (rng.index(60) as f64) * 2.0;
                    [x, y]
                })
                .collect();
            let fast = dedupe(&points, d);
            assert_eq!(fast, dedupe_brute_force(&points, d), "d = {d}");
            for (a, &i) in fast.iter().enumerate() {
                for &j in &fast[a + 1..] {
                    assert!(distance2(points[i], points[j]) > d * d);
                }
            }
        }
    }

    #[test]
    fn edge_cases() {
        assert!(dedupe(&[], 1.0).is_empty());
        assert_eq!(dedupe(&[[f64::NAN, 0.0], [1.0, 1.0]], 1.0), vec![1]);
        assert_eq!(dedupe(&[[0.0, 0.0], [1.0, 0.0]], 1.0), vec![0]); // exactly d apart: dropped
        assert_eq!(dedupe(&[[0.0, 0.0], [1.0, 0.0]], f64::NAN), vec![0, 1]);
        // Far points saturate the cell index: no overflow, still exact.
        let far = [[1e300, 0.0], [1e300, 0.0], [-1e300, 1e300], [f64::MAX, 0.0]];
        assert_eq!(dedupe(&far, 1e-9), dedupe_brute_force(&far, 1e-9));
        assert_eq!(dedupe(&far, 1e-9), vec![0, 2, 3]);
    }
}
