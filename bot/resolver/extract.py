"""Find the status numbers in a piece of text: a bare "503", a status line, an access-log line, `status=504`.

Numbers that are not status codes (ports, times, PIDs, versions, IPs, byte counts, durations) are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Where the number is said to be a status: these make a hit "strong".
# All patterns run on lower-cased text (case-insensitive matching is slow on long pastes).
_STATUS_LINE = re.compile(r"\bhttp/\d(?:\.\d)?\s+(\d{3})\b")
# Combined/common log format: "GET /path HTTP/1.1" 502 157  -> the field right after the quoted request.
_ACCESS_LOG = re.compile(r"\"[a-z]+ [^\"]{0,2048}? http/[\d.]+\"\s+(\d{3}|0)\b")  # (Envoy logs 0: no response)
# A number said to be a status: checked on the few characters before each three-digit number, which is far
# cheaper than scanning a long paste for every keyword. Runs of three or more digits are found in one scan
# (a pattern with look-arounds is several times slower); only runs of exactly three are status numbers.
_DIGIT_RUN = re.compile(r"\d\d\d+")
# "status 503", "status_code=503", "HTTP code: 503", "error(503", "상태 코드 503". Checked by hand on the text
# just before each number (see _stated_before): "code" also covers "status code" and "status_code", "status"
# covers "http status"; the run-together forms need their own entry.
_STATED_KEYS = ("statuscode", "responsecode", "httpstatus", "httpcode", "status", "code", "error", "err", "http",
                "코드")
_STATED_SEPARATORS = " \t\n\r\f\v\"':="
# A bare number: three digits standing alone. Context is checked in code (see _looks_like_other_number).
# Hangul may touch the number ("갑자기503뱉음"); Latin letters may not ("v503", "a404b"), nor these:
_NOT_BEFORE_BARE = frozenset("0123456789abcdefghijklmnopqrstuvwxyz_.,:/#$@%+-")
_UNIT_AFTER = re.compile(
    r"\s?(?:ms|msec|millis|s\b|sec|secs|seconds?|mins?|minutes?|h\b|hrs?|hours?|days?|kb|kib|mb|mib|gb|gib|"
    r"bytes?|b\b|[kmg]\b|px|%|x\b|th\b|nd\b|rd\b|st\b|원|초|분|시간|개|명|건|번째|일\b|년|월|ms\b|rps|qps|rpm|req/s|"
    r"reqs?\s?/\s?(?:min|m\b|sec|h\b|hour)|reqs?\b|/\s?(?:min|sec|s\b|h\b)|per\s(?:second|minute|hour|sec|min)|"
    r"requests|users|items|rows|lines|times|번\s?(?:시도|반복)|만|천|억|대\b|명|호|층|동\b|번지|회|개월|주\b)",
)
# A word just before the number that says it is something else ("port 8080", "took 503 ms", "issue #503").
_CONTEXT_WORDS = frozenset({
    "port", "pid", "line", "v", "version", "id", "took", "after", "in", "wait", "waited", "timeout", "size",
    "length", "bytes", "remaining", "limit", "count", "total", "issue", "pr", "ticket", "room", "build", "release",
    "sprint", "week", "step", "job",
})
_CONTEXT_KO = ("포트", "라인", "빌드", "버전", "티켓", "회의실", "스프린트")
# errno in a system call's message: "recv() failed (104: Connection reset by peer)", "(111: Connection refused)"
_ERRNO_AFTER = re.compile(r": [a-z]")
_ERRNO_BEFORE = ("connect error: ", "errno: ", "errno=", "errno ", "os error ")
# "status code 0", "status=0": what browsers and proxies log for a request that got no response (000).
_STATUS_ZERO = re.compile(r"(?:status|code|코드)(?:\s?[:=]\s?|\s)0(?![0-9a-z.])")


def _stated_before(text: str, start: int) -> bool:
    """True when a status key ends within the 24 characters before `start`, followed only by separators and
    maybe an opening parenthesis, and no Latin letter runs into the key from the left."""
    window = max(0, start - 24)
    head = text[window:start]
    if head.endswith("("):
        head = head[:-1]
    head = head.rstrip(_STATED_SEPARATORS)
    end = window + len(head)
    return any(head.endswith(key) and (end - len(key) == 0 or not "a" <= text[end - len(key) - 1] <= "z")
               for key in _STATED_KEYS)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _context_before(before: str) -> bool:
    """True when `before` ends with a context word and then only spaces, ':', '=' or '#'.

    Done by hand: an end-anchored regex is tried at every position of the text."""
    head = before.rstrip(" :=#")
    if not head:
        return False
    if before[len(head):].startswith("#") and _is_word_char(head[-1]):
        return True  # "pr#503", "issue#503"
    if head.endswith(_CONTEXT_KO):
        return True
    start = len(head)
    while start > 0 and _is_word_char(head[start - 1]):
        start -= 1
    return head[start:] in _CONTEXT_WORDS


@dataclass(frozen=True)
class CodeHit:
    code: int
    start: int
    strong: bool  # stated as a status (status line, access log, status=…), not just a number


def _is_errno(text: str, start: int, end: int) -> bool:
    if start > 0 and text[start - 1] == "(" and bool(_ERRNO_AFTER.match(text, end)):
        return True
    # Envoy's "delayed connect error: 111", "errno=104": a socket error number, whatever key precedes it
    return text[max(0, start - 16):start].endswith(_ERRNO_BEFORE)


# nginx's error log numbers each connection: "2026/12/03 10:00:00 [error] 7#7: *412 client intended to send …"
_NGINX_CONNECTION = re.compile(r"\d#\d+: \*$")


_COUNT_KEYS = frozenset({"second", "minute", "hour", "day", "month", "year", "seconds", "minutes", "hours", "limit",
                         "burst", "rate", "max", "min", "size", "timeout", "retries", "replicas", "port", "workers",
                         "threads", "concurrency", "capacity", "interval", "ttl", "count", "requests"})


def _is_setting(before: str) -> bool:
    """'proxy_read_timeout 300', 'client_max_body_size=100': the value of a snake_case setting, not a status
    (a status key such as status_code is checked before this)."""
    head = before.rstrip(" :=")
    start = len(head)
    while start > 0 and _is_word_char(head[start - 1]):
        start -= 1
    word = head[start:]
    # (an error name such as net::ERR_ABORTED before "404" is not a setting)
    if any(key in word for key in _STATED_KEYS):
        return False
    # "minute=100", "burst=200": a word written straight against "=" and a number is a setting too; against ":"
    # only a word that counts or times something (Kong's "minute: 100"): "success: 415" and "content-type: 400" are
    # statuses
    return "_" in word.strip("_") or (before.endswith("=") and word.isalpha() and len(word) >= 4) \
        or (before.rstrip().endswith(":") and word.casefold() in _COUNT_KEYS)


# A call that takes a count, a limit or a duration, not a status: chi's middleware.Throttle(100), sleep(500),
# RateLimit(200), setTimeout(fn, 500)
_COUNT_CALL = re.compile(r"(?i:throttle|limit|limiter|sleep|timeout|delay|wait|retry|retries|backoff|burst|rate"
                         r"|size|max|min|pool|workers|threads|concurrency|capacity|interval|ttl|port)\w*\((?:[^()]*,\s*)?$")


def _looks_like_other_number(text: str, start: int, end: int) -> bool:
    """True for a three-digit number that is plainly a duration, size, port, id, errno, setting and so on."""
    if _is_errno(text, start, end):
        return True
    after = text[end:end + 12]
    if after[:1] == "s" and text[start] in "45" and not after[1:2].isalpha():
        return False  # "502s": errors are counted in plurals; 400-599 seconds are rarely written so
    if after[:1] == "-" and after[1:2].isalpha():
        return True  # part of a token such as 100-continue
    if after.startswith((".", ",")) and after[1:2].isdigit():
        return True  # 1.500, 200,000
    if after.startswith(":") and after[1:2].isdigit():
        return True  # a time 10:32 or host:port pairs
    if _UNIT_AFTER.match(after):
        return True
    before = text[max(0, start - 24):start]
    if before.endswith(":") and before[-2:-1].isalnum():
        return True  # host:443
    if before.endswith("*") and _NGINX_CONNECTION.search(before):
        return True  # nginx's connection number *412
    if before.endswith(("(", ", ", ",")) and _COUNT_CALL.search(before) and text[end:end + 1] in ")," :
        return True
    return _context_before(before) or _is_setting(before)


def find_codes(text: str) -> list[CodeHit]:
    """Status numbers in order of appearance, each once. 000 is kept (nginx/ELB 'no response')."""
    # str.lower can change the length of a few characters (İ); positions only order the hits, so a shift
    # there is harmless, and the digits themselves are never changed.
    text = text.lower()
    hits: dict[int, CodeHit] = {}

    def add(code: int, start: int, strong: bool) -> None:
        old = hits.get(code)
        if old is None or (strong and not old.strong):
            hits[code] = CodeHit(code, min(start, old.start) if old else start, strong)

    strong_spans: list[tuple[int, int]] = []
    access: list[re.Match[str]] = []
    if "http/" in text:
        access = list(_ACCESS_LOG.finditer(text))
        for match in access:
            add(int(match.group(1)), match.start(1), True)
            strong_spans.append(match.span())
        for match in _STATUS_LINE.finditer(text):
            if not any(s <= match.start(1) < e for s, e in strong_spans):
                add(int(match.group(1)), match.start(1), True)
    runs = [match.span() for match in _DIGIT_RUN.finditer(text) if match.end() - match.start() == 3]
    runs = [(start, end) for start, end in runs if not any(s <= start < e for s, e in strong_spans)]
    for start, end in runs:
        if _stated_before(text, start) and not _is_errno(text, start, end):
            add(int(text[start:end]), start, True)
    if "0" in text and (zero := _STATUS_ZERO.search(text)):
        add(0, zero.end() - 1, True)
    if access:
        # In an access-log line the remaining numbers are byte counts, ports and times.
        return sorted(hits.values(), key=lambda h: h.start)
    for start, end in runs:
        if start > 0 and text[start - 1] in _NOT_BEFORE_BARE:
            continue
        code = int(text[start:end])
        if code in hits or _looks_like_other_number(text, start, end):
            continue
        add(code, start, False)
    return sorted(hits.values(), key=lambda h: h.start)
