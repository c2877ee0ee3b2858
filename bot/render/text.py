"""Answer -> readable text for a terminal: wrapped to the terminal's width by display columns (a Hangul
syllable takes two), never inside a `backticked span`, a header name, a URL or a code, with hanging indents
for bullets, and coloured only when asked (see bot.adapters.cli)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.models import CodeFile, Lang
from bot.registry import Registry, code_class
from bot.render.data import answer_codes, brief, in_code_text, lead_text, note_text
from bot.resolver.resolve import Answer

WIDTH = 100  # the widest a text answer gets, whatever the terminal: longer lines are hard to read
MIN_WIDTH = 40
_LEADING_CODE = re.compile(r"\d{3}(?!\d)")
_CODE_IN_NOTE = re.compile(r"(?<![\w.])([1-5]\d\d)(?=:)")
# What a line may not be broken inside: a backticked span (with what sticks to it, "`curl -v`,"), else a word.
_ATOM = re.compile(r"[^\s`]*(?:`[^`]*`[^\s`]*)+|\S+")
# ANSI SGR colours of the classes' titles (the Discord embed colours' nearest terminal colours).
_SGR = re.compile(r"\x1b\[[0-9;]*m")
_CLASS_SGR = {"1xx": "90", "2xx": "32", "3xx": "36", "4xx": "33", "5xx": "31", None: "35"}


@dataclass(frozen=True, slots=True)
class Layout:
    """How a text answer is laid out: its width in columns, and whether to colour it."""

    width: int = WIDTH
    colour: bool = False

    def bold(self, text: str, cls: str | None = None) -> str:
        return f"\x1b[1;{_CLASS_SGR.get(cls, '35')}m{text}\x1b[0m" if self.colour else text

    def dim(self, text: str) -> str:
        return f"\x1b[2m{text}\x1b[0m" if self.colour else text


PLAIN = Layout()


def columns(text: str) -> int:
    """Display columns of a text: East Asian wide characters and most emoji take two; colour codes none."""
    if "\x1b" in text:
        text = _SGR.sub("", text)
    if text.isascii():
        return len(text)
    from wcwidth import wcswidth  # (imported when first needed: it costs a cold `ask 503` about 30 ms)

    width = wcswidth(text)
    return width if width >= 0 else len(text)  # (a control character: count characters)


def wrap(text: str, width: int, indent: str = "  ", hanging: str | None = None) -> str:
    """Fill lines up to `width` columns, breaking only between atoms (see _ATOM); an atom longer than a line
    gets a line of its own rather than being cut."""
    subsequent = indent if hanging is None else hanging
    lines: list[str] = []
    line, used, prefix = "", 0, indent
    for atom in _ATOM.findall(" ".join(text.split())):
        size = columns(atom)
        if line and used + 1 + size > width:
            lines.append(line)
            line, used, prefix = "", 0, subsequent
        if not line:
            line, used = prefix + atom, columns(prefix) + size
        else:
            line, used = f"{line} {atom}", used + 1 + size
    if line:
        lines.append(line)
    return "\n".join(lines)


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


def _bullets(items: tuple[str, ...] | list[str], width: int) -> list[str]:
    return [wrap(item, width, indent="  - ", hanging="    ") for item in items]


def _heading(entry: CodeFile, lang: Lang, layout: Layout) -> list[str]:
    lines = wrap(title(entry, lang), layout.width, indent="", hanging="    ").splitlines()
    rule = "=" * min(layout.width, max(columns(line) for line in lines) + 4)
    return [*(layout.bold(line, code_class(entry.code)) for line in lines), layout.dim(rule)]


def _note_lines(note: str, label: str, registry: Registry, lang: Lang, layout: Layout) -> list[str]:
    if not note:
        return []
    return ["", layout.dim(registry.ui.text("labels", label, lang) + ":"), wrap(note, layout.width)]


def render_entry(entry: CodeFile, registry: Registry, lang: Lang, layout: Layout = PLAIN, note: str = "",
                 note_label: str = "team_note") -> str:
    ui = registry.ui
    width = layout.width

    def label(key: str) -> str:
        return layout.dim(ui.text("labels", key, lang) + ":")

    lines = _heading(entry, lang, layout)
    cls = code_class(entry.code)
    meta = [f"{label('class')} {cls} {registry.classes[cls].name.get(lang)}" if cls else "",
            f"{label('status')} {status_line(entry, registry, lang)}"]
    lines.append(wrap("  ".join(m for m in meta if m), width, indent="", hanging="  "))
    if entry.former_phrases:
        lines.append(wrap(f"{label('formerly')} {', '.join(entry.former_phrases)}", width, indent="", hanging="  "))
    lines += ["", wrap(entry.summary.get(lang), width), "", wrap(entry.detail.get(lang), width)]
    if entry.other_meanings:
        lines += ["", label("other_meanings")]
        for meaning in entry.other_meanings:
            who = f" ({meaning.vendor})" if meaning.vendor else ""
            name = meaning.name_ko if lang == "ko" else meaning.phrase
            lines += _bullets([f"{name}{who}: {meaning.summary.get(lang)}"], width)
    if entry.headers:
        lines += ["", label("headers")]
        lines += _bullets([f"{h.name}: {h.why.get(lang)}" for h in entry.headers], width)
    lines += _note_lines(note, note_label, registry, lang, layout)
    if entry.checks.get(lang):
        lines += ["", label("checks"), *_bullets(entry.checks.get(lang), width)]
    if entry.causes.get(lang):
        lines += ["", label("causes"), *_bullets(entry.causes.get(lang), width)]
    lines += ["", label("retry"), wrap(entry.retry.get(lang), width)]
    lines += [label("cache"), wrap(ui.text("cache", "yes" if entry.cacheable else "no", lang), width)]
    if entry.related:
        lines += ["", label("related")]
        lines += _bullets([related_line(r.code, r.note.get(lang)) for r in entry.related], width)
    if written := in_code_text(entry.code, registry):
        lines += ["", label("in_code"), wrap(written, width)]
    lines += ["", wrap(f"{label('spec')} {entry.spec.label()} {entry.spec.url}", width, indent="", hanging="  ")]
    return "\n".join(lines)


def render_brief(entry: CodeFile, registry: Registry, lang: Lang, layout: Layout = PLAIN, note: str = "",
                 note_label: str = "team_note") -> str:
    """The compact answer (the same selection as Discord's compact embed, bot.render.data.brief)."""
    ui = registry.ui
    width = layout.width
    selection = brief(entry, lang)
    lines = [*_heading(entry, lang, layout), wrap(selection.summary, width)]
    lines += _note_lines(note, note_label, registry, lang, layout)
    if selection.checks:
        lines += ["", layout.dim(ui.text("labels", "checks", lang) + ":"), *_bullets(selection.checks, width)]
    if selection.causes:
        lines += ["", layout.dim(ui.text("labels", "causes", lang) + ":"), *_bullets(selection.causes, width)]
    lines += ["", layout.dim(ui.text("labels", "retry", lang) + ":"), wrap(selection.retry, width)]
    return "\n".join(lines)


def render_compare(codes: list[int], registry: Registry, lang: Lang, layout: Layout = PLAIN) -> str:
    ui = registry.ui
    entries = [registry.codes[c] for c in codes]
    lines = [layout.bold(ui.text("labels", "compare", lang) + ": " + " / ".join(f"{e.code:03d}" for e in entries)),
             ""]
    for entry in entries:
        lines += [layout.bold(title(entry, lang), code_class(entry.code)), wrap(entry.summary.get(lang), layout.width)]
        for ref in entry.related:
            if ref.code in codes:
                lines += _bullets([related_line(ref.code, ref.note.get(lang))], layout.width)
        lines.append("")
    return "\n".join(lines).rstrip()


def render_answer(answer: Answer, registry: Registry, layout: Layout = PLAIN, brief_only: bool = False,
                  notes: Mapping[int, str] | None = None, note_label: str = "team_note") -> str:
    """The whole answer as text; `brief_only` gives a code its compact answer (`statusbot ask --brief`); `notes`
    are a team's own notes per code (`ask --notes FILE`, a server's notes in Discord's plain-text form)."""
    lang = answer.lang
    ui = registry.ui
    width = layout.width
    if answer.kind == "code":
        entry_text = render_brief if brief_only else render_entry
        body = "\n\n\n".join(entry_text(registry.codes[c], registry, lang, layout, (notes or {}).get(c, ""),
                                         note_label) for c in answer.codes)
        lead = lead_text(answer, registry)
        return f"{wrap(lead, width, '')}\n\n{body}" if lead else body
    if answer.kind == "compare":
        return render_compare(list(answer.codes), registry, lang, layout)
    if answer.kind == "class" and answer.cls:
        info = registry.classes[answer.cls]
        lines = [layout.bold(f"{answer.cls} {info.name.get(lang)}", answer.cls), "",
                 wrap(info.summary.get(lang), width)]
        if not brief_only:
            lines += ["", wrap(info.detail.get(lang), width)]
        lines += ["", layout.dim(ui.text("labels", "codes_in_class", lang) + ":")]
        lines += [f"  {title(registry.codes[c], lang)}" for c in answer_codes(answer, registry)]
        lead = lead_text(answer, registry)
        return f"{wrap(lead, width, '')}\n\n" + "\n".join(lines) if lead else "\n".join(lines)
    if answer.kind == "header" and answer.header:
        header = registry.headers[answer.header]
        lines = [layout.bold(answer.header), "", wrap(header.summary.get(lang), width),
                 f"  {layout.dim(ui.text('labels', 'direction', lang) + ':')} "
                 f"{ui.text('direction', header.direction, lang)}",
                 f"  {layout.dim(ui.text('labels', 'spec', lang) + ':')} {header.spec.label()} {header.spec.url}", "",
                 layout.dim(ui.text("labels", "codes_using_header", lang) + ":")]
        for entry in registry.codes_using_header(answer.header):
            why = next(h.why.get(lang) for h in entry.headers if h.name == answer.header)
            lines += _bullets([f"{title(entry, lang)}: {why}"], width)
        return "\n".join(lines)
    lines = [note_text(answer, registry) or ui.text("notes", "no_match", lang)]
    if answer.suggestions:
        lines += ["", layout.dim(ui.text("labels", "suggestions", lang) + ":")]
        lines += [f"  {title(registry.codes[c], lang)}" for c in answer.suggestions]
    return "\n".join(lines)
