"""Prepare data/co2_global_1800_2014.csv from Debian's r-cran-dslabs package.

Source: r-cran-dslabs 0.7.4-1 (Debian), file
/usr/lib/R/site-library/dslabs/extdata/carbon_emissions.csv (Artistic-2.0; the data come from
Boden, Marland and Andres, Carbon Dioxide Information Analysis Center). It holds global carbon
emissions from fossil fuels and cement production, in million metric tons of carbon, 1751-2014.

Usage (no network needed once the .deb is downloaded):
    apt-get download r-cran-dslabs
    dpkg-deb -x r-cran-dslabs_0.7.4-1_all.deb extracted
    python3 data/prepare/co2_global.py extracted/usr/lib/R/site-library/dslabs/extdata/carbon_emissions.csv

Keeps the years 1800-2014 (215 rows) and renames the columns to `year,emissions`.
"""
import csv
import pathlib
import sys

FIRST, LAST = 1800, 2014
OUT = pathlib.Path(__file__).resolve().parent.parent / "co2_global_1800_2014.csv"


def main(source: str) -> None:
    with open(source, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    assert header[0] == "Year" and "million metric tons of C" in header[1], header
    kept = [(int(year), int(value)) for year, value in body if FIRST <= int(year) <= LAST]
    years = [y for y, _ in kept]
    assert years == list(range(FIRST, LAST + 1)), "years must run without gaps"
    assert len(kept) == 215
    with open(OUT, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["year", "emissions"])
        out.writerows(kept)
    print(f"wrote {OUT} ({len(kept)} rows)")


if __name__ == "__main__":
    main(sys.argv[1])
