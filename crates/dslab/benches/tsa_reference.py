"""statsmodels side of examples/bench_tsa.rs: fits ARIMA(p, 1, q), p and q in 0..=4, to the first
200 values of data/co2_global_1800_2014.csv with ARIMA(...).fit() defaults, and prints one JSON
line: total seconds, and per order the log-likelihood, AIC and whether the optimiser converged.
"""
import csv
import json
import pathlib
import sys
import time
import warnings

import numpy as np
from statsmodels.tsa.arima.model import ARIMA

ROOT = pathlib.Path(__file__).resolve().parents[3]
TRAIN = 200


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    with open(ROOT / "data" / "co2_global_1800_2014.csv") as f:
        y = np.array([float(r["emissions"]) for r in csv.DictReader(f)])[:TRAIN]
    results = []
    best_time = float("inf")
    for _ in range(repeats):
        results = []
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for p in range(5):
                for q in range(5):
                    res = ARIMA(y, order=(p, 1, q)).fit()
                    results.append({"order": [p, 1, q], "loglik": float(res.llf), "aic": float(res.aic),
                                    "converged": bool(res.mle_retvals["converged"])})
        best_time = min(best_time, time.perf_counter() - start)
    print(json.dumps({"seconds": best_time, "fits": results}))


if __name__ == "__main__":
    main()
