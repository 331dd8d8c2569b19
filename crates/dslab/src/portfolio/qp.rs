//! Convex quadratic programmes solved by the Clarabel interior-point solver, then polished.
//!
//! An interior-point method stops a little inside the feasible set (tolerance 1e-8), so a
//! weight that should be exactly zero comes out as 1e-9; where the variance is nearly flat (20
//! assets, say) a weight can be 1e-4 away from the optimum. Once Clarabel has found which
//! constraints hold with equality at the optimum (the *active set*), the optimum is the
//! solution of one linear system (the KKT conditions with those constraints as equalities).
//! [`polish`] solves that system and checks every optimality condition: if the guess was right
//! the answer is exact to rounding; if any check fails, a few active-set steps correct the guess,
//! and failing that Clarabel's own answer stands.

// Matrix code indexes rows and columns by position: the loops read like the formulas.
#![allow(clippy::needless_range_loop)]

use clarabel::algebra::CscMatrix;
use clarabel::solver::{DefaultSettings, DefaultSolver, IPSolver, SolverStatus, SupportedConeT};

use crate::{Error, Result};

use super::linalg;

/// A linear constraint row `Σ coef·x (= or ≤) rhs`, stored sparsely.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub coef: Vec<(usize, f64)>,
    pub rhs: f64,
}

impl Row {
    pub fn new(coef: Vec<(usize, f64)>, rhs: f64) -> Self {
        Row { coef, rhs }
    }

    pub fn dense(coef: &[f64], rhs: f64) -> Self {
        Row { coef: coef.iter().copied().enumerate().filter(|(_, c)| *c != 0.0).collect(), rhs }
    }

    pub fn value(&self, x: &[f64]) -> f64 {
        self.coef.iter().map(|&(j, c)| c * x[j]).sum()
    }
}

/// `min ½ xᵀPx + qᵀx` subject to equality rows, `≤` rows and optionally `‖F x‖ ≤ t`.
#[derive(Debug, Clone)]
pub(crate) struct Qp {
    pub p: Vec<Vec<f64>>,
    pub q: Vec<f64>,
    pub eq: Vec<Row>,
    pub ineq: Vec<Row>,
    /// `(t, F)`: a second-order-cone constraint `‖F x‖₂ ≤ t`.
    pub soc: Option<(f64, Vec<Vec<f64>>)>,
}

/// Clarabel's answer: the point, which `≤` rows it holds with equality, and their multipliers.
#[derive(Debug, Clone)]
pub(crate) struct Solved {
    pub x: Vec<f64>,
    pub active: Vec<bool>,
    pub duals: Vec<f64>,
}

/// What stopped the solver short of an optimum.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Failure {
    /// No point satisfies the constraints.
    Infeasible,
    /// Anything else (iteration limit, numerical trouble), with Clarabel's status.
    Other(String),
}

impl Qp {
    fn n(&self) -> usize {
        self.q.len()
    }

    /// Solves with Clarabel (no polishing).
    pub fn solve(&self) -> std::result::Result<Solved, Failure> {
        let n = self.n();
        let (mut pi, mut pj, mut pv) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..n {
            for j in i..n {
                if self.p[i][j] != 0.0 {
                    pi.push(i);
                    pj.push(j);
                    pv.push(self.p[i][j]);
                }
            }
        }
        let p = CscMatrix::new_from_triplets(n, n, pi, pj, pv);
        let (mut ai, mut aj, mut av, mut b) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for row in self.eq.iter().chain(&self.ineq) {
            for &(j, c) in &row.coef {
                ai.push(b.len());
                aj.push(j);
                av.push(c);
            }
            b.push(row.rhs);
        }
        let mut cones = Vec::new();
        if !self.eq.is_empty() {
            cones.push(SupportedConeT::ZeroConeT(self.eq.len()));
        }
        if !self.ineq.is_empty() {
            cones.push(SupportedConeT::NonnegativeConeT(self.ineq.len()));
        }
        if let Some((t, f)) = &self.soc {
            // s = b - A x must lie in the cone {(s0, s1..) : ‖s1..‖ ≤ s0}: s0 = t, s1.. = F x.
            b.push(*t);
            for row in f {
                for (j, &c) in row.iter().enumerate() {
                    if c != 0.0 {
                        ai.push(b.len());
                        aj.push(j);
                        av.push(-c);
                    }
                }
                b.push(0.0);
            }
            cones.push(SupportedConeT::SecondOrderConeT(f.len() + 1));
        }
        let a = CscMatrix::new_from_triplets(b.len(), n, ai, aj, av);
        let settings = DefaultSettings::<f64> { verbose: false, ..DefaultSettings::default() };
        let mut solver = DefaultSolver::new(&p, &self.q, &a, &b, &cones, settings)
            .map_err(|e| Failure::Other(format!("the solver refused the problem: {e}")))?;
        solver.solve();
        let solution = &solver.solution;
        match solution.status {
            SolverStatus::Solved | SolverStatus::AlmostSolved => {
                let offset = self.eq.len();
                let active = (0..self.ineq.len()).map(|i| solution.z[offset + i] > solution.s[offset + i]).collect();
                let duals = solution.z[offset..offset + self.ineq.len()].to_vec();
                Ok(Solved { x: solution.x.clone(), active, duals })
            }
            SolverStatus::PrimalInfeasible | SolverStatus::AlmostPrimalInfeasible => Err(Failure::Infeasible),
            other => Err(Failure::Other(format!("{other:?} after {} iterations", solution.iterations))),
        }
    }

    /// Solves, then polishes the answer when the problem has no cone constraint.
    pub fn solve_polished(&self, what: &str) -> Result<Vec<f64>> {
        Ok(self.solve_with_active_set(what)?.x)
    }

    /// [`Qp::solve_polished`], also returning the `≤` rows held at the answer (to warm-start a
    /// neighbouring problem with [`active_set`]).
    pub fn solve_with_active_set(&self, what: &str) -> Result<Polished> {
        let solved = self.solve().map_err(|failure| match failure {
            Failure::Infeasible => {
                Error::invalid(what, "no portfolio satisfies the constraints (check the weight bounds)")
            }
            Failure::Other(status) => Error::not_converged(what, format!("the solver stopped with status {status}")),
        })?;
        if self.soc.is_some() {
            return Ok(Polished { x: solved.x, active: solved.active });
        }
        Ok(polish(self, &solved).unwrap_or(Polished { x: solved.x, active: solved.active }))
    }
}

/// An optimum and the `≤` rows it holds with equality.
#[derive(Debug, Clone)]
pub(crate) struct Polished {
    pub x: Vec<f64>,
    pub active: Vec<bool>,
}

/// Solves the KKT system of `qp` with the equality rows and the `≤` rows flagged in `active`
/// held as equalities, with right-hand sides `rhs` (one per held row, equality rows first).
/// Returns `x` and the multipliers of the held rows (`≥ 0` at an optimum for `≤` rows).
pub(crate) fn kkt(qp: &Qp, active: &[bool], rhs: &[Vec<f64>]) -> Option<Vec<(Vec<f64>, Vec<f64>)>> {
    let n = qp.n();
    let held = held_rows(qp, active);
    let m = held.len();
    let mut k = vec![vec![0.0; n + m]; n + m];
    for i in 0..n {
        k[i][..n].copy_from_slice(&qp.p[i]);
    }
    for (r, row) in held.iter().enumerate() {
        for &(j, c) in &row.coef {
            k[n + r][j] += c;
            k[j][n + r] += c;
        }
    }
    let systems: Vec<Vec<f64>> =
        rhs.iter().map(|b| qp.q.iter().map(|q| -q).chain(b.iter().copied()).collect()).collect();
    let solutions = linalg::solve(&k, &systems)?;
    Some(solutions.into_iter().map(|mut s| (s.drain(..n).collect(), s)).collect())
}

fn held_rows<'a>(qp: &'a Qp, active: &[bool]) -> Vec<&'a Row> {
    qp.eq.iter().chain(qp.ineq.iter().zip(active).filter(|(_, a)| **a).map(|(r, _)| r)).collect()
}

/// The polished optimum of a QP without cone constraints, starting from Clarabel's active set;
/// `None` when the optimality checks cannot be met (then Clarabel's answer is used).
pub(crate) fn polish(qp: &Qp, solved: &Solved) -> Option<Polished> {
    active_set(qp, solved.active.clone(), Some((&solved.x, &solved.duals)))
}

/// Active-set iterations from the guess `active`: solve the KKT system with the held rows as
/// equalities; let go of the held `≤` row with the most negative multiplier, or else hold the
/// most violated free row; stop when neither exists, which makes every optimality condition
/// (feasibility, stationarity, multiplier signs, complementarity) hold.
///
/// `clarabel` gives Clarabel's answer and multipliers when there is one: they decide which row
/// to let go of when the held rows are degenerate (one asset at 100 % holds its upper bound and
/// every other lower bound), and the result must not have a worse objective. Without them
/// (a warm start from a neighbouring problem) a degenerate set gives `None`.
pub(crate) fn active_set(qp: &Qp, mut active: Vec<bool>, clarabel: Option<(&[f64], &[f64])>) -> Option<Polished> {
    let objective = |x: &[f64]| 0.5 * linalg::quad_form(&qp.p, x) + linalg::dot(&qp.q, x);
    for _step in 0..(2 * qp.ineq.len() + 2) {
        let rhs: Vec<f64> = held_rows(qp, &active).iter().map(|r| r.rhs).collect();
        let Some(mut solutions) = kkt(qp, &active, &[rhs]) else {
            let (_, duals) = clarabel?;
            let loosest = (0..qp.ineq.len()).filter(|&i| active[i]).min_by(|&a, &b| duals[a].total_cmp(&duals[b]))?;
            active[loosest] = false;
            continue;
        };
        let (x, multipliers) = solutions.remove(0);
        let scale_x = x.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        let scale_l = multipliers.iter().fold(1e-300f64, |m, l| m.max(l.abs()));
        let held: Vec<usize> = (0..qp.ineq.len()).filter(|&i| active[i]).collect();
        let worst_dual = held
            .iter()
            .zip(&multipliers[qp.eq.len()..])
            .filter(|(_, l)| **l < -1e-9 * scale_l)
            .min_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| *i);
        let worst_primal = (0..qp.ineq.len())
            .filter(|&i| !active[i])
            .map(|i| (i, qp.ineq[i].value(&x) - qp.ineq[i].rhs))
            .filter(|(i, v)| *v > 1e-10 * (1.0 + qp.ineq[*i].rhs.abs()).max(scale_x))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i);
        match (worst_dual, worst_primal) {
            (None, None) => {
                // Guard against an ill-conditioned solve: the held rows hold, and the objective
                // is no worse than Clarabel's.
                let rows = held_rows(qp, &active);
                if rows.iter().any(|r| (r.value(&x) - r.rhs).abs() > 1e-9 * (1.0 + r.rhs.abs()).max(scale_x)) {
                    return None;
                }
                if let Some((reference, _)) = clarabel {
                    let (ours, theirs) = (objective(&x), objective(reference));
                    if ours > theirs + 1e-12 * (1.0 + theirs.abs()) {
                        return None;
                    }
                }
                return Some(Polished { x, active });
            }
            (Some(i), _) => active[i] = false,
            (None, Some(i)) => active[i] = true,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_box_constrained_qp_is_solved_exactly() {
        // min (x - 2)² + (y + 1)² with 0 ≤ x, y ≤ 1: the answer is (1, 0).
        let qp = Qp {
            p: vec![vec![2.0, 0.0], vec![0.0, 2.0]],
            q: vec![-4.0, 2.0],
            eq: vec![],
            ineq: vec![
                Row::new(vec![(0, 1.0)], 1.0),
                Row::new(vec![(1, 1.0)], 1.0),
                Row::new(vec![(0, -1.0)], 0.0),
                Row::new(vec![(1, -1.0)], 0.0),
            ],
            soc: None,
        };
        let raw = qp.solve().unwrap();
        assert_eq!(raw.active, [true, false, false, true]);
        let x = qp.solve_polished("test").unwrap();
        assert_eq!(x, [1.0, 0.0]);
    }

    #[test]
    fn infeasible_constraints_are_reported() {
        let qp = Qp {
            p: vec![vec![1.0]],
            q: vec![0.0],
            eq: vec![Row::new(vec![(0, 1.0)], 2.0)],
            ineq: vec![Row::new(vec![(0, 1.0)], 1.0)],
            soc: None,
        };
        assert_eq!(qp.solve().unwrap_err(), Failure::Infeasible);
        assert!(qp.solve_polished("the test").unwrap_err().to_string().contains("no portfolio satisfies"));
    }

    #[test]
    fn a_cone_constraint_bounds_the_norm() {
        // max x + y subject to ‖(x, y)‖ ≤ 1: the answer is (1, 1)/√2.
        let qp = Qp {
            p: vec![vec![0.0, 0.0], vec![0.0, 0.0]],
            q: vec![-1.0, -1.0],
            eq: vec![],
            ineq: vec![],
            soc: Some((1.0, vec![vec![1.0, 0.0], vec![0.0, 1.0]])),
        };
        let x = qp.solve_polished("test").unwrap();
        assert!(x.iter().all(|v| (v - 0.5f64.sqrt()).abs() < 1e-7), "{x:?}");
    }
}
