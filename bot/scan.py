"""Read whole access logs: counts by code and class, error rates, the busiest paths, upstreams and clients per
error code, and 4xx/5xx per minute (`statusbot scan`, and the Discord context menu on a pasted log).

One pass, constant memory: each file is read line by line (gzip transparently), its format is recognised from its
first lines, and every count lives in a bounded counter (see BoundedCounter). Formats, each from its documented
field list:

- nginx/Apache combined and common (`$remote_addr - $remote_user [$time_local] "$request" $status …`), with
  nginx's `$upstream_status` where the line carries it (`upstream_status=502, 504` or ingress-nginx's default
  format, whose second-to-last field it is);
- AWS ALB access logs (elb_status_code and target_status_code, both counted for what they are);
- CloudFront standard logs (tab-separated, read by their `#Fields:` line when present);
- HAProxy's HTTP log (`haproxy[pid]: client [date] frontend backend/server timers status …`);
- JSON lines with a status field (status, status_code, statusCode, http.status_code, httpRequest.status, …).

A line that fits none of them is counted as unparsed, never fatal.
"""

from __future__ import annotations

import gzip
import io
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, NamedTuple

import orjson

# How many distinct keys a counter keeps (paths, clients, upstreams per code; minutes). Past this it drops its
# rarest half: a key rare enough to be dropped was never going to be in a top-three list, and memory stays
# bounded whatever the file (a scan of a log with millions of distinct URLs stays at a few MB).
COUNTER_KEYS = 4096
TOP = 3  # the busiest paths, upstreams and clients shown per error code
SNIFF_LINES = 20  # lines read to recognise a file's format


class BoundedCounter(Counter[str]):
    def add(self, key: str) -> None:
        self[key] += 1
        if len(self) > COUNTER_KEYS:
            self.prune()

    def prune(self) -> None:
        for rare, _ in self.most_common()[COUNTER_KEYS // 2:]:
            del self[rare]


class Record(NamedTuple):
    status: int  # what the client received (0: no response, e.g. HAProxy's -1)
    upstream: tuple[int, ...]  # the upstream's or target's own statuses, where the line has them
    path: str
    via: str  # the upstream, target group or backend that served it
    client: str
    minute: str  # the time, cut to the minute, in the format's own notation (see _minute_of)


# ----- formats ------------------------------------------------------------------------------------------------

_STATUS = re.compile(r"\d{3}")
_UPSTREAM_KV = re.compile(r"\bupstream_status=\"?([\d\s,:\-]+)")


def _statuses(text: str) -> tuple[int, ...]:
    """'502, 504 : 200' (nginx lists the upstreams it tried) -> (502, 504, 200); '-' is none."""
    return tuple(int(s) for s in re.findall(r"\d{3}", text))


def parse_combined(line: str) -> Record | None:
    """nginx/Apache combined or common; the quotes split the line faster than any regex."""
    parts = line.split('"')
    if len(parts) < 3:
        return None
    head = parts[0]
    left, right = head.find("["), head.find("]")
    if left < 0 or right < left:
        return None
    after = parts[2].split()
    if not after or len(after[0]) != 3 or not after[0].isdigit():
        return None
    request = parts[1].split(" ", 2)
    path = request[1] if len(request) > 1 else "-"
    if "?" in path:
        path = path[:path.index("?")]
    upstream: tuple[int, ...] = ()
    via = ""
    if len(parts) > 7 or (len(parts) == 7 and not parts[6].isspace() and parts[6]):  # more after the agent
        tail = '"'.join(parts[6:])
        if found := _UPSTREAM_KV.search(tail):
            upstream = _statuses(found.group(1))
        elif "[" in tail:  # ingress-nginx: … [upstream] [alternative] addr len time status req_id
            fields = tail.replace(", ", ",").replace(" : ", ":").split()
            if len(fields) >= 9 and fields[2].startswith("["):
                via = fields[2].strip("[]")
                upstream = _statuses(fields[-2])
    return Record(int(after[0]), upstream, path, via, head[:head.find(" ")], head[left + 1:left + 18])


def quick_combined(line: str) -> int:
    """The status of a plain combined line below 400 with nothing after its user agent, without building a
    Record; -1 for every other line, which is then read in full. Most of a log is such lines, and only its
    errors need their paths, clients and minutes."""
    parts = line.split('"', 3)  # head, request, ' 200 512 ', the rest
    if len(parts) != 4:
        return -1
    middle = parts[2]
    if len(middle) < 5 or middle[0] != " " or middle[4] != " " or not "1" <= middle[1] <= "3":
        return -1
    code = middle[1:4]
    if not code.isdigit() or "upstream_status=" in parts[3] or "] [" in parts[3]:
        return -1
    return int(code)


_ALB_TYPES = frozenset({"http", "https", "h2", "grpcs", "ws", "wss"})


def parse_alb(line: str) -> Record | None:
    """type time elb client:port target:port t1 t2 t3 elb_status target_status received sent "request" "agent"
    ssl_cipher ssl_protocol target_group_arn …"""
    quote = line.find('"')
    if quote < 0:
        return None
    head = line[:quote].split()
    if len(head) < 12 or head[0] not in _ALB_TYPES or "T" not in head[1]:
        return None
    elb, target = head[8], head[9]
    if len(elb) != 3 or not elb.isdigit():
        if elb != "-":
            return None
        elb = "0"
    rest = line[quote + 1:].split('"')
    request = rest[0].split(" ")
    url = request[1] if len(request) > 1 else "-"
    path = "/" + url.split("://", 1)[-1].split("/", 1)[1] if "://" in url and "/" in url.split("://", 1)[1] else url
    group = ""
    if len(rest) > 3:
        after_agent = rest[3].split()
        if len(after_agent) >= 3:
            group = after_agent[2].rsplit(":", 1)[-1].removeprefix("targetgroup/").split("/", 1)[0]
    return Record(int(elb), (int(target),) if target.isdigit() else (), path.split("?", 1)[0], group,
                  head[3].rsplit(":", 1)[0], head[1][:16])


_CLOUDFRONT_FIELDS = [  # the documented order (Amazon CloudFront Developer Guide, "Standard log file fields")
    "date", "time", "x-edge-location", "sc-bytes", "c-ip", "cs-method", "cs(Host)", "cs-uri-stem", "sc-status",
    "cs(Referer)", "cs(User-Agent)", "cs-uri-query", "cs(Cookie)", "x-edge-result-type", "x-edge-request-id",
    "x-host-header", "cs-protocol", "cs-bytes", "time-taken", "x-forwarded-for", "ssl-protocol", "ssl-cipher",
    "x-edge-response-result-type", "cs-protocol-version", "fle-status", "fle-encrypted-fields", "c-port",
    "time-to-first-byte", "x-edge-detailed-result-type", "sc-content-type", "sc-content-len", "sc-range-start",
    "sc-range-end",
]


class CloudFront:
    """CloudFront standard logs: tab-separated, in the order of the `#Fields:` line (or the documented one)."""

    def __init__(self) -> None:
        self.use(_CLOUDFRONT_FIELDS)

    def use(self, names: list[str]) -> None:
        where = {name: i for i, name in enumerate(names)}
        self.status = where.get("sc-status", 8)
        self.path = where.get("cs-uri-stem", 7)
        self.client = where.get("c-ip", 4)
        self.detail = where.get("x-edge-detailed-result-type", where.get("x-edge-result-type", 13))
        self.size = max(self.status, self.path, self.client) + 1

    def parse(self, line: str) -> Record | None:
        if line.startswith("#"):
            if line.startswith("#Fields:"):
                self.use(line[len("#Fields:"):].split())
            return None
        fields = line.split("\t")
        if len(fields) < self.size:
            return None
        status = fields[self.status]
        if len(status) != 3 or not status.isdigit():
            return None
        detail = fields[self.detail] if self.detail < len(fields) else ""
        return Record(int(status), (), fields[self.path], detail, fields[self.client],
                      f"{fields[0]} {fields[1][:5]}")


_HAPROXY = re.compile(r"haproxy\[\d+\]: (\S+?):\d+ \[([^\]]+)\] \S+ (\S+) \S+ (-?\d+) ")


def parse_haproxy(line: str) -> Record | None:
    match = _HAPROXY.search(line)
    if match is None:
        return None
    client, accepted, backend, status = match.groups()
    quote = line.rfind('"', 0, len(line) - 1) if line.rstrip().endswith('"') else -1
    request = line[quote + 1:].rstrip().rstrip('"').split(" ") if quote >= 0 else []
    path = request[1] if len(request) > 1 else "-"
    code = int(status)
    return Record(code if code >= 100 else 0, (), path.split("?", 1)[0], backend, client, accepted[:17])


_JSON_STATUS = ("status", "status_code", "statusCode", "http.status_code", "http.response.status_code",
                "response.status", "response.status_code", "httpRequest.status", "response_code", "code")
_JSON_UPSTREAM = ("upstream_status", "upstreamStatus", "target_status_code", "upstream.status")
_JSON_PATH = ("path", "uri", "request_uri", "url.path", "http.url", "url", "httpRequest.requestUrl", "request")
_JSON_VIA = ("upstream", "upstream_name", "proxy_upstream_name", "backend", "service", "upstream_addr")
_JSON_CLIENT = ("remote_addr", "client_ip", "clientIp", "ip", "client.ip", "source.ip", "httpRequest.remoteIp")
_JSON_TIME = ("time", "timestamp", "@timestamp", "ts", "time_local", "datetime", "date")


def _get(data: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        if name in data:
            return data[name]
        if "." in name:
            value: Any = data
            for part in name.split("."):
                value = value.get(part) if isinstance(value, dict) else None
                if value is None:
                    break
            if value is not None:
                return value
    return None


def parse_json(line: str) -> Record | None:
    if not line.startswith("{"):
        return None
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    status = _get(data, _JSON_STATUS)
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not (0 <= status <= 999):
        return None
    upstream = _get(data, _JSON_UPSTREAM)
    path = _get(data, _JSON_PATH)
    path = str(path) if path is not None else "-"
    if " " in path:  # a request line
        path = path.split(" ")[1] if len(path.split(" ")) > 1 else path
    if "://" in path:
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    when = _get(data, _JSON_TIME)
    if isinstance(when, int | float):
        seconds = when / 1000 if when > 1e11 else when  # epoch milliseconds or seconds
        minute = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M")
    else:
        minute = str(when or "")[:16]
    return Record(status, _statuses(str(upstream)) if upstream is not None else (), path.split("?", 1)[0],
                  str(_get(data, _JSON_VIA) or ""), str(_get(data, _JSON_CLIENT) or ""), minute)


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    make: Callable[[], Callable[[str], Record | None]]  # a parser (a new one per file: CloudFront keeps state)
    upstream_label: str = ""  # what its second status is
    quick: Callable[[str], int] | None = None  # see quick_combined


FORMATS = (
    Format("alb", "AWS ALB", lambda: parse_alb, "target_status_code"),
    Format("cloudfront", "CloudFront", lambda: CloudFront().parse),
    Format("haproxy", "HAProxy", lambda: parse_haproxy),
    Format("json", "JSON lines", lambda: parse_json, "upstream status"),
    Format("combined", "nginx/Apache combined", lambda: parse_combined, "$upstream_status", quick_combined),
)


def detect(sample: list[str]) -> Format | None:
    """The format that reads the most of a file's first lines."""
    best, best_count = None, 0
    for fmt in FORMATS:
        parse = fmt.make()
        count = sum(1 for line in sample if parse(line) is not None)
        if count > best_count:
            best, best_count = fmt, count
    return best


# ----- the summary --------------------------------------------------------------------------------------------


@dataclass
class FileSummary:
    path: str
    format: str = ""
    lines: int = 0
    unparsed: int = 0
    error: str = ""


@dataclass
class Summary:
    files: list[FileSummary] = field(default_factory=list)
    lines: int = 0
    unparsed: int = 0
    codes: Counter[int] = field(default_factory=Counter)
    upstream_codes: Counter[int] = field(default_factory=Counter)
    upstream_labels: set[str] = field(default_factory=set)
    paths: dict[int, BoundedCounter] = field(default_factory=dict)
    vias: dict[int, BoundedCounter] = field(default_factory=dict)
    clients: dict[int, BoundedCounter] = field(default_factory=dict)
    minutes: dict[str, list[int]] = field(default_factory=dict)  # minute -> [4xx, 5xx]

    def add(self, record: Record, upstream_label: str) -> None:
        status = record.status
        self.codes[status] += 1
        if record.upstream:
            self.upstream_labels.add(upstream_label)
            for code in record.upstream:
                self.upstream_codes[code] += 1
        if status >= 400 or status == 0:
            _tally(self.paths, status, record.path)
            _tally(self.vias, status, record.via)
            _tally(self.clients, status, record.client)
            if record.minute and status >= 400:
                bucket = self.minutes.get(record.minute)
                if bucket is None:
                    if len(self.minutes) >= COUNTER_KEYS * 4:  # (a week of minutes and more): keep the latest
                        del self.minutes[min(self.minutes, key=_minute_sort_key)]
                    bucket = self.minutes[record.minute] = [0, 0]
                bucket[0 if status < 500 else 1] += 1

    def to_data(self) -> dict[str, Any]:
        total = sum(self.codes.values())
        classes: Counter[str] = Counter()
        for code, count in self.codes.items():
            classes[f"{code // 100}xx" if 100 <= code < 600 else "other"] += count
        merged: dict[str, list[int]] = {}  # by minute in one notation (files of several formats meet here)
        for minute, (c4, c5) in self.minutes.items():
            bucket = merged.setdefault(_minute_sort_key(minute), [0, 0])
            bucket[0] += c4
            bucket[1] += c5
        minutes = sorted(merged.items())
        return {
            "files": [vars(f) for f in self.files],
            "lines": self.lines,
            "unparsed": self.unparsed,
            "codes": {str(code): count for code, count in self.codes.most_common()},
            "classes": dict(sorted(classes.items())),
            "error_rate": {cls: round(classes[cls] / total, 4) if total else 0.0 for cls in ("4xx", "5xx")},
            "upstream_codes": {str(code): count for code, count in self.upstream_codes.most_common()},
            "upstream_is": sorted(self.upstream_labels),
            "errors": {str(code): {"paths": _top(self.paths.get(code)), "upstreams": _top(self.vias.get(code)),
                                   "clients": _top(self.clients.get(code))}
                       for code, _ in self.codes.most_common() if code >= 400 or code == 0},
            "minutes": [{"minute": minute, "4xx": c4, "5xx": c5} for minute, (c4, c5) in minutes],
            "first": minutes[0][0] if minutes else None,
            "last": minutes[-1][0] if minutes else None,
        }


def _tally(table: dict[int, BoundedCounter], status: int, key: str) -> None:
    if not key:
        return
    counter = table.get(status)
    if counter is None:
        counter = table[status] = BoundedCounter()
    counter[key] = counter.get(key, 0) + 1  # (BoundedCounter.add without its method call: errors are many)
    if len(counter) > COUNTER_KEYS:
        counter.prune()


def _top(counter: Counter[str] | None) -> list[list[Any]]:
    return [[key, count] for key, count in counter.most_common(TOP)] if counter else []


_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                        "Nov", "Dec"), start=1)}


def _minute_sort_key(minute: str) -> str:
    """'10/Oct/2000:13:55' (nginx, HAProxy) -> '2000-10-10 13:55', '2026-12-03T12:00' (ISO) -> '2026-12-03 12:00':
    one notation that sorts in time order (each in the log's own time zone, as the log wrote it)."""
    if len(minute) >= 17 and minute[2] == "/" and minute[6] == "/":
        return f"{minute[7:11]}-{_MONTHS.get(minute[3:6], 0):02d}-{minute[:2]} {minute[12:17]}"
    return minute.replace("T", " ")


def open_log(path: str, stdin: IO[bytes] | None = None) -> IO[str]:
    """A log as text lines; gzip by its magic bytes, whatever the file is called; bad bytes replaced."""
    raw: Any = stdin if path == "-" and stdin is not None else open(path, "rb")  # noqa: SIM115
    buffered: io.BufferedReader = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.GzipFile(fileobj=buffered), encoding="utf-8", errors="replace")
    return io.TextIOWrapper(buffered, encoding="utf-8", errors="replace")


def scan_lines(lines: Iterable[str], summary: Summary, name: str = "-") -> FileSummary:
    """Read one file's lines into the summary."""
    result = FileSummary(name)
    iterator: Iterator[str] = iter(lines)
    sample: list[str] = []
    for line in iterator:
        if line.strip():
            sample.append(line.rstrip("\r\n"))
        if len(sample) >= SNIFF_LINES:
            break
    fmt = detect(sample)
    summary.files.append(result)
    if fmt is None:
        result.lines = result.unparsed = len(sample) + sum(1 for line in iterator if line.strip())
        summary.lines += result.lines
        summary.unparsed += result.unparsed
        return result
    result.format = fmt.label
    parse = fmt.make()
    add = summary.add
    label = fmt.upstream_label
    read = unparsed = 0
    quick = fmt.quick
    plain: Counter[str] = Counter()  # statuses of the lines `quick` settled, by their text
    # A file's lines share one log_format: when its first lines carry no upstream fields, none will, and the
    # quick path need not look for them in every line.
    upstream_fields = any("upstream_status=" in line or "] [" in line for line in sample)
    for line in itertools.chain(sample, iterator):
        if quick is not None:
            # quick_combined, inlined: a function call per line was a third of the time of a whole scan
            parts = line.split('"', 3)
            if len(parts) == 4:
                middle = parts[2]
                if len(middle) > 4 and middle[0] == " " and middle[4] == " " and "1" <= middle[1] <= "3" \
                        and middle[2:4].isdigit() and not (upstream_fields and (
                            "upstream_status=" in parts[3] or "] [" in parts[3])):
                    plain[middle[1:4]] += 1
                    continue
        if not line or line.isspace():
            continue
        read += 1
        record = parse(line.rstrip("\r\n"))
        if record is None:
            if not line.startswith("#"):  # (CloudFront's header lines are not log lines)
                unparsed += 1
            else:
                read -= 1
            continue
        add(record, label)
    for code, count in plain.items():
        summary.codes[int(code)] += count
        read += count
    result.lines, result.unparsed = read, unparsed
    summary.lines += read
    summary.unparsed += unparsed
    return result


def scan_text(text: str) -> Summary:
    """A pasted block of log lines (the Discord context menu)."""
    summary = Summary()
    # (a block pasted in Discord usually sits in a ``` code fence, whose lines are no log lines)
    scan_lines((line for line in text.splitlines() if not line.lstrip().startswith("```")), summary, "message")
    return summary


LOG_LINES_MIN = 3  # a pasted block is summarised when at least this many of its lines are log lines
# Log attachments the context menu summarises (gateway bot and serve alike): Discord's own upload limit for an
# account without Nitro (10 MiB), fetched within 10 s (the reply is deferred first), read up to two million lines
# (a small .gz can unpack to gigabytes; two million lines take a few seconds to scan).
LOG_SUFFIXES = (".log", ".txt", ".gz")
ATTACHMENT_MAX = 10 * 1024 * 1024
ATTACHMENT_TIMEOUT = 10.0
ATTACHMENT_LINES = 2_000_000


def is_log_block(data: dict[str, Any]) -> bool:
    """Whether a pasted message is a block of log lines (summarised) rather than a line or two (answered)."""
    return int(data["lines"]) - int(data["unparsed"]) >= LOG_LINES_MIN


def scan_bytes(content: bytes, name: str, max_lines: int) -> Summary:
    """An attachment, gzip or plain, read up to `max_lines` lines (a small .gz can unpack to gigabytes)."""
    summary = Summary()
    with open_log("-", io.BytesIO(content)) as text:
        scan_lines(itertools.islice(text, max_lines), summary, name)
    return summary
