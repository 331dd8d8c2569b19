//! Small dense linear algebra for the regressions and state-space algebra in this module:
//! least squares by Householder QR and a pivoted linear solve. Sizes here are tiny (a few
//! dozen columns at most), so plain loops beat pulling in a linear-algebra crate.

/// A least-squares fit `y ≈ X b`.
#[derive(Debug, Clone)]
pub(crate) struct LeastSquares {
    /// The coefficients `b`, one per column of `X`.
    pub coef: Vec<f64>,
    /// `y - X b`.
    pub residuals: Vec<f64>,
    /// The sum of squared residuals.
    pub ssr: f64,
    /// The diagonal of `(X'X)^-1`, for standard errors.
    pub xtx_inv_diag: Vec<f64>,
}

/// Solves `min |y - X b|` where `columns[j]` is the j-th column of `X` (all of length `y.len()`).
/// Returns `None` when `X` is rank deficient or has more columns than rows.
pub(crate) fn least_squares(columns: &[Vec<f64>], y: &[f64]) -> Option<LeastSquares> {
    let n = y.len();
    let k = columns.len();
    if k == 0 {
        let ssr = y.iter().map(|v| v * v).sum();
        return Some(LeastSquares { coef: vec![], residuals: y.to_vec(), ssr, xtx_inv_diag: vec![] });
    }
    if n < k || columns.iter().any(|c| c.len() != n) {
        return None;
    }
    // Householder QR on a column-major copy.
    let mut a: Vec<Vec<f64>> = columns.to_vec();
    let mut qty = y.to_vec();
    let mut r_diag = vec![0.0; k];
    let scale: f64 = columns.iter().map(|c| c.iter().map(|v| v * v).sum::<f64>().sqrt()).fold(0.0, f64::max);
    for j in 0..k {
        let norm = a[j][j..].iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm <= 1e-13 * scale.max(f64::MIN_POSITIVE) {
            return None;
        }
        let alpha = if a[j][j] > 0.0 { -norm } else { norm };
        // v = x - alpha e1, stored in a[j][j..]
        a[j][j] -= alpha;
        let vnorm2: f64 = a[j][j..].iter().map(|v| v * v).sum();
        r_diag[j] = alpha;
        if vnorm2 > 0.0 {
            let (head, tail) = a.split_at_mut(j + 1);
            let v = &head[j][j..];
            for col in tail.iter_mut() {
                let dot: f64 = v.iter().zip(&col[j..]).map(|(a, b)| a * b).sum();
                let f = 2.0 * dot / vnorm2;
                for (c, vi) in col[j..].iter_mut().zip(v) {
                    *c -= f * vi;
                }
            }
            let dot: f64 = v.iter().zip(&qty[j..]).map(|(a, b)| a * b).sum();
            let f = 2.0 * dot / vnorm2;
            for (c, vi) in qty[j..].iter_mut().zip(v) {
                *c -= f * vi;
            }
        }
    }
    // R: r[i][j] = a[j][i] for i < j, r[j][j] = r_diag[j].
    let r = |i: usize, j: usize| if i == j { r_diag[j] } else { a[j][i] };
    let mut coef = vec![0.0; k];
    for i in (0..k).rev() {
        let mut s = qty[i];
        for (j, c) in coef.iter().enumerate().skip(i + 1) {
            s -= r(i, j) * c;
        }
        coef[i] = s / r(i, i);
    }
    // (X'X)^-1 = R^-1 R^-T; its diagonal is the row norms of R^-1.
    let mut rinv = vec![vec![0.0; k]; k];
    for i in 0..k {
        rinv[i][i] = 1.0 / r(i, i);
        for j in (0..i).rev() {
            let mut s = 0.0;
            for (l, row) in rinv.iter().enumerate().take(i + 1).skip(j + 1) {
                s += r(j, l) * row[i];
            }
            rinv[j][i] = -s / r(j, j);
        }
    }
    let xtx_inv_diag = (0..k).map(|i| rinv[i].iter().map(|v| v * v).sum()).collect();
    let residuals: Vec<f64> =
        (0..n).map(|t| y[t] - columns.iter().zip(&coef).map(|(c, b)| c[t] * b).sum::<f64>()).collect();
    let ssr = residuals.iter().map(|e| e * e).sum();
    Some(LeastSquares { coef, residuals, ssr, xtx_inv_diag })
}

/// Solves `A x = b` in place by Gaussian elimination with partial pivoting; `a` is row-major
/// `n x n`. Returns `false` when `A` is singular.
pub(crate) fn solve_in_place(a: &mut [f64], b: &mut [f64], n: usize) -> bool {
    for col in 0..n {
        let mut pivot = col;
        let mut best = a[col * n + col].abs();
        for row in col + 1..n {
            let v = a[row * n + col].abs();
            if v > best {
                best = v;
                pivot = row;
            }
        }
        if best == 0.0 || !best.is_finite() {
            return false;
        }
        if pivot != col {
            for j in 0..n {
                a.swap(col * n + j, pivot * n + j);
            }
            b.swap(col, pivot);
        }
        let diag = a[col * n + col];
        for row in col + 1..n {
            let f = a[row * n + col] / diag;
            if f != 0.0 {
                for j in col..n {
                    a[row * n + j] -= f * a[col * n + j];
                }
                b[row] -= f * b[col];
            }
        }
    }
    for row in (0..n).rev() {
        let mut s = b[row];
        for j in row + 1..n {
            s -= a[row * n + j] * b[j];
        }
        b[row] = s / a[row * n + row];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_squares_recovers_an_exact_line() {
        let x: Vec<f64> = (0..10).map(|i| i as f64).collect();
        let y: Vec<f64> = x.iter().map(|x| 2.0 + 3.0 * x).collect();
        let fit = least_squares(&[vec![1.0; 10], x.clone()], &y).unwrap();
        assert!((fit.coef[0] - 2.0).abs() < 1e-12 && (fit.coef[1] - 3.0).abs() < 1e-12);
        assert!(fit.ssr < 1e-20);
        // (X'X)^-1 for [1, x]: x'x = 285, sum x = 45, n = 10; det = 2850 - 2025 = 825.
        assert!((fit.xtx_inv_diag[0] - 285.0 / 825.0).abs() < 1e-12);
        assert!((fit.xtx_inv_diag[1] - 10.0 / 825.0).abs() < 1e-12);
    }

    #[test]
    fn rank_deficient_design_is_refused() {
        let x = vec![1.0, 2.0, 3.0];
        assert!(least_squares(&[x.clone(), x], &[1.0, 2.0, 3.0]).is_none());
    }

    #[test]
    fn solve_handles_pivoting() {
        let mut a = vec![0.0, 1.0, 1.0, 1.0];
        let mut b = vec![2.0, 3.0];
        assert!(solve_in_place(&mut a, &mut b, 2));
        assert!((b[0] - 1.0).abs() < 1e-15 && (b[1] - 2.0).abs() < 1e-15);
    }
}
