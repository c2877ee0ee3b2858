"""bot/scan.py: every format read from lines written from its documented field list, counted exactly."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.scan import COUNTER_KEYS, BoundedCounter, Summary, open_log, scan_lines, scan_text
from tests.conftest import ROOT

LOGS = ROOT / "tests" / "fixtures" / "logs"


def scan(*names: str) -> dict[str, Any]:
    summary = Summary()
    for name in names:
        with open_log(str(LOGS / name)) as lines:
            scan_lines(lines, summary, name)
    return summary.to_data()


def test_combined() -> None:
    data = scan("combined.log")
    assert data["files"][0]["format"] == "nginx/Apache combined"
    assert (data["lines"], data["unparsed"]) == (6, 0)
    assert data["codes"] == {"200": 2, "502": 2, "404": 1, "504": 1}
    assert data["classes"] == {"2xx": 2, "4xx": 1, "5xx": 3}
    assert data["error_rate"] == {"4xx": round(1 / 6, 4), "5xx": 0.5}
    assert data["errors"]["502"]["paths"] == [["/api/pay", 2]]
    assert data["errors"]["502"]["clients"] == [["203.0.113.7", 1], ["198.51.100.4", 1]]
    assert data["minutes"] == [{"minute": "2026-12-03 09:14", "4xx": 0, "5xx": 2},
                               {"minute": "2026-12-03 09:15", "4xx": 1, "5xx": 1}]
    assert (data["first"], data["last"]) == ("2026-12-03 09:14", "2026-12-03 09:15")


def test_common_log_format() -> None:
    data = scan("common.log")
    assert data["codes"] == {"200": 1, "403": 1, "304": 1} and data["unparsed"] == 0


def test_nginx_upstream_status_lists_are_counted_beside_what_the_client_got() -> None:
    data = scan("nginx_upstream.log")
    assert data["codes"] == {"200": 3, "502": 1}
    # '502, 502' (two upstreams tried), '504, 200' (a retry that worked), '-' (served by nginx itself)
    assert data["upstream_codes"] == {"200": 2, "502": 2, "504": 1}
    assert data["upstream_is"] == ["$upstream_status"]


def test_ingress_nginx() -> None:
    data = scan("ingress.log")
    assert data["codes"] == {"200": 1, "503": 1, "504": 1}
    assert data["upstream_codes"] == {"503": 2, "200": 1, "504": 1}
    assert data["errors"]["503"]["upstreams"] == [["shop-payments-80", 1]]


def test_alb_counts_the_elb_and_the_target_status() -> None:
    data = scan("alb.log")
    assert data["files"][0]["format"] == "AWS ALB"
    assert data["codes"] == {"200": 1, "502": 1, "500": 1, "503": 1}
    assert data["upstream_codes"] == {"200": 1, "500": 1}  # '-': the target never answered
    assert data["upstream_is"] == ["target_status_code"]
    assert data["errors"]["502"] == {"paths": [["/api/pay", 1]], "upstreams": [["shop-payments", 1]],
                                     "clients": [["192.168.131.39", 1]]}
    assert [m["minute"] for m in data["minutes"]] == ["2026-12-03 12:00", "2026-12-03 12:01"]


def test_cloudfront_by_its_fields_line() -> None:
    data = scan("cloudfront.log")
    assert data["files"][0]["format"] == "CloudFront"
    assert (data["lines"], data["unparsed"]) == (3, 0)  # the two # lines are no log lines
    assert data["codes"] == {"504": 2, "200": 1}
    assert data["errors"]["504"]["upstreams"] == [["OriginReadTimeout", 2]]
    assert data["errors"]["504"]["paths"] == [["/api/report", 2]]


def test_haproxy() -> None:
    data = scan("haproxy.log")
    assert data["files"][0]["format"] == "HAProxy"
    assert data["codes"] == {"200": 1, "503": 1, "504": 1, "0": 1}  # -1: aborted before any response
    assert data["errors"]["503"]["upstreams"] == [["api/<NOSRV>", 1]]
    assert data["errors"]["504"]["paths"] == [["/api/pay", 1]]


def test_json_lines_with_several_shapes() -> None:
    data = scan("json.log")
    assert data["files"][0]["format"] == "JSON lines"
    assert (data["lines"], data["unparsed"]) == (5, 1)  # a log line with no status is not an access log line
    assert data["codes"] == {"200": 1, "404": 1, "502": 1, "503": 1}
    assert data["upstream_codes"] == {"200": 1, "503": 1}
    assert data["errors"]["404"]["paths"] == [["/v1/users/7", 1]]
    assert data["errors"]["502"]["paths"] == [["/v1/pay", 1]]
    assert data["errors"]["502"]["clients"] == [["10.0.0.6", 1]]
    assert [m["minute"] for m in data["minutes"]] == ["2026-12-03 15:00", "2026-12-03 15:01"]


def test_malformed_lines_are_counted_never_fatal() -> None:
    data = scan("malformed.log")
    assert (data["lines"], data["unparsed"]) == (6, 4)
    assert data["codes"] == {"200": 1, "500": 1}


def test_several_files_of_several_formats_and_gzip(tmp_path: Path) -> None:
    packed = tmp_path / "access.log.1"  # gzip known by its bytes, not its name
    packed.write_bytes(gzip.compress((LOGS / "combined.log").read_bytes()))
    summary = Summary()
    for path in (str(packed), str(LOGS / "alb.log")):
        with open_log(path) as lines:
            scan_lines(lines, summary, path)
    data = summary.to_data()
    assert [f["format"] for f in data["files"]] == ["nginx/Apache combined", "AWS ALB"]
    assert data["lines"] == 10 and data["codes"]["502"] == 3


def test_a_pasted_block() -> None:
    text = (LOGS / "combined.log").read_text() + "\n\n"
    assert scan_text(text).to_data()["codes"] == {"200": 2, "502": 2, "404": 1, "504": 1}


def test_counters_stay_bounded() -> None:
    counter = BoundedCounter()
    for i in range(COUNTER_KEYS * 3):
        counter.add(f"/item/{i}")
        counter.add("/hot")
    assert len(counter) <= COUNTER_KEYS
    assert counter.most_common(1)[0][0] == "/hot"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "bot", "scan", *args], input=stdin, capture_output=True,
                          timeout=60, cwd=ROOT)


def test_cli_json_and_text_and_stdin() -> None:
    result = run("--format", "json", str(LOGS / "alb.log"), str(LOGS / "haproxy.log"))
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["lines"] == 8 and data["codes"]["503"] == 2
    text = run(str(LOGS / "combined.log")).stdout.decode()
    assert "502" in text and "Bad Gateway" in text and "/api/pay (2)" in text
    korean = run("--lang", "ko", "-", stdin=(LOGS / "combined.log").read_bytes()).stdout.decode()
    assert "잘못된 게이트웨이" in korean and "클라이언트가 받은 코드" in korean


@pytest.mark.parametrize("content", [b"", b"\x1f\x8b\x08garbage", b"\x00\xff" * 1000])
def test_bad_input_is_a_line_not_a_traceback(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(content)
    result = run(str(path), str(tmp_path / "missing.log"))
    assert b"Traceback" not in result.stderr
    assert result.returncode == 1 and b"cannot read" in result.stderr and b"missing.log" in result.stderr
