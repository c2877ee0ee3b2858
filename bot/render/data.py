"""Answer -> plain data (the CLI's JSON contract, and the source of every other rendering)."""

from __future__ import annotations

from typing import Any

import msgspec

from bot.models import CodeFile
from bot.registry import Registry, code_class
from bot.resolver.resolve import Answer


def entry_data(entry: CodeFile) -> dict[str, Any]:
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
    }


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
    if hit is None or hit.code not in registry.codes:
        return ""
    values = {"name": hit.name, "code": f"{hit.code:03d}", "phrase": registry.codes[hit.code].phrase,
              "ecosystem": hit.ecosystem}
    text = registry.ui.text("notes", "constant" if hit.ecosystem else "constant_by_name", answer.lang, **values)
    if hit.note is not None:
        text += " " + (hit.note.ko if answer.lang == "ko" else hit.note.en)
    return text


def answer_data(answer: Answer, registry: Registry) -> dict[str, Any]:
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
        "entries": [entry_data(registry.codes[c]) for c in codes if answer.kind in ("code", "compare")],
    }
    if answer.note:
        data["note"] = note_text(answer, registry)
    if answer.constant is not None:
        hit = answer.constant
        data["constant"] = {"name": hit.name, "code": hit.code, "ecosystem": hit.ecosystem or None,
                            "language": hit.language or None, "state": hit.note.state if hit.note else None,
                            "text": constant_text(answer, registry)}
    if answer.kind == "header" and answer.header:
        info = registry.headers[answer.header]
        data["header_info"] = {"name": answer.header, **msgspec.to_builtins(info)}
    if answer.kind == "class" and answer.cls:
        data["class_info"] = msgspec.to_builtins(registry.classes[answer.cls])
    return data
