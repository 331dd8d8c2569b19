"""Reference for bench_geo: the article's brute force, vectorised with numpy.

Usage: geo_reference.py CANDIDATES.csv CRIMES.csv
  CANDIDATES.csv: x,y in metres (the search's flat map)
  CRIMES.csv:     x,y,radius in metres (the crimes candidates are tested against)
Prints `seconds=S survivors=N`: the time to test every candidate against every crime (a
candidate survives when no crime is within its radius) and how many survive.
"""

import sys
import time

import numpy as np


def main():
    cand = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, ndmin=2)
    crimes = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1, ndmin=2)
    start = time.perf_counter()
    blocked = np.zeros(len(cand), dtype=bool)
    cx, cy, r2 = crimes[:, 0], crimes[:, 1], crimes[:, 2] ** 2
    chunk = max(1, 4_000_000 // max(1, len(crimes)))
    for lo in range(0, len(cand), chunk):
        x = cand[lo : lo + chunk, 0:1]
        y = cand[lo : lo + chunk, 1:2]
        d2 = (x - cx) ** 2 + (y - cy) ** 2
        blocked[lo : lo + chunk] = (d2 <= r2).any(axis=1)
    seconds = time.perf_counter() - start
    print(f"seconds={seconds:.6f} survivors={int((~blocked).sum())}")


if __name__ == "__main__":
    main()
