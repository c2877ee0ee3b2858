"""Status numbers in context, and numbers that are not status codes."""

from __future__ import annotations

import pytest

from bot.resolver.extract import find_codes


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
