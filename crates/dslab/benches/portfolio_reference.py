"""PyPortfolioOpt side of examples/bench_portfolio.rs.

Reads a JSON request on stdin:
    {"prices": path, "tickers": [...], "start": "YYYY-MM-DD", "end": "YYYY-MM-DD",
     "risk_free_rate": r, "targets": [...], "repeats": k}
computes PyPortfolioOpt's default inputs (compounded mean, sample covariance) from the prices,
then times, best of `repeats`: min_volatility, max_sharpe(risk_free_rate) and efficient_return at
every target. The frontier reuses one EfficientFrontier, PyPortfolioOpt's fastest way (cvxpy
keeps the compiled problem and only updates the target parameter).

Two configurations: PyPortfolioOpt's defaults (cvxpy picks OSQP for these problems, tolerance
1e-5 with polishing) and Clarabel with tolerances of 1e-10 (slower, and accurate to about 1e-8
in the weights). Writes JSON on stdout: for each configuration its time and every portfolio's
weights, in the order of the tickers.

Needs the packages in crates/dslab/tests/fixtures/portfolio/requirements.txt.
"""

import json
import sys
import time
import warnings

import pandas as pd
from pypfopt import EfficientFrontier, expected_returns, risk_models


TIGHT = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10}
CONFIGS = [
    ("defaults (OSQP)", {}),
    ("Clarabel at 1e-10", {"solver": "CLARABEL", "solver_options": TIGHT}),
]


def run(mu, cov, rf, targets, config):
    out = {}
    ef = EfficientFrontier(mu, cov, **config)
    ef.min_volatility()
    out["min_volatility"] = list(ef.weights)
    ef = EfficientFrontier(mu, cov, **config)
    ef.max_sharpe(risk_free_rate=rf)
    out["max_sharpe"] = list(ef.weights)
    ef = EfficientFrontier(mu, cov, **config)
    frontier = []
    for target in targets:
        ef.efficient_return(float(target))
        frontier.append(list(ef.weights))
    out["frontier"] = frontier
    return out


def main():
    request = json.load(sys.stdin)
    prices = pd.read_csv(request["prices"], index_col="Date")
    prices = prices.loc[request["start"] : request["end"], request["tickers"]]
    mu = expected_returns.mean_historical_return(prices)
    cov = risk_models.sample_cov(prices)
    results = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, config in CONFIGS:
            best = float("inf")
            for _ in range(request["repeats"]):
                start = time.perf_counter()
                result = run(mu, cov, request["risk_free_rate"], request["targets"], config)
                best = min(best, time.perf_counter() - start)
            result = {
                "min_volatility": [float(x) for x in result["min_volatility"]],
                "max_sharpe": [float(x) for x in result["max_sharpe"]],
                "frontier": [[float(x) for x in w] for w in result["frontier"]],
            }
            results.append({"name": name, "seconds": best, **result})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
