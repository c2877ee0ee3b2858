"""`statusbot scan` beside the pipeline people use today, on the same generated combined log, in one run.

    .venv/bin/python bench/scan_bench.py [--size-mb 1024] [--keep FILE]

Writes a combined-format log of about --size-mb (nginx's default format, a realistic mix of codes, paths, clients
and user agents, a few lines with quoted user agents and one malformed line per 10,000), then times
`awk '{print $9}' FILE | sort | uniq -c` and `statusbot scan --format json FILE`, and prints lines/s for each, the
ratio and whether the two agree on the counts (awk's $9 is the status only while no field before it holds a
space: it miscounts a request line with a space in it, and every other format). Pinned to one core; prints
figures, asserts nothing. The machine is shared: read the ratio, not the seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODES = [200] * 70 + [304] * 8 + [301, 302] * 2 + [404] * 6 + [401, 403, 429, 400] + [499, 500, 502, 503, 504]
PATHS = ["/", "/api/orders", "/api/pay", "/api/users/42", "/static/app.js", "/healthz", "/login", "/search?q=x"]
AGENTS = ["curl/8.5.0", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0",
          "okhttp/4.12", "kube-probe/1.30", 'Go-http-client/1.1 \\"quoted\\"']


def block(rng: random.Random, lines: int) -> tuple[str, Counter[int]]:
    out: list[str] = []
    counts: Counter[int] = Counter()
    for i in range(lines):
        if i % 10_000 == 9_999:
            out.append("malformed line without any status\n")
            continue
        if i % 1_000 == 500:  # an unencoded space in the request line: nginx logs it as it came, with its 400
            counts[400] += 1
            out.append('10.0.0.1 - - [03/Dec/2026:09:00:00 +0000] "GET /a b HTTP/1.1" 400 150 "-" "curl/8.5.0"\n')
            continue
        code = rng.choice(CODES)
        counts[code] += 1
        out.append(f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)} - - "
                   f"[03/Dec/2026:09:{rng.randrange(60):02d}:{rng.randrange(60):02d} +0000] "
                   f'"{rng.choice(("GET", "POST"))} {rng.choice(PATHS)} HTTP/1.1" {code} {rng.randrange(99999)} '
                   f'"-" "{rng.choice(AGENTS)}"\n')
    return "".join(out), counts


def timed(command: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    done = subprocess.run(["bash", "-c", command], capture_output=True, check=True)
    return time.perf_counter() - start, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--keep", metavar="FILE", help="write the log here and keep it")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    rng = random.Random(7)
    text, counts = block(rng, 20_000)
    repeats = max(1, args.size_mb * 1024 * 1024 // len(text.encode()))
    path = Path(args.keep) if args.keep else Path(tempfile.mkstemp(suffix=".log")[1])
    with path.open("w", encoding="utf-8") as out:
        for _ in range(repeats):
            out.write(text)
    lines = 20_000 * repeats
    expected = {code: n * repeats for code, n in counts.items()}
    size = path.stat().st_size / 1024 / 1024
    print(f"log: {lines:,} lines, {size:,.0f} MB ({path})")
    try:
        awk_time, awk_out = timed(f"awk '{{print $9}}' {path} | sort | uniq -c")
        rows = [row.split() for row in awk_out.decode().splitlines()]
        awk_counts = {int(row[1]): int(row[0]) for row in rows if len(row) == 2 and row[1].isdigit()}
        scan = f"{sys.executable} -m bot scan --format json {path}"
        scan_time, scan_out = timed(f"cd {ROOT} && {scan}")
        data = json.loads(scan_out)
        scan_counts = {int(code): n for code, n in data["codes"].items()}
        print(f"awk | sort | uniq -c: {awk_time:6.1f} s  {lines / awk_time:12,.0f} lines/s  "
              f"counts right: {awk_counts == expected}")
        print(f"statusbot scan:       {scan_time:6.1f} s  {lines / scan_time:12,.0f} lines/s  "
              f"counts right: {scan_counts == expected}  (unparsed {data['unparsed']:,})")
        print(f"ratio (statusbot / awk pipeline, lines/s): {awk_time / scan_time:.2f}  (goal >= 0.5)")
    finally:
        if not args.keep:
            path.unlink()


if __name__ == "__main__":
    main()
