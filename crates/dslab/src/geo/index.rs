//! A spatial index over map points: radius queries and nearest neighbours.

use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree};

use super::{Xy, distance2};

type Entry = GeomWithData<Xy, u32>;

/// An R*-tree (the `rstar` crate) over points of a local map, answering "which points lie
/// within r metres of here?" and "which point is nearest?" without looking at every point.
///
/// Why: the article compares every candidate spot with every crime, 432 billion distance
/// computations for its 1-metre grid. A tree of boxes around groups of points lets a query skip
/// every group whose box is farther than r, so a query costs about the logarithm of the number
/// of points plus the number of points it returns.
///
/// Queries use the same squared-distance formula as the brute-force code
/// ([`distance2`](super::distance2)) and count a point at exactly r metres as within r, so both
/// give identical answers. Results are point indices into the slice the index was built from.
///
/// ```
/// use dslab::geo::SpatialIndex;
/// let index = SpatialIndex::new(&[[0.0, 0.0], [3.0, 4.0], [10.0, 0.0]]);
/// assert_eq!(index.within([0.0, 0.0], 5.0), vec![0, 1]); // [3, 4] is exactly 5 m away
/// assert_eq!(index.count_within([0.0, 0.0], 4.9), 1);
/// assert!(!index.any_within([20.0, 20.0], 5.0));
/// assert_eq!(index.nearest([9.0, 1.0]), Some((2, 2f64.sqrt())));
/// ```
#[derive(Clone, Debug)]
pub struct SpatialIndex {
    tree: RTree<Entry>,
}

impl SpatialIndex {
    /// Builds the index by bulk loading (O(n log n)); points keep their positions as indices.
    ///
    /// Non-finite points are left out of the index (they are within no distance of anything).
    pub fn new(points: &[Xy]) -> Self {
        assert!(points.len() <= u32::MAX as usize, "SpatialIndex holds at most 2^32 - 1 points");
        let entries: Vec<Entry> = points
            .iter()
            .enumerate()
            .filter(|(_, p)| p[0].is_finite() && p[1].is_finite())
            .map(|(i, p)| GeomWithData::new(*p, i as u32))
            .collect();
        SpatialIndex { tree: RTree::bulk_load(entries) }
    }

    /// Number of points in the index.
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    /// True when the index holds no point.
    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    fn candidates(&self, p: Xy, r: f64) -> impl Iterator<Item = &Entry> {
        let r = r.max(0.0);
        let r2 = r * r;
        // The box is padded by a nanometre so that rounding cannot leave out a point at exactly r.
        let pad = r * (1.0 + 1e-12) + 1e-9;
        let envelope = AABB::from_corners([p[0] - pad, p[1] - pad], [p[0] + pad, p[1] + pad]);
        self.tree.locate_in_envelope_intersecting(envelope).filter(move |e| distance2(*e.geom(), p) <= r2)
    }

    /// Indices of the points within `r` metres of `p` (distance ≤ r), in increasing order.
    pub fn within(&self, p: Xy, r: f64) -> Vec<usize> {
        let mut found: Vec<usize> = self.candidates(p, r).map(|e| e.data as usize).collect();
        found.sort_unstable();
        found
    }

    /// How many points lie within `r` metres of `p`.
    pub fn count_within(&self, p: Xy, r: f64) -> usize {
        self.candidates(p, r).count()
    }

    /// Whether any point lies within `r` metres of `p`; stops at the first one found.
    pub fn any_within(&self, p: Xy, r: f64) -> bool {
        self.candidates(p, r).next().is_some()
    }

    /// The nearest point to `p` and its distance in metres; among points at the same distance,
    /// the one with the smallest index. `None` when the index is empty.
    pub fn nearest(&self, p: Xy) -> Option<(usize, f64)> {
        let first = self.tree.nearest_neighbor(p)?;
        let best = distance2(*first.geom(), p);
        // Ties: gather every point at the same distance and keep the smallest index, so the
        // answer does not depend on the tree's layout.
        let r = best.sqrt() * (1.0 + 1e-9) + 1e-9;
        let envelope = AABB::from_corners([p[0] - r, p[1] - r], [p[0] + r, p[1] + r]);
        let index = self
            .tree
            .locate_in_envelope_intersecting(envelope)
            .filter(|e| distance2(*e.geom(), p) == best)
            .map(|e| e.data as usize)
            .min()
            .unwrap_or(first.data as usize);
        Some((index, best.sqrt()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Rng;

    fn brute_within(points: &[Xy], p: Xy, r: f64) -> Vec<usize> {
        (0..points.len()).filter(|&i| distance2(points[i], p) <= r * r).collect()
    }

    #[test]
    fn queries_agree_with_brute_force() {
        let mut rng = Rng::seed(11);
        let points: Vec<Xy> = (0..3000).map(|_| [rng.range(-1000.0, 1000.0), rng.range(-1000.0, 1000.0)]).collect();
        let index = SpatialIndex::new(&points);
        assert_eq!(index.len(), points.len());
        for _ in 0..300 {
            let p = [rng.range(-1200.0, 1200.0), rng.range(-1200.0, 1200.0)];
            let r = rng.range(0.0, 150.0);
            let want = brute_within(&points, p, r);
            assert_eq!(index.within(p, r), want);
            assert_eq!(index.count_within(p, r), want.len());
            assert_eq!(index.any_within(p, r), !want.is_empty());
            let (i, d) = index.nearest(p).unwrap();
            let best = (0..points.len())
                .min_by(|&a, &b| distance2(points[a], p).total_cmp(&distance2(points[b], p)).then(a.cmp(&b)))
                .unwrap();
            assert_eq!((i, d), (best, distance2(points[best], p).sqrt()));
        }
    }

    #[test]
    fn ties_and_edges() {
        let points = [[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [1.0, 0.0]];
        let index = SpatialIndex::new(&points);
        assert_eq!(index.nearest([0.0, 0.0]), Some((0, 1.0)));
        assert_eq!(index.within([0.0, 0.0], 1.0), vec![0, 1, 2, 3]);
        assert_eq!(index.within([0.0, 0.0], 0.999), Vec::<usize>::new());
        assert_eq!(index.within([1.0, 0.0], 0.0), vec![0, 3]);
        let empty = SpatialIndex::new(&[]);
        assert!(empty.is_empty() && empty.nearest([0.0, 0.0]).is_none() && !empty.any_within([0.0, 0.0], 1e9));
        let with_nan = SpatialIndex::new(&[[f64::NAN, 0.0], [2.0, 2.0]]);
        assert_eq!(with_nan.len(), 1);
        assert_eq!(with_nan.nearest([0.0, 0.0]).unwrap().0, 1);
    }
}
