"""Load every knowledge file once, validate it, and hand out immutable entries.

A broken file stops start-up with a KnowledgeError that names the file, the field
and the problem; callers turn that into a message and a non-zero exit.
"""

from __future__ import annotations

import hashlib
import os
import re
import string
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn, TypeVar

import msgspec

from bot.cache import cache_dir, read_cached, write_cached
from bot.models import (
    CONSTANT_STATES,
    SIGNATURE_PLACES,
    ClassesFile,
    ClassInfo,
    CodeFile,
    ConstantsFile,
    GlossaryFile,
    HeaderInfo,
    HeadersFile,
    KoreanWordsFile,
    SignaturesFile,
    SpellingFile,
    Text,
    TextList,
    UiFile,
)

CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_MSGSPEC_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")

T = TypeVar("T")

# Keys the program fills in; a translator may reword them but not drop them.
_UI_KEYS: dict[str, tuple[str, ...]] = {
    "labels": ("meaning", "class", "status", "headers", "causes", "checks", "retry", "cache", "related", "spec",
               "other_meanings", "formerly", "codes_in_class", "codes_using_header", "direction", "compare",
               "suggestions", "spec_button", "related_select", "details_button", "less_button", "key_difference",
               "codes_found", "server_note", "team_note"),
    "status": ("standard", "reserved", "obsolete", "temporary", "vendor"),
    "direction": ("request", "response", "both"),
    "cache": ("yes", "no"),
    "notes": ("empty", "no_match", "not_sure", "not_a_code", "unregistered", "too_many", "constant",
              "constant_by_name"),
    "replies": ("config_lang", "channel_added", "channel_already", "channel_removed", "channel_missing",
                "channels_none", "channels_list", "pictures", "show", "on", "off", "need_manage_server",
                "guild_only", "intent_missing", "no_codes_in_message", "error", "config_detail", "detail_compact",
                "detail_full", "log_too_big", "log_unreadable", "note_added", "note_removed", "note_missing",
                "note_unknown_code", "notes_none"),
}


class KnowledgeError(Exception):
    """A knowledge file is broken. str() is the one line shown to the user; `errors` holds every problem found
    in the same reading (this one first), so that `statusbot check` can name them all at once."""

    def __init__(self, file: str, field: str, problem: str) -> None:
        self.file, self.field, self.problem = file, field, problem
        self.errors: list[KnowledgeError] = [self]
        super().__init__(f"{file}: {field}: {problem}" if field else f"{file}: {problem}")


@contextmanager
def _collecting(errors: list[KnowledgeError]) -> Iterator[None]:
    """Run one independent check; a problem it finds is kept and the reading goes on with the next."""
    try:
        yield
    except KnowledgeError as exc:
        errors.extend(exc.errors)


def _all_errors(errors: list[KnowledgeError]) -> None:
    if errors:
        first = errors[0]
        first.errors = list(errors)
        raise first


def code_class(code: int) -> str | None:
    """'5xx' for 503; None for codes outside 100-599 such as the log-only 000."""
    return f"{code // 100}xx" if 100 <= code <= 599 else None


def has_hangul(text: str) -> bool:
    return bool(_HANGUL.search(text))


def normalize_alias(text: str) -> str:
    """Case-, space- and punctuation-insensitive key used to detect duplicate aliases."""
    return re.sub(r"[\s\-_'’.,/()]+", "", text.casefold())


def default_knowledge_dir() -> Path:
    """STATUSBOT_KNOWLEDGE, else the copy shipped in the wheel, else the source tree's."""
    env = os.environ.get("STATUSBOT_KNOWLEDGE")
    if env:
        return Path(env)
    shipped = Path(__file__).resolve().parent / "_knowledge"
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parent.parent / "knowledge"


@dataclass(frozen=True)
class Registry:
    codes: MappingProxyType[int, CodeFile]
    headers: MappingProxyType[str, HeaderInfo]
    classes: MappingProxyType[str, ClassInfo]
    ui: UiFile
    source: Path
    # lower-cased header name (and alias) -> canonical header name
    header_lookup: MappingProxyType[str, str] = field(repr=False)
    # hash of the knowledge files (and of the code that validates them): what was built from it can be cached
    digest: str = ""
    # loanword spelling people type -> the one the knowledge uses (knowledge/spelling.toml)
    spelling: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    # framework status constants, one ecosystem per file of knowledge/constants/ (by file stem: "spring")
    constants: MappingProxyType[str, ConstantsFile] = field(default_factory=lambda: MappingProxyType({}),
                                                            repr=False)
    # nouns the Korean analyser must keep whole (knowledge/korean_words.toml)
    korean_words: tuple[str, ...] = ()
    # error pages and messages, one piece of software per file of knowledge/signatures/ (by file stem: "nginx")
    signatures: MappingProxyType[str, SignaturesFile] = field(default_factory=lambda: MappingProxyType({}),
                                                              repr=False)

    def get(self, code: int) -> CodeFile | None:
        return self.codes.get(code)

    def header(self, name: str) -> tuple[str, HeaderInfo] | None:
        canonical = self.header_lookup.get(name.casefold())
        return (canonical, self.headers[canonical]) if canonical else None

    def codes_in_class(self, cls: str) -> list[CodeFile]:
        return [c for c in self.codes.values() if code_class(c.code) == cls]

    def codes_using_header(self, name: str) -> list[CodeFile]:
        return [c for c in self.codes.values() if any(h.name == name for h in c.headers)]

    def __iter__(self) -> Iterator[CodeFile]:
        return iter(self.codes.values())

    def __len__(self) -> int:
        return len(self.codes)


def _read_all(base: Path) -> dict[str, bytes]:
    """Every knowledge file's bytes, by its name relative to the knowledge folder ('codes/503.toml')."""
    paths = [base / "headers.toml", base / "classes.toml", base / "ui.toml", *sorted((base / "codes").glob("*.toml"))]
    if (base / "spelling.toml").exists():  # optional: a knowledge folder without it simply has no respellings
        paths.append(base / "spelling.toml")
    if (base / "korean_words.toml").exists():  # optional: without it the analyser uses its dictionary alone
        paths.append(base / "korean_words.toml")
    if (base / "glossary.toml").exists():  # optional: without it no vocabulary is enforced
        paths.append(base / "glossary.toml")
    paths += sorted((base / "constants").glob("*.toml"))  # optional too: no folder, no constants
    paths += sorted((base / "signatures").glob("*.toml"))  # the same: no folder, no error-page signatures
    raw: dict[str, bytes] = {}
    for path in paths:
        rel = path.relative_to(base).as_posix()
        try:
            raw[rel] = path.read_bytes()
        except OSError as exc:
            raise KnowledgeError(f"knowledge/{rel}", "", f"cannot read file ({exc.strerror})") from None
    return raw


def _parse_toml(data: bytes, rel: str) -> dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise KnowledgeError(rel, "", "not valid UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeError(rel, "(syntax)", f"invalid TOML: {exc}") from None


def _convert(data: dict[str, Any], kind: type[T], rel: str) -> T:
    try:
        converted: T = msgspec.convert(data, kind)
        return converted
    except msgspec.ValidationError as exc:
        message = str(exc)
        match = _MSGSPEC_PATH.search(message)
        where = match.group("path").lstrip(".") if match else ""
        problem = _MSGSPEC_PATH.sub("", message)
        if not where and (missing := re.search(r"missing required field `(\w+)`", message)):
            where = missing.group(1)
        elif where and (missing := re.search(r"missing required field `(\w+)`", message)):
            where = f"{where}.{missing.group(1)}"
        if (unknown := re.search(r"unknown field `(\w+)`", message)) and where:
            where = f"{where}.{unknown.group(1)}" if not where.endswith(unknown.group(1)) else where
        elif unknown:
            where = unknown.group(1)
        _raise(rel, where or "(file)", problem)


def _raise(file: str, field: str, problem: str) -> NoReturn:
    raise KnowledgeError(file, field, problem)


# A header name as the texts write it: Title-Case or upper-case parts joined by hyphens (Retry-After, X-Cache,
# WWW-Authenticate). Words like "server-side" have a lower-case part and are not caught.
_HEADER_SHAPED = re.compile(r"(?<![\w./-])([A-Z][A-Za-z0-9]*(?:-[A-Z][A-Za-z0-9]*)+)(?![\w/-])")
_HEADER_MENTION_SKIPPED = frozenset({"aliases", "scenarios", "signatures"})  # what people type, not what we say


def _check_header_mentions(entry: CodeFile, rel: str, headers: HeadersFile) -> None:
    """Every header a code file's text names has a table in headers.toml (or is listed as not a header)."""
    known = {name.lower() for name in headers.headers} | {term.lower() for term in headers.not_headers}
    for field_name in CodeFile.__struct_fields__:
        if field_name in _HEADER_MENTION_SKIPPED:
            continue
        for text in _strings(getattr(entry, field_name)):
            for name in _HEADER_SHAPED.findall(text):
                if name.lower() not in known:
                    _raise(rel, field_name, f"names the header {name!r}, which has no table in knowledge/headers.toml "
                                            "(add one, or list the term under not_headers there if it is no header)")


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            if name not in _HEADER_MENTION_SKIPPED:
                yield from _strings(getattr(value, name))


def _korean_fields(obj: Any, path: str) -> Iterator[tuple[str, str]]:
    """Yield (field path, text) for every Korean string inside a struct."""
    if isinstance(obj, Text):
        yield f"{path}.ko", obj.ko
    elif isinstance(obj, TextList):
        for i, item in enumerate(obj.ko):
            yield f"{path}.ko[{i}]", item
    elif isinstance(obj, msgspec.Struct):
        for name in obj.__struct_fields__:
            value = getattr(obj, name)
            sub = f"{path}.{name}" if path else name
            if name == "name_ko":
                yield sub, value
            else:
                yield from _korean_fields(value, sub)
    elif isinstance(obj, tuple):
        for i, item in enumerate(obj):
            yield from _korean_fields(item, f"{path}[{i}]")


# Every placeholder the program fills in a ui.toml text ({number} in "{number} is not a status code").
UI_PLACEHOLDERS = frozenset({
    "base", "channel", "channels", "class_name", "cls", "code", "count", "ecosystem", "lang", "name", "number",
    "phrase", "pictures", "detail", "size", "limit", "query", "shown", "shown_phrase", "software", "text", "value",
    "vendor", "where",
})


def _check_ui(ui: UiFile) -> None:
    """A placeholder typo ({numbr}) or a stray brace would pass the file's parsing and fail only when the text
    is shown, so every template is read here: known placeholders only, the same in both languages."""
    rel = "knowledge/ui.toml"
    for section in UiFile.__struct_fields__:
        table = getattr(ui, section)
        for key, text in table.items():
            found: dict[str, set[str]] = {}
            for lang in ("en", "ko"):
                template = getattr(text, lang)
                try:
                    names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
                except ValueError as exc:
                    _raise(rel, f"{section}.{key}.{lang}", f"broken placeholder: {exc}")
                for name in names:
                    if name not in UI_PLACEHOLDERS:
                        _raise(rel, f"{section}.{key}.{lang}", f"unknown placeholder {{{name}}} (the program fills "
                                                               f"{', '.join(sorted(UI_PLACEHOLDERS))})")
                found[lang] = names
            if found["en"] != found["ko"]:
                _raise(rel, f"{section}.{key}", f"en has {sorted(found['en'])}, ko has {sorted(found['ko'])}: "
                                                "both languages need the same placeholders")


def _check_code(entry: CodeFile, rel: str, stem: str) -> None:
    if not 0 <= entry.code <= 599:
        _raise(rel, "code", f"{entry.code} is not a status code (0-599)")
    if stem != f"{entry.code:03d}":
        _raise(rel, "code", f"file name says {stem} but the file says {entry.code}")
    if entry.status == "vendor" and not entry.vendor:
        _raise(rel, "vendor", "a vendor code must name its vendor")
    if entry.shown == entry.code:
        _raise(rel, "shown", "shown is only for a status that differs from code")
    for i, meaning in enumerate(entry.other_meanings):
        if meaning.status == "vendor" and not meaning.vendor:
            _raise(rel, f"other_meanings[{i}].vendor", "a vendor meaning must name its vendor")
    for where, text in _korean_fields(entry, ""):
        if not text.strip():
            _raise(rel, where, "empty Korean text")
        if not has_hangul(text):
            _raise(rel, where, f"Korean text has no Hangul: {text[:40]!r}")
    for where, value in (("summary.en", entry.summary.en), ("detail.en", entry.detail.en),
                         ("phrase", entry.phrase), ("retry.en", entry.retry.en)):
        if not value.strip():
            _raise(rel, where, "empty text")
    if not entry.spec.url.startswith("https://"):
        _raise(rel, "spec.url", "spec links must be https:// URLs")
    # A scenario describes the situation, not the answer: a scenario that states its own code would only
    # teach the matcher the number, which the front already reads.
    for lang_name, items in (("en", entry.scenarios.en), ("ko", entry.scenarios.ko)):
        for i, scenario in enumerate(items):
            if re.search(rf"(?<!\d){entry.code:03d}(?!\d)", scenario):
                _raise(rel, f"scenarios.{lang_name}[{i}]", f"a scenario must not state its own code: {scenario!r}")
    seen_related: set[int] = set()
    for i, rel_ref in enumerate(entry.related):
        if rel_ref.code == entry.code:
            _raise(rel, f"related[{i}].code", "a code cannot be related to itself")
        if rel_ref.code in seen_related:
            _raise(rel, f"related[{i}].code", f"{rel_ref.code} is listed twice")
        seen_related.add(rel_ref.code)


class _Snapshot(msgspec.Struct, frozen=True):
    """A validated registry as stored in the cache."""

    codes: list[CodeFile]
    headers: dict[str, HeaderInfo]
    classes: dict[str, ClassInfo]
    ui: UiFile
    header_lookup: dict[str, str]
    spelling: dict[str, str] = {}
    constants: dict[str, ConstantsFile] = {}
    signatures: dict[str, SignaturesFile] = {}
    korean_words: tuple[str, ...] = ()


_CACHE_FORMAT = "5"  # bump when the models change shape


def _digest(raw: dict[str, bytes]) -> str:
    from bot import __version__

    h = hashlib.sha256(f"{_CACHE_FORMAT}:{__version__}".encode())
    here = Path(__file__).resolve().parent
    for source in (here / "models.py", here / "registry.py"):  # new validation rules invalidate the cache
        h.update(source.read_bytes())
    for rel in sorted(raw):
        h.update(rel.encode() + b"\0" + raw[rel] + b"\0")
    return h.hexdigest()[:32]


def _from_snapshot(snapshot: _Snapshot, base: Path, digest: str) -> Registry:
    return Registry(
        codes=MappingProxyType({c.code: c for c in snapshot.codes}),
        headers=MappingProxyType(snapshot.headers),
        classes=MappingProxyType(snapshot.classes),
        ui=snapshot.ui,
        source=base,
        header_lookup=MappingProxyType(snapshot.header_lookup),
        digest=digest,
        spelling=MappingProxyType(snapshot.spelling),
        constants=MappingProxyType(snapshot.constants),
        signatures=MappingProxyType(snapshot.signatures),
        korean_words=snapshot.korean_words,
    )


def load_registry(directory: Path | None = None, *, cache: bool = True) -> Registry:
    """Load and validate the knowledge. A validated copy is cached by content hash, because parsing ~100 TOML
    files dominates the start-up of a one-shot `statusbot ask`; any change to any file is a cache miss."""
    base = Path(directory) if directory is not None else default_knowledge_dir()
    if not base.is_dir():
        raise KnowledgeError(str(base), "", "knowledge directory not found")
    for needed in ("headers.toml", "classes.toml", "ui.toml", "codes"):
        if not (base / needed).exists():
            raise KnowledgeError(f"knowledge/{needed}", "", "missing")
    raw = _read_all(base)
    digest = _digest(raw)
    cache_file = cache_dir() / f"registry-{digest}.msgpack" if cache else None
    if cache_file is not None and (snapshot := read_cached(cache_file, _Snapshot)) is not None:
        return _from_snapshot(snapshot, base, digest)
    registry = replace(_validate(base, raw), digest=digest)  # no cache yet, or an unreadable one
    if cache_file is not None:
        write_cached(cache_file, _Snapshot(list(registry.codes.values()), dict(registry.headers),
                                           dict(registry.classes), registry.ui, dict(registry.header_lookup),
                                           dict(registry.spelling), dict(registry.constants),
                                           dict(registry.signatures), registry.korean_words))
    return registry


def _validate(base: Path, raw: dict[str, bytes]) -> Registry:
    if not base.is_dir():
        raise KnowledgeError(str(base), "", "knowledge directory not found")
    errors: list[KnowledgeError] = []

    headers = HeadersFile(headers={})
    with _collecting(errors):
        headers = _convert(_parse_toml(raw["headers.toml"], "knowledge/headers.toml"), HeadersFile,
                           "knowledge/headers.toml")
    headers_read = not errors
    classes_file = ClassesFile(classes={})
    with _collecting(errors):
        classes_file = _convert(_parse_toml(raw["classes.toml"], "knowledge/classes.toml"), ClassesFile,
                                "knowledge/classes.toml")
        for cls in CLASSES:
            if cls not in classes_file.classes:
                _raise("knowledge/classes.toml", f"classes.{cls}", "missing class")
        for name, cls_info in classes_file.classes.items():
            for where, text in _korean_fields(cls_info, f"classes.{name}"):
                if not has_hangul(text):
                    _raise("knowledge/classes.toml", where, f"Korean text has no Hangul: {text[:40]!r}")

    ui: UiFile | None = None
    with _collecting(errors):
        ui = _convert(_parse_toml(raw["ui.toml"], "knowledge/ui.toml"), UiFile, "knowledge/ui.toml")
        _check_ui(ui)
        for section in ("labels", "status", "direction", "cache", "notes", "commands", "replies"):
            for key, text in getattr(ui, section).items():
                if section == "commands" and not key.endswith("description"):
                    continue  # command and option names may stay in Latin letters ("http")
                if not has_hangul(text.ko):
                    _raise("knowledge/ui.toml", f"{section}.{key}.ko",
                           f"Korean text has no Hangul: {text.ko[:40]!r}")
        for section, needed_keys in _UI_KEYS.items():
            for key in needed_keys:
                if key not in getattr(ui, section):
                    _raise("knowledge/ui.toml", f"{section}.{key}", "missing")
    spelling: dict[str, str] = {}
    with _collecting(errors):
        spelling = _spelling(raw)

    header_lookup: dict[str, str] = {}
    with _collecting(errors):
        for name, info in headers.headers.items():
            for where, text in _korean_fields(info, f"headers.{name}"):
                if not has_hangul(text):
                    _raise("knowledge/headers.toml", where, f"Korean text has no Hangul: {text[:40]!r}")
            for key in (name, *info.aliases):
                if key.casefold() in header_lookup:
                    _raise("knowledge/headers.toml", f"headers.{name}", f"{key!r} is claimed twice")
                header_lookup[key.casefold()] = name

    glossary: tuple[tuple[str, str], ...] = ()
    with _collecting(errors):
        glossary = _glossary(raw)
    codes: dict[int, CodeFile] = {}
    files: dict[int, str] = {}
    for name in sorted(n for n in raw if n.startswith("codes/")):
        rel = f"knowledge/{name}"
        with _collecting(errors):
            entry = _convert(_parse_toml(raw[name], rel), CodeFile, rel)
            _check_code(entry, rel, Path(name).stem)
            if entry.code in codes:
                _raise(rel, "code", f"{entry.code} is already defined in {files[entry.code]}")
            for i, ref in enumerate(entry.headers):
                if headers_read and ref.name not in headers.headers:
                    _raise(rel, f"headers[{i}].name", f"unknown header {ref.name!r} (not in knowledge/headers.toml)")
            if headers_read:
                _check_header_mentions(entry, rel, headers)
            _check_vocabulary(entry, rel, glossary)
            codes[entry.code] = entry
            files[entry.code] = rel

    if not any(n.startswith("codes/") for n in raw):
        raise KnowledgeError(str(base / "codes"), "", "no code files found")

    claimed: dict[str, tuple[int, str]] = {}
    for code, entry in codes.items():
        rel = files[code]
        with _collecting(errors):
            if entry.shown is not None and entry.shown not in codes and f"codes/{entry.shown:03d}.toml" not in raw:
                _raise(rel, "shown", f"{entry.shown} has no file in knowledge/codes/")
            for i, related in enumerate(entry.related):
                if related.code not in codes and f"codes/{related.code:03d}.toml" not in raw:
                    _raise(rel, f"related[{i}].code", f"related code {related.code} does not exist")
            for lang, aliases in (("en", entry.aliases.en), ("ko", entry.aliases.ko)):
                for i, alias in enumerate(aliases):
                    key = normalize_alias(alias)
                    owner = claimed.get(key)
                    if owner and owner[0] != code:
                        _raise(rel, f"aliases.{lang}[{i}]",
                               f"alias {alias!r} is already claimed by {owner[0]} ({owner[1]})")
                    claimed[key] = (code, files[code])

    constants: dict[str, ConstantsFile] = {}
    signatures: dict[str, SignaturesFile] = {}
    korean_words: tuple[str, ...] = ()
    with _collecting(errors):
        korean_words = _korean_words(raw)
    constants = _constants(raw, errors)
    if ui is not None:
        signatures = _signatures(raw, codes, ui, errors)
    _all_errors(errors)
    assert ui is not None  # (a broken ui.toml is in errors)
    headers_file = headers

    return Registry(
        codes=MappingProxyType(dict(sorted(codes.items()))),
        headers=MappingProxyType(dict(headers_file.headers)),
        classes=MappingProxyType(dict(classes_file.classes)),
        ui=ui,
        source=base,
        header_lookup=MappingProxyType(header_lookup),
        spelling=MappingProxyType(spelling),
        constants=MappingProxyType(constants),
        signatures=MappingProxyType(signatures),
        korean_words=korean_words,
    )


def _constants(raw: dict[str, bytes], errors: list[KnowledgeError]) -> dict[str, ConstantsFile]:
    tables: dict[str, ConstantsFile] = {}
    for name in sorted(n for n in raw if n.startswith("constants/")):
        with _collecting(errors):
            tables.update(_constants_file(raw, name))
    return tables


def _constants_file(raw: dict[str, bytes], name: str) -> dict[str, ConstantsFile]:
    tables: dict[str, ConstantsFile] = {}
    if name:
        rel = f"knowledge/{name}"
        table = _convert(_parse_toml(raw[name], rel), ConstantsFile, rel)
        for where, value in (("ecosystem", table.ecosystem), ("language", table.language),
                             ("source", table.source)):
            if not value.strip():
                _raise(rel, where, "empty text")
        if not table.constants and not table.classes:
            _raise(rel, "constants", "no constants")
        for i, listed in enumerate(table.qualified_only):
            if listed not in table.constants and listed not in table.classes:
                _raise(rel, f"qualified_only[{i}]", f"{listed!r} is not one of the file's names")
        for i, words in enumerate(table.mentions):
            if not words.strip() or words != words.casefold():
                _raise(rel, f"mentions[{i}]", "must be lower case and not empty")
        for constant, places in table.contexts.items():
            if constant not in table.constants:
                _raise(rel, f"contexts.{constant}", f"{constant!r} is not one of the file's constants")
            for words, code in places.items():
                if not words.strip() or words != words.casefold():
                    _raise(rel, f"contexts.{constant}", f"{words!r}: must be lower case and not empty")
                if not (100 <= code <= 599):
                    _raise(rel, f"contexts.{constant}", f"{code} is not a status code")
        if not table.bare and not table.qualifiers:
            _raise(rel, "bare", "false, but no qualifiers: none of its names could be read")
        for i, qualifier in enumerate(table.qualifiers):
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", qualifier):
                _raise(rel, f"qualifiers[{i}]", f"{qualifier!r} is not an identifier")
        for constant, code in table.constants.items():
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", constant):
                _raise(rel, f"constants.{constant}", "not an identifier")
            if not (100 <= code <= 599 or code == 0):
                _raise(rel, f"constants.{constant}", f"{code} is not a status code (100-599, or 0 for no response)")
        for constant, cls in table.classes.items():
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", constant):
                _raise(rel, f"classes.{constant}", "not an identifier")
            if not re.fullmatch(r"[1-5]xx", cls):
                _raise(rel, f"classes.{constant}", f"{cls!r} is not a class (1xx-5xx)")
            if constant in table.constants:
                _raise(rel, f"classes.{constant}", "listed under constants too")
        for constant, note in table.notes.items():
            if constant not in table.constants and constant not in table.classes:
                _raise(rel, f"notes.{constant}", "a note for a constant the file does not list")
            if note.state not in CONSTANT_STATES:
                _raise(rel, f"notes.{constant}.state", f"Expected one of {', '.join(CONSTANT_STATES)}, "
                                                        f"got {note.state!r}")
            if not note.en.strip():
                _raise(rel, f"notes.{constant}.en", "empty text")
            if not has_hangul(note.ko):
                _raise(rel, f"notes.{constant}.ko", f"Korean text has no Hangul: {note.ko[:40]!r}")
        tables[Path(name).stem] = table
    return tables


def _signatures(raw: dict[str, bytes], known: dict[int, CodeFile], ui: UiFile,
                errors: list[KnowledgeError] | None = None) -> dict[str, SignaturesFile]:
    errors = [] if errors is None else errors
    files: dict[str, SignaturesFile] = {}
    with _collecting(errors):
        files = _signatures_checked(raw, known, ui, errors)
    return files


def _signatures_checked(raw: dict[str, bytes], known: dict[int, CodeFile], ui: UiFile,
                        errors: list[KnowledgeError]) -> dict[str, SignaturesFile]:
    files: dict[str, SignaturesFile] = {}
    owner: dict[str, tuple[int, str]] = {}  # casefolded text -> (code, file): one text, one meaning
    for entry in known.values():  # the code files' own signatures count too
        for text in (*entry.signatures, *(s for m in entry.other_meanings for s in m.signatures)):
            key = " ".join(text.casefold().split())
            owner.setdefault(key, (entry.code, f"knowledge/codes/{entry.code:03d}.toml"))
    if any(n.startswith("signatures/") for n in raw):
        for place in SIGNATURE_PLACES:  # the answer says "nginx's error log": each place needs its words
            if place not in ui.places:
                _raise("knowledge/ui.toml", f"places.{place}", "missing")
    for name in sorted(n for n in raw if n.startswith("signatures/")):
        with _collecting(errors):
            rel = f"knowledge/{name}"
            table = _convert(_parse_toml(raw[name], rel), SignaturesFile, rel)
            for where, value in (("software", table.software), ("source", table.source)):
                if not value.strip():
                    _raise(rel, where, "empty text")
            if not table.signatures:
                _raise(rel, "signatures", "no signatures")
            for i, sig in enumerate(table.signatures):
                at = f"signatures[{i}]"
                text = sig.text.strip()
                if len(text) < 8 or len(text.split()) < 2:
                    _raise(rel, f"{at}.text", f"{sig.text!r} is too short to identify a message (8 characters, "
                                               "two words at least)")
                if any(ord(ch) < 32 for ch in sig.text):
                    _raise(rel, f"{at}.text", "control characters in a signature")
                # (a code file that exists but is broken is reported on its own, not once per signature)
                if sig.code not in known and f"codes/{sig.code:03d}.toml" not in raw:
                    _raise(rel, f"{at}.code", f"{sig.code} has no file in knowledge/codes/")
                if sig.shown is not None and sig.shown not in known and f"codes/{sig.shown:03d}.toml" not in raw:
                    _raise(rel, f"{at}.shown", f"{sig.shown} has no file in knowledge/codes/")
                if sig.shown == sig.code:
                    _raise(rel, f"{at}.shown", "shown is only for a status that differs from code")
                if sig.where not in SIGNATURE_PLACES:
                    _raise(rel, f"{at}.where", f"Expected one of {', '.join(SIGNATURE_PLACES)}, got {sig.where!r}")
                if sig.note is not None and not has_hangul(sig.note.ko):
                    _raise(rel, f"{at}.note.ko", f"Korean text has no Hangul: {sig.note.ko[:40]!r}")
                key = " ".join(text.casefold().split())
                if key in owner and owner[key][0] != sig.code:
                    _raise(rel, f"{at}.text", f"also in {owner[key][1]} as {owner[key][0]}: one text, one code")
                owner.setdefault(key, (sig.code, rel))
            files[Path(name).stem] = table
    return files


def _glossary(raw: dict[str, bytes]) -> tuple[tuple[str, str], ...]:
    """(variant, the term to use) for every variant knowledge/glossary.toml lists."""
    rel = "knowledge/glossary.toml"
    if "glossary.toml" not in raw:
        return ()
    terms = _convert(_parse_toml(raw["glossary.toml"], rel), GlossaryFile, rel).terms
    pairs: list[tuple[str, str]] = []
    for i, term in enumerate(terms):
        for variant in term.avoid:
            if not variant.strip() or variant.casefold() in term.use.casefold():
                _raise(rel, f"terms[{i}].avoid", f"{variant!r} is empty or part of the term itself {term.use!r}")
            pairs.append((variant.casefold(), term.use))
    return tuple(pairs)


_BACKTICKED = re.compile(r"`[^`]*`")
_PEOPLES_WORDS = ("aliases", "scenarios", "signatures")  # what people type is theirs, not our vocabulary


def _check_vocabulary(entry: CodeFile, rel: str, glossary: tuple[tuple[str, str], ...]) -> None:
    """No Korean text of a code file uses a variant the glossary avoids (commands in backticks aside)."""
    if not glossary:
        return
    for where, text in _korean_fields(entry, ""):
        field_name = where.lstrip(".").split(".", 1)[0].split("[", 1)[0]
        if field_name in _PEOPLES_WORDS:
            continue
        prose = _BACKTICKED.sub(" ", text).casefold()
        for variant, use in glossary:
            if variant in prose:
                _raise(rel, where.lstrip("."), f"uses {variant!r}: the glossary's word is {use!r} "
                                               "(knowledge/glossary.toml)")


def _korean_words(raw: dict[str, bytes]) -> tuple[str, ...]:
    rel = "knowledge/korean_words.toml"
    if "korean_words.toml" not in raw:
        return ()
    nouns = _convert(_parse_toml(raw["korean_words.toml"], rel), KoreanWordsFile, rel).nouns
    for i, noun in enumerate(nouns):
        if not re.fullmatch(r"[\uac00-\ud7a3]{2,}", noun):
            _raise(rel, f"nouns[{i}]", f"{noun!r} is not one Korean word (Hangul syllables only, two at least)")
    return tuple(dict.fromkeys(nouns))


def _spelling(raw: dict[str, bytes]) -> dict[str, str]:
    rel = "knowledge/spelling.toml"
    if "spelling.toml" not in raw:
        return {}
    table = _convert(_parse_toml(raw["spelling.toml"], rel), SpellingFile, rel).ko
    for typed, used in table.items():
        where = f"ko.{typed}"
        if not typed.strip() or not used.strip():
            _raise(rel, where, "empty spelling")
        if not has_hangul(typed):
            _raise(rel, where, f"{typed!r} has no Hangul")
        if typed == used:
            _raise(rel, where, "the two spellings are the same")
        for other in table:
            if other in used:
                _raise(rel, where, f"{used!r} contains {other!r}, which would be rewritten again")
    return dict(table)


@lru_cache(maxsize=1)
def get_registry() -> Registry:
    """The process-wide registry, loaded on first use."""
    return load_registry()

