"""The knowledge itself: complete against the IANA registry and http.HTTPStatus, consistent, bilingual."""

from __future__ import annotations

import http
import re

import pytest

from bot.registry import Registry, code_class, has_hangul, normalize_alias

# IANA HTTP Status Code Registry, every assigned value (checked 2026-11).
IANA_CODES = {
    100, 101, 102, 103, 104, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306,
    307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421,
    422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
}
# Python's names that IANA has since renamed (RFC 9110) or reserved.
RENAMED = {
    413: {"Request Entity Too Large", "Payload Too Large"},
    414: {"Request-URI Too Long", "Request URI Too Long"},
    416: {"Requested Range Not Satisfiable"},
    422: {"Unprocessable Entity"},
    418: {"I'm a Teapot", "I'm a teapot"},
}


def test_every_iana_code_is_there(registry: Registry) -> None:
    missing = IANA_CODES - set(registry.codes)
    assert not missing


def test_every_httpstatus_member_is_covered(registry: Registry) -> None:
    for status in http.HTTPStatus:
        entry = registry.get(status.value)
        assert entry is not None, status
        names = {entry.phrase, *entry.former_phrases}
        expected = status.phrase
        assert expected in names or expected in RENAMED.get(status.value, set()), (status.value, expected, names)


@pytest.mark.parametrize(("code", "phrase"), [
    (413, "Content Too Large"), (414, "URI Too Long"), (416, "Range Not Satisfiable"),
    (422, "Unprocessable Content"), (306, "(Unused)"), (418, "(Unused)"), (308, "Permanent Redirect"),
    (103, "Early Hints"), (421, "Misdirected Request"), (425, "Too Early"),
])
def test_todays_names(registry: Registry, code: int, phrase: str) -> None:
    assert registry.codes[code].phrase == phrase


@pytest.mark.parametrize(("code", "former"), [
    (413, "Payload Too Large"), (413, "Request Entity Too Large"), (414, "Request-URI Too Long"),
    (416, "Requested Range Not Satisfiable"), (422, "Unprocessable Entity"),
])
def test_old_names_kept(registry: Registry, code: int, former: str) -> None:
    assert former in registry.codes[code].former_phrases


def test_statuses(registry: Registry) -> None:
    assert registry.codes[306].status == "reserved"
    assert registry.codes[418].status == "reserved"
    assert registry.codes[510].status == "obsolete"
    assert registry.codes[104].status == "temporary"
    assert registry.codes[305].status == "obsolete"


def test_teapot_history(registry: Registry) -> None:
    detail = registry.codes[418].detail.en
    assert "teapot" in detail.lower() and "RFC 2324" in detail and "7168" in detail


VENDOR_CODES = {444, 494, 495, 496, 497, 499, 520, 521, 522, 523, 524, 525, 526, 527, 530, 460, 463, 464, 561, 440,
                449, 419, 420, 509, 598, 599, 0, 498, 529}


def test_vendor_codes(registry: Registry) -> None:
    for code in VENDOR_CODES:
        entry = registry.codes[code]
        assert entry.status == "vendor" and entry.vendor, code
    assert sum(1 for e in registry if e.status == "vendor") >= 25


def test_several_meanings(registry: Registry) -> None:
    for code in (420, 451, 499):
        assert registry.codes[code].other_meanings, code


def test_no_placeholder_left(registry: Registry) -> None:
    for entry in registry:
        for text in (entry.phrase, entry.summary.en, entry.detail.en, entry.retry.en, entry.spec.title):
            assert "TODO" not in text, entry.code
        assert "example.invalid" not in entry.spec.url, entry.code
    for name, header in registry.headers.items():
        assert "TODO" not in header.summary.en, name
    for name, cls in registry.classes.items():
        assert "TODO" not in cls.summary.en + cls.detail.en, name


def test_triage_for_errors(registry: Registry) -> None:
    for entry in registry:
        if entry.code >= 400 or entry.code in (0, 301, 302, 304, 307, 308):
            assert entry.checks.en and entry.checks.ko, entry.code
            assert entry.causes.en and entry.causes.ko, entry.code


def test_cacheable_matches_rfc9110(registry: Registry) -> None:
    # RFC 9110 §15.1's list, and 451, which RFC 7725 §3 makes cacheable by default
    heuristic = {200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 451, 501}
    for entry in registry:
        assert entry.cacheable == (entry.code in heuristic), entry.code


@pytest.mark.parametrize(("code", "header"), [
    (503, "Retry-After"), (429, "Retry-After"), (401, "WWW-Authenticate"), (405, "Allow"), (201, "Location"),
    (301, "Location"), (304, "ETag"), (206, "Content-Range"), (416, "Content-Range"), (412, "If-Match"),
    (407, "Proxy-Authenticate"), (426, "Upgrade"), (101, "Upgrade"), (100, "Expect"), (417, "Expect"),
    (103, "Link"), (415, "Content-Type"), (406, "Accept"),
])
def test_key_headers(registry: Registry, code: int, header: str) -> None:
    assert header in {h.name for h in registry.codes[code].headers}


@pytest.mark.parametrize(("a", "b"), [
    (401, 403), (404, 410), (400, 422), (502, 504), (503, 504), (301, 308), (302, 307), (499, 504), (413, 431),
])
def test_key_contrasts(registry: Registry, a: int, b: int) -> None:
    assert b in {r.code for r in registry.codes[a].related} or a in {r.code for r in registry.codes[b].related}


def test_every_korean_field_has_hangul(registry: Registry) -> None:
    for entry in registry:
        assert has_hangul(entry.name_ko)
        assert has_hangul(entry.summary.ko) and has_hangul(entry.detail.ko) and has_hangul(entry.retry.ko)
        for item in (*entry.causes.ko, *entry.checks.ko, *entry.aliases.ko):
            assert has_hangul(item), (entry.code, item)


def test_aliases_are_not_bare_numbers(registry: Registry) -> None:
    for entry in registry:
        for alias in (*entry.aliases.en, *entry.aliases.ko):
            assert not re.fullmatch(r"\s*\d+\s*", alias), (entry.code, alias)


def test_no_alias_claimed_twice(registry: Registry) -> None:
    owners: dict[str, int] = {}
    for entry in registry:
        for alias in (*entry.aliases.en, *entry.aliases.ko):
            key = normalize_alias(alias)
            assert owners.setdefault(key, entry.code) == entry.code, alias


def test_classes(registry: Registry) -> None:
    assert set(registry.classes) >= {"1xx", "2xx", "3xx", "4xx", "5xx"}
    assert all(code_class(e.code) in registry.classes for e in registry if e.code)


def test_length_budget(registry: Registry) -> None:
    for entry in registry:
        assert len(entry.detail.en) <= 1000 and len(entry.detail.ko) <= 1000, entry.code
        assert len(entry.summary.en) <= 300, entry.code


def test_no_alias_is_written_twice_for_one_code(registry: Registry) -> None:
    for entry in registry:
        for aliases in (entry.aliases.en, entry.aliases.ko):
            folded = [a.casefold() for a in aliases]
            assert len(folded) == len(set(folded)), (entry.code, [a for a in folded if folded.count(a) > 1])
