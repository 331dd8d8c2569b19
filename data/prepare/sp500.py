"""Prepares data/sp500_prices.csv: daily adjusted closing prices of 20 S&P 500 stocks, 1990-2022.

Source: the file `skfolio/datasets/data/sp500_dataset.csv.gz` inside the wheel of the PyPI
package skfolio 1.12.2 (BSD-3-Clause). The prices are copied unchanged (same dates, same
tickers, same three-decimal values); the script only decompresses them, turns the CRLF line
endings into LF, and checks that the table is complete: a header `Date,<20 tickers>`, ISO
dates strictly increasing, and every price present and positive.

Usage (needs network once, for pip; nothing else beyond the standard library):

    python data/prepare/sp500.py                # runs `pip download skfolio==1.12.2 --no-deps`
    python data/prepare/sp500.py path/to/skfolio-1.12.2-py3-none-any.whl
"""

import csv
import gzip
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

VERSION = "1.12.2"
MEMBER = "skfolio/datasets/data/sp500_dataset.csv.gz"
OUT = Path(__file__).resolve().parents[1] / "sp500_prices.csv"


def wheel_path(args):
    if args:
        return Path(args[0])
    tmp = Path(tempfile.mkdtemp())
    subprocess.run(
        [sys.executable, "-m", "pip", "download", f"skfolio=={VERSION}", "--no-deps", "-d", str(tmp)],
        check=True,
    )
    (wheel,) = tmp.glob("skfolio-*.whl")
    return wheel


def check(text):
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert header[0] == "Date" and len(header) == 21, header
    previous = ""
    for line, row in enumerate(body, start=2):
        assert len(row) == 21, f"line {line}: {len(row)} fields"
        date = row[0]
        assert len(date) == 10 and date[4] == "-" and date[7] == "-", f"line {line}: date {date!r}"
        assert date > previous, f"line {line}: dates not increasing ({previous} then {date})"
        previous = date
        for ticker, value in zip(header[1:], row[1:]):
            assert value and float(value) > 0, f"line {line}: price of {ticker} is {value!r}"
    return header[1:], body


def main():
    wheel = wheel_path(sys.argv[1:])
    assert f"skfolio-{VERSION}-" in wheel.name, f"expected skfolio {VERSION}, got {wheel.name}"
    with zipfile.ZipFile(wheel) as archive:
        text = gzip.decompress(archive.read(MEMBER)).decode("utf-8")
    text = text.replace("\r\n", "\n")
    tickers, body = check(text)
    OUT.write_text(text)
    digest = hashlib.sha256(text.encode()).hexdigest()
    print(f"wrote {OUT}: {len(body)} days ({body[0][0]} to {body[-1][0]}), {len(tickers)} tickers")
    print(f"tickers: {' '.join(tickers)}")
    print(f"sha256: {digest}")


if __name__ == "__main__":
    main()
