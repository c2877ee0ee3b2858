"""Answer -> plain data (the CLI's JSON contract, and the source of every other rendering)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import msgspec

from bot.models import CodeFile, Lang
from bot.registry import Registry, code_class
from bot.resolver.constants import SCOPED_LANGUAGES
from bot.resolver.resolve import Answer


def entry_data(entry: CodeFile, registry: Registry | None = None) -> dict[str, Any]:
    """Every field of a code, as JSON-ready data; `meanings` lists the primary meaning first."""
    primary = {
        "phrase": entry.phrase,
        "name_ko": entry.name_ko,
        "status": entry.status,
        "vendor": entry.vendor or None,
        "summary": msgspec.to_builtins(entry.summary),
        "spec": msgspec.to_builtins(entry.spec),
    }
    others = [
        {
            "phrase": m.phrase,
            "name_ko": m.name_ko,
            "status": m.status,
            "vendor": m.vendor or None,
            "summary": msgspec.to_builtins(m.summary),
            "spec": msgspec.to_builtins(m.spec),
        }
        for m in entry.other_meanings
    ]
    return {
        "code": entry.code,
        "phrase": entry.phrase,
        "name_ko": entry.name_ko,
        "class": code_class(entry.code),
        "status": entry.status,
        "vendor": entry.vendor or None,
        "former_phrases": list(entry.former_phrases),
        "meanings": [primary, *others],
        "summary": msgspec.to_builtins(entry.summary),
        "detail": msgspec.to_builtins(entry.detail),
        "spec": msgspec.to_builtins(entry.spec),
        "headers": msgspec.to_builtins(entry.headers),
        "related": msgspec.to_builtins(entry.related),
        "causes": msgspec.to_builtins(entry.causes),
        "checks": msgspec.to_builtins(entry.checks),
        "retry": msgspec.to_builtins(entry.retry),
        "cacheable": entry.cacheable,
        "aliases": msgspec.to_builtins(entry.aliases),
        "signatures": list(entry.signatures),
        "scenarios": msgspec.to_builtins(entry.scenarios),
        "in_code": [{"ecosystem": e, "constant": w} for e, w in in_code(entry.code, registry)] if registry else [],
    }


# The compact answer (Discord's default, `ask --brief`): what someone in an incident reads first. Three checks
# and two causes are what fits one phone screen beside the meaning (about 1,200 characters, issue 12); the
# knowledge lists both best first, so the first ones are the ones to show.
BRIEF_CHECKS = 3
BRIEF_CAUSES = 2
BRIEF_LINE_MIN = 60
BRIEF_LINE = 170  # the retry advice in the compact answer: about two lines of a phone-width embed
# A sentence ends at '.', '!' or '?' followed by a space and a capital, a digit, a backtick or Hangul ("e.g. the"
# and "RFC 9110 §15.1." inside a sentence do not end it).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9`\uac00-\ud7a3])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "cf.", "approx.")


@dataclass(frozen=True, slots=True)
class Brief:
    summary: str
    checks: tuple[str, ...]
    causes: tuple[str, ...]
    retry: str


def sentences(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if text[:match.start()].endswith(_ABBREVIATIONS):
            continue
        out.append(text[start:match.start()].strip())
        start = match.end()
    out.append(text[start:].strip())
    return [sentence for sentence in out if sentence]


def opening(text: str, budget: int = BRIEF_LINE) -> str:
    """The text's first sentences, as many as fit in `budget` characters (always the first one)."""
    parts = sentences(text)
    taken = parts[:1]
    for sentence in parts[1:]:
        so_far = len(" ".join(taken))
        if so_far >= BRIEF_LINE_MIN and so_far + 1 + len(sentence) > budget:
            break  # ("Depends on the cause." alone says nothing: a short opening takes the next sentence)
        taken.append(sentence)
    return " ".join(taken)


def brief(entry: CodeFile, lang: Lang) -> Brief:
    """The compact selection of a code's answer, the same for Discord and the terminal."""
    return Brief(summary=entry.summary.get(lang), checks=tuple(entry.checks.get(lang)[:BRIEF_CHECKS]),
                 causes=tuple(entry.causes.get(lang)[:BRIEF_CAUSES]), retry=opening(entry.retry.get(lang)))


_ENTRIES: dict[tuple[int, int], dict[str, Any]] = {}


def _entry_shared(code: int, registry: Registry) -> dict[str, Any]:
    """entry_data for a code, made once per registry: a batch of answers about 502 (`ask --format jsonl`) builds
    the same entry again and again otherwise. The dict is shared: read it, never change it."""
    key = (id(registry), code)
    found = _ENTRIES.get(key)
    if found is None:
        if len(_ENTRIES) > 4096:
            _ENTRIES.clear()
        found = _ENTRIES[key] = entry_data(registry.codes[code], registry)
    return found


def answer_codes(answer: Answer, registry: Registry) -> list[int]:
    """The codes an answer covers: its own, or as a listing the codes that use a header or form a class."""
    if answer.kind == "header" and answer.header:
        return [c.code for c in registry.codes_using_header(answer.header)]
    if answer.kind == "class" and answer.cls:
        return [c.code for c in registry.codes_in_class(answer.cls)]
    return list(answer.codes)


def note_text(answer: Answer, registry: Registry) -> str:
    """The human sentence for an answer's note, in the answer's language."""
    if not answer.note:
        return ""
    number = answer.number if answer.number is not None else 0
    cls = code_class(number) or ""
    return registry.ui.text("notes", answer.note, answer.lang, number=f"{number:03d}", cls=cls,
                            base=number // 100 * 100)


def constant_text(answer: Answer, registry: Registry) -> str:
    """'`HttpStatusCode.Redirect` is .NET's constant for 302 Found.' and, when the name misleads or is deprecated,
    why; empty for an answer not read from a constant."""
    hit = answer.constant
    if hit is None or (hit.cls not in registry.classes if hit.cls else hit.code not in registry.codes):
        return ""
    owners = [hit.ecosystem, *hit.also]
    if answer.lang == "ko" or len(owners) == 1:
        ecosystems = ", ".join(owners)
    else:
        ecosystems = ", ".join(owners[:-1]) + " and " + owners[-1]
    if hit.cls:
        text = registry.ui.text("notes", "constant_class", answer.lang, name=hit.name, cls=hit.cls,
                                class_name=registry.classes[hit.cls].name.get(answer.lang), ecosystem=ecosystems)
    else:
        values = {"name": hit.name, "code": f"{hit.code:03d}", "phrase": registry.codes[hit.code].phrase,
                  "ecosystem": ecosystems}
        text = registry.ui.text("notes", "constant" if hit.ecosystem else "constant_by_name", answer.lang,
                                **values)
    if hit.note is not None:
        text += " " + (hit.note.ko if answer.lang == "ko" else hit.note.en)
    return text


# how a language writes Class::CONSTANT; the others use a dot
_SCOPE = dict.fromkeys(SCOPED_LANGUAGES, "::")


def in_code(code: int, registry: Registry) -> list[tuple[str, str]]:
    """(ecosystem, the constant as written in code) for a code in the main ecosystems (those whose table has a
    `short` name), skipping deprecated, removed and misleading names: what to write, not what was written."""
    out: list[tuple[str, str]] = []
    for table in registry.constants.values():
        if not table.short:
            continue
        name = next((n for n, c in table.constants.items() if c == code and n not in table.notes), None)
        if name is None:
            continue
        if table.language == "Ruby":
            written = f":{name}"
        elif table.qualifiers:
            written = f"{table.qualifiers[0]}{_SCOPE.get(table.language, '.')}{name}"
        else:
            written = name
        out.append((table.short, written))
    return out


def in_code_text(code: int, registry: Registry) -> str:
    return " · ".join(f"`{written}` ({ecosystem})" for ecosystem, written in in_code(code, registry))


def signature_text(answer: Answer, registry: Registry) -> str:
    """"`no live upstreams` is from nginx's error log." and, when the client sees another status (nginx's 494-497
    reach the client as 400), which; empty for an answer not read from a knowledge/signatures/ file."""
    hit = answer.signature
    if hit is None or not hit.software or not answer.codes:
        return ""
    lang = answer.lang
    place = registry.ui.places.get(hit.where)
    where = place.get(lang) if place else hit.where
    text = registry.ui.text("notes", "signature", lang, text=hit.text, software=hit.software, where=where)
    if hit.shown >= 0 and hit.shown in registry.codes:
        text += " " + registry.ui.text("notes", "signature_shown", lang, shown=f"{hit.shown:03d}",
                                       shown_phrase=registry.codes[hit.shown].phrase,
                                       code=f"{next((c for c in answer.codes if c != hit.shown), 0):03d}",
                                       software=hit.software)
    note = hit.note[1] if lang == "ko" else hit.note[0]
    return f"{text} {note}" if note else text


def lead_text(answer: Answer, registry: Registry) -> str:
    """What the question was read as, above the meaning: a framework constant or a known error message."""
    return constant_text(answer, registry) or signature_text(answer, registry)


def answer_data(answer: Answer, registry: Registry, entries: bool = True) -> dict[str, Any]:
    """The answer as JSON data; `entries=False` leaves out the codes' full entries (`--no-entries`)."""
    codes = answer_codes(answer, registry)
    data: dict[str, Any] = {
        "query": answer.query,
        "kind": answer.kind,
        "codes": codes,
        "class": answer.cls,
        "header": answer.header,
        "lang": answer.lang,
        "confidence": answer.confidence,
        "suggestions": list(answer.suggestions),
        "entries": [_entry_shared(c, registry) for c in codes if entries and answer.kind in ("code", "compare")],
    }
    if answer.note:
        data["note"] = note_text(answer, registry)
    if answer.constant is not None:
        hit = answer.constant
        data["constant"] = {"name": hit.name, "code": hit.code or None, "class": hit.cls or None,
                            "ecosystem": hit.ecosystem or None,
                            "language": hit.language or None, "state": hit.note.state if hit.note else None,
                            "text": constant_text(answer, registry)}
    if answer.signature is not None and answer.signature.software:
        found = answer.signature
        data["signature"] = {"text": found.text, "software": found.software, "where": found.where,
                             "shown": found.shown if found.shown >= 0 else None,
                             "explanation": signature_text(answer, registry)}
    if answer.kind == "header" and answer.header:
        info = registry.headers[answer.header]
        data["header_info"] = {"name": answer.header, **msgspec.to_builtins(info)}
    if answer.kind == "class" and answer.cls:
        data["class_info"] = msgspec.to_builtins(registry.classes[answer.cls])
    return data
