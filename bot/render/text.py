"""Answer -> readable text for a terminal."""

from __future__ import annotations

import re
import textwrap

from bot.models import CodeFile, Lang
from bot.registry import Registry, code_class
from bot.render.data import answer_codes, in_code_text, lead_text, note_text
from bot.resolver.resolve import Answer

WIDTH = 100
_LEADING_CODE = re.compile(r"\d{3}(?!\d)")
_CODE_IN_NOTE = re.compile(r"(?<![\w.])([1-5]\d\d)(?=:)")


def status_line(entry: CodeFile, registry: Registry, lang: Lang) -> str:
    return registry.ui.text("status", entry.status, lang, vendor=entry.vendor)


def title(entry: CodeFile, lang: Lang) -> str:
    """'503 Service Unavailable · 서비스 이용 불가' (Korean name first for Korean readers)."""
    if lang == "ko":
        return f"{entry.code:03d} {entry.name_ko} · {entry.phrase}"
    return f"{entry.code:03d} {entry.phrase} · {entry.name_ko}"


def related_line(code: int, note: str, bold: bool = False) -> str:
    """'503: …' unless the note already begins with codes and names this one, as most contrasts do ('503: no
    healthy upstream …', '401: we don't know who you are; 403: …'): a label there would say a code twice."""
    label = f"**{code:03d}**" if bold else f"{code:03d}"
    if note.startswith(str(code)):
        return label + note[len(str(code)):] if bold else note
    if _LEADING_CODE.match(note) and str(code) in note:
        return _CODE_IN_NOTE.sub(r"**\1**", note) if bold else note
    return f"{label}: {note}"


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(" ".join(text.split()), WIDTH, initial_indent=indent, subsequent_indent=indent)


def _bullets(items: tuple[str, ...] | list[str]) -> list[str]:
    return [textwrap.fill(" ".join(item.split()), WIDTH, initial_indent="  - ", subsequent_indent="    ")
            for item in items]


def render_entry(entry: CodeFile, registry: Registry, lang: Lang) -> str:
    ui = registry.ui

    def label(key: str) -> str:
        return ui.text("labels", key, lang)

    lines = [title(entry, lang), "=" * min(WIDTH, len(title(entry, lang)) + 4)]
    cls = code_class(entry.code)
    meta = [f"{label('class')}: {cls} {registry.classes[cls].name.get(lang)}" if cls else "",
            f"{label('status')}: {status_line(entry, registry, lang)}"]
    lines.append("  ".join(m for m in meta if m))
    if entry.former_phrases:
        lines.append(f"{label('formerly')}: {', '.join(entry.former_phrases)}")
    lines += ["", _wrap(entry.summary.get(lang)), "", _wrap(entry.detail.get(lang))]
    if entry.other_meanings:
        lines += ["", f"{label('other_meanings')}:"]
        for meaning in entry.other_meanings:
            who = f" ({meaning.vendor})" if meaning.vendor else ""
            name = meaning.name_ko if lang == "ko" else meaning.phrase
            lines += _bullets([f"{name}{who}: {meaning.summary.get(lang)}"])
    if entry.headers:
        lines += ["", f"{label('headers')}:"]
        lines += _bullets([f"{h.name}: {h.why.get(lang)}" for h in entry.headers])
    if entry.checks.get(lang):
        lines += ["", f"{label('checks')}:", *_bullets(entry.checks.get(lang))]
    if entry.causes.get(lang):
        lines += ["", f"{label('causes')}:", *_bullets(entry.causes.get(lang))]
    lines += ["", f"{label('retry')}:", _wrap(entry.retry.get(lang))]
    lines += [f"{label('cache')}:", _wrap(ui.text("cache", "yes" if entry.cacheable else "no", lang))]
    if entry.related:
        lines += ["", f"{label('related')}:"]
        lines += _bullets([related_line(r.code, r.note.get(lang)) for r in entry.related])
    if written := in_code_text(entry.code, registry):
        lines += ["", f"{label('in_code')}:", _wrap(written)]
    lines += ["", f"{label('spec')}: {entry.spec.label()} {entry.spec.url}"]
    return "\n".join(lines)


def render_compare(codes: list[int], registry: Registry, lang: Lang) -> str:
    ui = registry.ui
    entries = [registry.codes[c] for c in codes]
    lines = [ui.text("labels", "compare", lang) + ": " + " / ".join(f"{e.code:03d}" for e in entries), ""]
    for entry in entries:
        lines += [title(entry, lang), _wrap(entry.summary.get(lang))]
        for ref in entry.related:
            if ref.code in codes:
                lines += _bullets([related_line(ref.code, ref.note.get(lang))])
        lines.append("")
    return "\n".join(lines).rstrip()


def render_answer(answer: Answer, registry: Registry) -> str:
    lang = answer.lang
    ui = registry.ui
    if answer.kind == "code":
        body = "\n\n\n".join(render_entry(registry.codes[c], registry, lang) for c in answer.codes)
        lead = lead_text(answer, registry)
        return f"{_wrap(lead, '')}\n\n{body}" if lead else body
    if answer.kind == "compare":
        return render_compare(list(answer.codes), registry, lang)
    if answer.kind == "class" and answer.cls:
        info = registry.classes[answer.cls]
        lines = [f"{answer.cls} {info.name.get(lang)}", "", _wrap(info.summary.get(lang)), "",
                 _wrap(info.detail.get(lang)), "", ui.text("labels", "codes_in_class", lang) + ":"]
        lines += [f"  {title(registry.codes[c], lang)}" for c in answer_codes(answer, registry)]
        return "\n".join(lines)
    if answer.kind == "header" and answer.header:
        header = registry.headers[answer.header]
        lines = [answer.header, "", _wrap(header.summary.get(lang)),
                 f"  {ui.text('labels', 'direction', lang)}: {ui.text('direction', header.direction, lang)}",
                 f"  {ui.text('labels', 'spec', lang)}: {header.spec.label()} {header.spec.url}", "",
                 ui.text("labels", "codes_using_header", lang) + ":"]
        for entry in registry.codes_using_header(answer.header):
            why = next(h.why.get(lang) for h in entry.headers if h.name == answer.header)
            lines += _bullets([f"{title(entry, lang)}: {why}"])
        return "\n".join(lines)
    lines = [note_text(answer, registry) or ui.text("notes", "no_match", lang)]
    if answer.suggestions:
        lines += ["", ui.text("labels", "suggestions", lang) + ":"]
        lines += [f"  {title(registry.codes[c], lang)}" for c in answer.suggestions]
    return "\n".join(lines)
