"""The `statusbot` command line: ask, codes, check (and the bot's run, sync, health).

Exit codes: 0 fine, 1 the knowledge or the bot failed, 2 bad usage or empty query.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, TextIO

import msgspec

from bot import __version__
from bot.models import Lang
from bot.registry import (
    CLASSES,
    KnowledgeError,
    Registry,
    code_class,
    default_knowledge_dir,
    get_registry,
    load_registry,
)
from bot.resolver.text import MAX_PASTE_CHARS

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with a usage line (its default) but never a traceback."""

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="statusbot", description="HTTP status codes explained in Korean and English.")
    parser.add_argument("--version", action="version", version=f"statusbot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    ask = sub.add_parser(
        "ask", help="answer a question about a status code, offline",
        description="Answer a question about an HTTP status code, class, header, log line or framework constant, "
                    "offline.",
        epilog=f"Input: the QUERY words, or stdin when there are none (at most {MAX_PASTE_CHARS:,} characters are "
               "read; only the first part of a long paste is searched). Exit codes: 0 answered, and also 0 when "
               "no code was found (the text says so; JSON has kind \"none\"); 2 empty query or bad usage; 1 the "
               "knowledge could not be read or the answer could not be written.")
    ask.add_argument("--lang", choices=("auto", "en", "ko"), default="auto",
                     help="answer language; auto (default) answers Korean questions in Korean, others in English")
    ask.add_argument("--format", choices=("text", "json", "jsonl", "discord"), default="text",
                     help="text (default) for people; json: the answer and every field of its codes; jsonl: one "
                          "JSON answer per line, one query per stdin line; discord: the message the bot would "
                          "send")
    ask.add_argument("--brief", action="store_true",
                     help="text: the compact answer (meaning, first checks, likely causes, retry), as Discord "
                          "shows it before Details")
    ask.add_argument("--color", "--colour", dest="color", choices=("auto", "always", "never"), default="auto",
                     help="colour the text answer: auto (default) when stdout is a terminal and NO_COLOR is unset")
    ask.add_argument("--no-entries", action="store_true",
                     help="json/jsonl: leave out the codes' full entries (the answer only; a batch is ~20x smaller)")
    ask.add_argument("--notes", metavar="FILE",
                     help="a TOML file of the team's own notes per code, shown in text answers: [notes] then "
                          "502 = \"usually the payments pod OOM'd: check dashboard X\" (at most 500 characters each)")
    ask.add_argument("query", nargs="*", metavar="QUERY",
                     help="the question; with jsonl/discord and no QUERY, one query per line on stdin")

    codes = sub.add_parser("codes", help="list the registry")
    codes.add_argument("--format", choices=("text", "json"), default="text")
    codes.add_argument("--class", dest="cls", choices=CLASSES, default=None)

    sub.add_parser("check", help="validate the knowledge files and print counts")

    scan = sub.add_parser(
        "scan", help="summarise access logs: codes, error rates, top paths and upstreams per error, per minute",
        description="Summarise access logs in one pass: counts by code (the status the client received, and the "
                    "upstream's or target's where the line has it), error rates, the busiest paths, upstreams "
                    "and clients per error code, and 4xx/5xx per minute.",
        epilog="Formats, recognised per file from its first lines: nginx/Apache combined and common (with "
               "$upstream_status, ingress-nginx), AWS ALB, CloudFront, HAProxy HTTP log, JSON lines with a status "
               "field. gzip files are read as they are. Lines that fit no format are counted as unparsed. Exit "
               "codes: 0 read, 1 a file could not be opened, 2 bad usage.")
    scan.add_argument("files", nargs="*", metavar="FILE", help="log files (gzip or plain); - or none: stdin")
    scan.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or one JSON object")
    scan.add_argument("--lang", choices=("en", "ko"), default="en", help="language of the text summary")
    scan.add_argument("--color", "--colour", dest="color", choices=("auto", "always", "never"), default="auto",
                      help="colour the text summary: auto (default) on a terminal unless NO_COLOR is set")

    from bot.adapters.bot_commands import add_bot_commands

    add_bot_commands(sub)
    return parser


def _utf8(stream: TextIO) -> None:
    # Invalid UTF-8 on stdin or a non-UTF-8 terminal must not end in a traceback.
    reconfigure: Callable[..., None] | None = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(encoding="utf-8", errors="replace")


def _dump(data: Any) -> str:
    # msgspec writes the same JSON as json.dumps(ensure_ascii=False), in a fraction of the time: a batch of
    # answers (`ask --format jsonl`) spends most of its time here otherwise.
    return msgspec.json.encode(data).decode()


_ENCODED_ENTRIES: dict[int, tuple[dict[str, Any], msgspec.Raw]] = {}  # id -> (the entry, kept alive; its JSON)


def _encoded(data: dict[str, Any]) -> bytes:
    """An answer as JSON, each code's entry (some 20 KB of the answer's text, the same every time the code is
    answered) encoded once per process and copied in as it is (msgspec.Raw): 22 -> 13 us an answer."""
    entries = data.get("entries")
    if entries:
        raw = []
        for entry in entries:  # (the entries are the shared dicts of bot.render.data, one per code)
            found = _ENCODED_ENTRIES.get(id(entry))
            if found is None or found[0] is not entry:
                found = _ENCODED_ENTRIES[id(entry)] = (entry, msgspec.Raw(msgspec.json.encode(entry)))
            raw.append(found[1])
        data = {**data, "entries": raw}
    return msgspec.json.encode(data)


def _answer_json(query: str, lang: str, registry: Registry, entries: bool = True) -> dict[str, Any]:
    from bot.render.data import answer_data
    from bot.resolver import get_resolver

    return answer_data(get_resolver().resolve(query, lang), registry, entries=entries)


def _discord_payload(query: str, lang: str, registry: Registry, entries: bool = True) -> dict[str, Any]:
    from bot.render.discord_payload import answer_payload
    from bot.resolver import get_resolver

    return answer_payload(get_resolver().resolve(query, lang), registry)


class NotesError(Exception):
    """A --notes file that cannot be used; str() is the line to show."""


def read_notes(path: str, registry: Registry) -> dict[int, str]:
    """A team's notes file: `[notes]` with one `CODE = "text"` per code, the same shape as /http-config note."""
    import tomllib

    from bot.settings_store import NOTE_MAX

    try:
        with open(path, "rb") as file:
            data = tomllib.load(file)
    except OSError as exc:
        raise NotesError(f"cannot read the notes file {path}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise NotesError(f"the notes file {path} is not valid TOML: {exc}") from exc
    table = data.get("notes")
    if not isinstance(table, dict):
        raise NotesError(f"the notes file {path} needs a [notes] table: [notes] then 502 = \"…\"")
    notes: dict[int, str] = {}
    for key, value in table.items():
        if not key.isdigit() or int(key) not in registry.codes:
            raise NotesError(f"{path}: notes.{key}: not a status code statusbot knows")
        if not isinstance(value, str) or not value.strip() or len(value) > NOTE_MAX:
            raise NotesError(f"{path}: notes.{key}: a note is text of 1 to {NOTE_MAX} characters")
        notes[int(key)] = value
    return notes


def text_layout(choice: str, stream: TextIO) -> Any:
    """Width from the terminal (COLUMNS first), at most WIDTH and at least MIN_WIDTH; colour on a terminal
    unless NO_COLOR is set (https://no-color.org), or as --color says."""
    import shutil

    from bot.render.text import MIN_WIDTH, WIDTH, Layout

    columns = shutil.get_terminal_size((WIDTH, 24)).columns
    is_tty = hasattr(stream, "isatty") and stream.isatty()
    colour = choice == "always" or (choice == "auto" and is_tty and not os.environ.get("NO_COLOR")
                                    and os.environ.get("TERM") != "dumb")
    return Layout(width=max(MIN_WIDTH, min(WIDTH, columns)), colour=colour)


def _stdin_lines() -> Iterable[str]:
    for line in sys.stdin:
        yield line.rstrip("\r\n")


def cmd_ask(args: argparse.Namespace, registry: Registry) -> int:
    query = " ".join(args.query)
    if args.format in ("jsonl", "discord") and not args.query:
        render = _answer_json if args.format == "jsonl" else _discord_payload
        # Bytes straight to the binary stream: a batch would otherwise decode every answer from UTF-8 only for
        # the text layer to encode it again. Flushed per line, so a caller driving the process line by line gets
        # each answer as soon as it is ready.
        out = getattr(sys.stdout, "buffer", None)
        for line in _stdin_lines():
            data = render(line, args.lang, registry, not args.no_entries)
            if out is None:
                sys.stdout.write(_dump(data) + "\n")
                sys.stdout.flush()
            else:
                out.write(_encoded(data) + b"\n")
                out.flush()
        return EXIT_OK
    if not args.query and not sys.stdin.isatty():
        query = sys.stdin.read(MAX_PASTE_CHARS)
    if not query.strip():
        print("statusbot: empty query. Try: statusbot ask 503   or   statusbot ask \"게이트웨이 타임아웃\"",
              file=sys.stderr)
        return EXIT_USAGE
    if args.format in ("json", "jsonl"):
        print(_dump(_answer_json(query, args.lang, registry, not args.no_entries)))
    elif args.format == "discord":
        print(_dump(_discord_payload(query, args.lang, registry)))
    else:
        from bot.render.text import render_answer
        from bot.resolver import get_resolver

        try:
            notes = read_notes(args.notes, registry) if args.notes else {}
        except NotesError as exc:
            print(f"statusbot: {exc}", file=sys.stderr)
            return EXIT_USAGE
        layout = text_layout(args.color, sys.stdout)
        print(render_answer(get_resolver().resolve(query, args.lang), registry, layout, brief_only=args.brief,
                            notes=notes))
    return EXIT_OK


def cmd_codes(args: argparse.Namespace, registry: Registry) -> int:
    entries = [e for e in registry if args.cls is None or code_class(e.code) == args.cls]
    if args.format == "json":
        from bot.render.data import entry_data

        print(_dump([entry_data(e, registry) for e in entries]))
        return EXIT_OK
    for entry in entries:
        tag = f"  [{entry.vendor}]" if entry.vendor else ("" if entry.status == "standard" else f"  [{entry.status}]")
        print(f"{entry.code:03d}  {entry.phrase}  ·  {entry.name_ko}{tag}")
    return EXIT_OK


def cmd_scan(args: argparse.Namespace, registry: Registry) -> int:
    import zlib

    from bot.scan import Summary, open_log, scan_lines

    summary = Summary()
    failed = False
    for path in args.files or ["-"]:
        try:
            with open_log(path, sys.stdin.buffer) as lines:
                scan_lines(lines, summary, path)
        except (OSError, EOFError, zlib.error) as exc:  # missing, unreadable, a truncated or corrupt gzip
            failed = True
            print(f"statusbot: cannot read {path}: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
    data = summary.to_data()
    if args.format == "json":
        print(_dump(data))
    else:
        from bot.render.scan import render_scan_text

        print(render_scan_text(data, registry, args.lang, text_layout(args.color, sys.stdout)))
    return EXIT_FAILED if failed else EXIT_OK


def cmd_check(registry: Registry) -> int:
    by_class = Counter(code_class(e.code) or "other" for e in registry)
    by_status = Counter(e.status for e in registry)
    meanings = sum(1 + len(e.other_meanings) for e in registry)
    print(f"knowledge OK: {len(registry)} codes, {meanings} meanings, {len(registry.headers)} headers "
          f"({registry.source})")
    print("by class:  " + ", ".join(f"{k} {by_class[k]}" for k in (*CLASSES, "other") if by_class[k]))
    print("by status: " + ", ".join(f"{k} {v}" for k, v in sorted(by_status.items())))
    return EXIT_OK


def run(argv: list[str]) -> int:
    _utf8(sys.stdin)
    _utf8(sys.stdout)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if getattr(args, "bot_command", None):
        handler: Callable[[argparse.Namespace], int] = args.bot_command
        return handler(args)
    try:
        # `check` always validates from the files; everything else may use the validated cache.
        registry = load_registry(cache=False) if args.command == "check" else get_registry()
    except KnowledgeError as exc:
        # Every problem found, each with its file under the knowledge folder actually read.
        base = default_knowledge_dir()
        shown = exc.errors if args.command == "check" else exc.errors[:1]
        for error in shown:
            where = error.file.removeprefix("knowledge/")
            path = str(base / where) if where != error.file else error.file
            detail = f"{error.field}: {error.problem}" if error.field else error.problem
            print(f"statusbot: knowledge error: {path}: {detail}", file=sys.stderr)
        if len(exc.errors) > len(shown):
            print(f"statusbot: {len(exc.errors) - 1} more problems: `statusbot check` lists them all",
                  file=sys.stderr)
        return EXIT_FAILED
    try:
        if args.command == "ask":
            return cmd_ask(args, registry)
        if args.command == "codes":
            return cmd_codes(args, registry)
        if args.command == "scan":
            return cmd_scan(args, registry)
        return cmd_check(registry)
    except BrokenPipeError:
        # `statusbot codes | head`: the reader went away; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # `statusbot ask 503 > /dev/full`: the answer could not be written
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # (and not again at exit)
        print(f"statusbot: cannot write the answer: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "Lang", "build_parser", "run"]
