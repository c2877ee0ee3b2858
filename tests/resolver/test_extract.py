"""Status numbers in context, and numbers that are not status codes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.resolver.extract import _context_before, _stated_before, find_codes


def codes(text: str) -> list[int]:
    return [hit.code for hit in find_codes(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("503", [503]),
    ("HTTP/1.1 502 Bad Gateway", [502]),
    ("HTTP/2 404", [404]),
    ("status=504 path=/api/orders", [504]),
    ("AxiosError: Request failed with status code 401", [401]),
    ("404에러", [404]),
    ("502가 떠요", [502]),
    ("503이 뭐야", [503]),
    ("we see 502s and 504s", [502, 504]),
    ("'\"GET /health HTTP/1.1\" 502 157 \"-\" \"kube-probe/1.29\"'", [502]),
    ("10.0.0.200 - - [26/Nov/2026:10:32:01 +0000] \"POST /login HTTP/1.1\" 401 61", [401]),
    ("took 250 ms status 503 port 8080 pid 404", [503]),
    ("code: 429", [429]),
    ("status 000", [0]),
])
def test_finds_the_status(text: str, expected: list[int]) -> None:
    assert codes(text) == expected


@pytest.mark.parametrize("text", [
    "listening on :443", "took 200 ms", "size 500 KB", "v1.200.3", "192.168.100.200", "at 10:32:01",
    "pid 404", "Expect: 100-continue", "500,000 users", "3.500 seconds", "wait 300s",
])
def test_ignores_other_numbers(text: str) -> None:
    assert codes(text) == []


def test_order_of_appearance_and_once_each() -> None:
    assert codes("first 504 then 502 then 504 again") == [504, 502]


def test_strong_context_is_marked() -> None:
    (hit,) = find_codes("HTTP/1.1 503 Service Unavailable")
    assert hit.strong
    (bare,) = find_codes("what is 503")
    assert not bare.strong


# The context checks are written by hand for speed; these regexes say the same thing readably, and the
# hand-written versions must agree with them on any text built from the words that matter.
_STATED_SPEC = re.compile(
    r"(?<![a-z])(?:status(?:[ _-]?code)?|http[ _-]?(?:status|code)|response[ _-]?code|statuscode|code"
    r"|error|err|http|상태\s*코드|응답\s*코드|코드)[\s\"':=]*\(?$")
_CONTEXT_SPEC = re.compile(
    r"(?:\bport|\bpid|\bline|\bv|\bversion|\bid|\btook|\bafter|\bin|\bwait(?:ed)?|\btimeout|\bsize|\blength"
    r"|\bcontent-length|\bbytes|\bremaining|\blimit|\bcount|\btotal|\bissue|\bpr|\bticket|\broom|\b#|\bbuild"
    r"|\brelease|\bsprint|\bweek|\bstep|\bjob|포트|라인|빌드|버전|티켓|회의실|스프린트)[\s:=#]*$")
_PIECES = ["status", "code", "http", "error", "err", "response", "상태", "응답", "코드", "port", "pid", "v", "id",
           "in", "wait", "waited", "content-length", "length", "pr", "#", "issue", "포트", "리포트", " ", "  ", "_",
           "-", ":", "=", "(", "'", '"', "x", "1", "é", "서버"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=9))
def test_hand_written_context_checks_match_their_regexes(pieces: list[str]) -> None:
    before = "".join(pieces)
    text = before + "503"
    start = len(before)
    assert _stated_before(text, start) == bool(_STATED_SPEC.search(text, max(0, start - 24), start))
    assert _context_before(before) == bool(_CONTEXT_SPEC.search(before))


@pytest.mark.parametrize(("text", "codes"), [
    ("recv() failed (104: Connection reset by peer) while reading response header from upstream", []),
    ("connect() failed (111: Connection refused) while connecting to upstream", []),
    ("proxy_read_timeout 300;", []),
    ("client_max_body_size 100m", []),
    ("GET /app.js net::ERR_ABORTED 404 (Not Found)", [404]),  # an error name is not a setting
    ("fetch failed, status code 0", [0]),
    ("status=0", [0]),
    ("error code 0x80070005", []),
    ("rate-limiting config: second=200 hour=500", []),  # a word against "=" is a setting
    ("status=503 burst=200", [503]),  # unless the word says status
    ("Kong rate-limiting: minute: 100, hour: 500", []),  # a count or time against ":" is set
    ("Response status code does not indicate success: 415", [415]),  # another word against ":" states it
    ("Throttle(100) 걸어둠", []),  # a count given to a call
    ("clients above 300 req/min get throttled", []),  # a rate
    ("we allow 400 requests per minute", []),
])
def test_numbers_that_are_errno_settings_or_no_response(text: str, codes: list[int]) -> None:
    assert [hit.code for hit in find_codes(text)] == codes
