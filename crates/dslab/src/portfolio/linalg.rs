//! The small dense linear algebra the portfolio module needs: a Cholesky factor, symmetric
//! eigenvalues (to tell a semi-definite covariance from an indefinite one and to factor it),
//! and a pivoted LU solve for the optimality systems the solver's answers are polished with.
//!
//! Matrices are `&[Vec<f64>]`, one `Vec` per row; sizes are checked by the callers.

// Matrix code indexes rows and columns by position: the loops read like the formulas.
#![allow(clippy::needless_range_loop)]

/// The upper-triangular `U` with `Uᵀ U = a`, or `None` when a pivot is not clearly positive
/// (the matrix is singular or indefinite: the caller then looks at its eigenvalues).
pub(crate) fn cholesky_upper(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let scale = (0..n).map(|i| a[i][i].abs()).fold(0.0, f64::max);
    let mut u = vec![vec![0.0; n]; n];
    for j in 0..n {
        let mut d = a[j][j];
        for k in 0..j {
            d -= u[k][j] * u[k][j];
        }
        if d.is_nan() || d <= 1e-12 * scale {
            return None;
        }
        let d = d.sqrt();
        u[j][j] = d;
        for i in j + 1..n {
            let mut s = a[j][i];
            for k in 0..j {
                s -= u[k][j] * u[k][i];
            }
            u[j][i] = s / d;
        }
    }
    Some(u)
}

/// Eigenvalues and eigenvectors of a symmetric matrix by cyclic Jacobi rotations.
///
/// Returns `(values, vectors)` with `vectors[k]` the unit eigenvector of `values[k]`.
/// Jacobi is slow for large matrices (cubic per sweep) but accurate for small eigenvalues,
/// which is what deciding "semi-definite or not" needs.
pub(crate) fn symmetric_eigen(a: &[Vec<f64>]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = a.len();
    let mut m: Vec<Vec<f64>> = a.to_vec();
    let mut v: Vec<Vec<f64>> = (0..n).map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect()).collect();
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i][j] * m[i][j])
            .sum();
        let diag: f64 = (0..n).map(|i| m[i][i] * m[i][i]).sum();
        if off <= 1e-30 * diag.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if m[p][q] == 0.0 {
                    continue;
                }
                let theta = (m[q][q] - m[p][p]) / (2.0 * m[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (mkp, mkq) = (m[k][p], m[k][q]);
                    m[k][p] = c * mkp - s * mkq;
                    m[k][q] = s * mkp + c * mkq;
                }
                for k in 0..n {
                    let (mpk, mqk) = (m[p][k], m[q][k]);
                    m[p][k] = c * mpk - s * mqk;
                    m[q][k] = s * mpk + c * mqk;
                }
                for row in v.iter_mut() {
                    let (vp, vq) = (row[p], row[q]);
                    row[p] = c * vp - s * vq;
                    row[q] = s * vp + c * vq;
                }
            }
        }
    }
    let values: Vec<f64> = (0..n).map(|i| m[i][i]).collect();
    let vectors: Vec<Vec<f64>> = (0..n).map(|k| (0..n).map(|i| v[i][k]).collect()).collect();
    (values, vectors)
}

/// Solves `a x = b` for each right-hand side in `rhs` by LU with partial pivoting; `None`
/// when `a` is numerically singular.
pub(crate) fn solve(a: &[Vec<f64>], rhs: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut lu: Vec<Vec<f64>> = a.to_vec();
    let mut perm: Vec<usize> = (0..n).collect();
    let scale = lu.iter().flatten().fold(0.0f64, |m, x| m.max(x.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return None;
    }
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| lu[i][col].abs().total_cmp(&lu[j][col].abs()))?;
        if lu[pivot][col].abs() <= 1e-14 * scale {
            return None;
        }
        lu.swap(col, pivot);
        perm.swap(col, pivot);
        for i in col + 1..n {
            let f = lu[i][col] / lu[col][col];
            lu[i][col] = f;
            for j in col + 1..n {
                lu[i][j] -= f * lu[col][j];
            }
        }
    }
    let solutions = rhs
        .iter()
        .map(|b| {
            let mut x: Vec<f64> = perm.iter().map(|&p| b[p]).collect();
            for i in 0..n {
                for j in 0..i {
                    x[i] -= lu[i][j] * x[j];
                }
            }
            for i in (0..n).rev() {
                for j in i + 1..n {
                    x[i] -= lu[i][j] * x[j];
                }
                x[i] /= lu[i][i];
            }
            x
        })
        .collect();
    Some(solutions)
}

/// `a x` for a square matrix given by rows.
pub(crate) fn mat_vec(a: &[Vec<f64>], x: &[f64]) -> Vec<f64> {
    a.iter().map(|row| dot(row, x)).collect()
}

/// The dot product of two equally long slices.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `xᵀ a x`.
pub(crate) fn quad_form(a: &[Vec<f64>], x: &[f64]) -> f64 {
    dot(x, &mat_vec(a, x))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn cholesky_reconstructs_and_rejects_indefinite() {
        let a = vec![vec![4.0, 2.0, 0.4], vec![2.0, 3.0, 0.5], vec![0.4, 0.5, 2.0]];
        let u = cholesky_upper(&a).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let s: f64 = (0..3).map(|k| u[k][i] * u[k][j]).sum();
                assert!(close(s, a[i][j], 1e-12));
            }
        }
        assert!(cholesky_upper(&[vec![1.0, 2.0], vec![2.0, 1.0]]).is_none());
        assert!(cholesky_upper(&[vec![1.0, 1.0], vec![1.0, 1.0]]).is_none()); // singular
    }

    #[test]
    fn eigen_of_a_known_matrix() {
        // Eigenvalues 3 and -1 with vectors (1, 1)/√2 and (1, -1)/√2.
        let (mut values, vectors) = symmetric_eigen(&[vec![1.0, 2.0], vec![2.0, 1.0]]);
        for (value, vector) in values.iter().zip(&vectors) {
            let av = mat_vec(&[vec![1.0, 2.0], vec![2.0, 1.0]], vector);
            assert!(av.iter().zip(vector).all(|(a, v)| close(*a, value * v, 1e-12)));
        }
        values.sort_by(f64::total_cmp);
        assert!(close(values[0], -1.0, 1e-12) && close(values[1], 3.0, 1e-12));
    }

    #[test]
    fn lu_solves_and_detects_singular() {
        let a = vec![vec![0.0, 2.0, 1.0], vec![1.0, 1.0, 0.0], vec![3.0, 0.0, 1.0]];
        let x = solve(&a, &[vec![5.0, 3.0, 5.0]]).unwrap().remove(0);
        let back = mat_vec(&a, &x);
        assert!(back.iter().zip([5.0, 3.0, 5.0]).all(|(b, e)| close(*b, e, 1e-12)), "{back:?}");
        assert!(solve(&[vec![1.0, 2.0], vec![2.0, 4.0]], &[vec![1.0, 2.0]]).is_none());
    }
}
