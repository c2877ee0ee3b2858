"""Answer -> a Discord message payload as plain JSON data (content, embeds, components, allowed_mentions).

No discord import: the Discord adapter turns these dicts into discord.py objects, and
`statusbot ask --format discord` prints them for review. Every Discord limit is enforced here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.models import CodeFile, Lang
from bot.registry import Registry, code_class
from bot.render.data import answer_codes, brief, in_code_text, lead_text, note_text, opening
from bot.render.text import related_line, status_line, title
from bot.resolver.resolve import Answer

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
EMBED_TOTAL_MAX = 6000
FOOTER_MAX = 2048
CUSTOM_ID_MAX = 100
SELECT_OPTIONS_MAX = 25
OPTION_LABEL_MAX = 100
OPTION_DESCRIPTION_MAX = 100
BUTTON_LABEL_MAX = 80
ECHO_MAX = 100
NOTE_MAX = 500  # a team note (bot.settings_store.NOTE_MAX)

COLOURS = {"1xx": 0x95A5A6, "2xx": 0x2ECC71, "3xx": 0x3498DB, "4xx": 0xF0A020, "5xx": 0xE74C3C, None: 0x607D8B}

# custom_id prefixes; the Discord adapter's DynamicItems parse the same shapes.
# A view that shows the full answer carries ":f" (a toggle keeps what its message shows).
LANG_TOGGLE_ID = "statusbot:lang:{target}:{lang}{full}"
DETAIL_TOGGLE_ID = "statusbot:more:{target}:{lang}:{show}"  # show: "f" the full answer, "c" the compact one
RELATED_SELECT_ID = "statusbot:rel:{lang}"
COMPACT_MAX = 1200  # the compact embed's text: one phone screen (issue 12)

_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]()-])")
_MENTION = re.compile(r"@(everyone|here|[!&]?\d+)|<(@[!&]?|#)(\d+)>")


def escape(text: str, limit: int = ECHO_MAX) -> str:
    """User text made safe to echo: cut, markdown-escaped, mentions broken with a zero-width space."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = _MARKDOWN.sub(r"\\\1", text)
    return _MENTION.sub(lambda m: m.group(0).replace("@", "@\u200b").replace("<", "<\u200b"), text)


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bullets(items: list[str] | tuple[str, ...], limit: int = FIELD_VALUE_MAX) -> str:
    """As many whole bullet items as fit; a cut marks what was left out."""
    out: list[str] = []
    used = 0
    for item in items:
        line = f"• {item}"
        if used + len(line) + 1 > limit:
            if not out:
                out.append(cut(line, limit))
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join(out)


def target_of(answer: Answer) -> str:
    """What a language toggle re-renders: 'code-503', 'cmp-401-403', 'cls-5xx', 'hdr-Retry-After'."""
    if answer.kind == "code":
        return "code-" + "-".join(str(c) for c in answer.codes[:8])
    if answer.kind == "compare":
        return "cmp-" + "-".join(str(c) for c in answer.codes[:4])
    if answer.kind == "class" and answer.cls:
        return f"cls-{answer.cls}"
    if answer.kind == "header" and answer.header:
        return f"hdr-{answer.header}"
    return ""


def answer_from_target(target: str, lang: Lang, registry: Registry) -> Answer | None:
    """The inverse of target_of, for buttons clicked long after the message (and restarts)."""
    kind, _, arg = target.partition("-")
    try:
        if kind in ("code", "cmp"):
            codes = tuple(int(c) for c in arg.split("-") if c)
            if not codes or any(c not in registry.codes for c in codes):
                return None
            return Answer(query=target, kind="code" if kind == "code" else "compare", codes=codes, lang=lang,
                          confidence=1.0)
    except ValueError:
        return None
    if kind == "cls" and arg in registry.classes:
        return Answer(query=target, kind="class", cls=arg, lang=lang, confidence=1.0)
    if kind == "hdr" and registry.header(arg):
        return Answer(query=target, kind="header", header=arg, lang=lang, confidence=1.0)
    return None


class _Embed:
    """Builds one embed and keeps it inside every limit, including the 6,000-character total."""

    def __init__(self, title_text: str, colour: int, url: str = "") -> None:
        self.data: dict[str, Any] = {"title": cut(title_text, TITLE_MAX), "color": colour, "fields": []}
        if url:
            self.data["url"] = url

    def description(self, text: str) -> None:
        self.data["description"] = cut(text, DESCRIPTION_MAX)

    def field(self, name: str, value: str, inline: bool = False) -> None:
        if not value.strip() or len(self.data["fields"]) >= FIELDS_MAX:
            return
        self.data["fields"].append({"name": cut(name, FIELD_NAME_MAX), "value": cut(value, FIELD_VALUE_MAX),
                                    "inline": inline})

    def footer(self, text: str) -> None:
        self.data["footer"] = {"text": cut(text, FOOTER_MAX)}

    def size(self) -> int:
        return embed_size(self.data)

    def fit(self, droppable: list[str]) -> dict[str, Any]:
        """Drop the named fields, last first, then shorten the description, until the total fits."""
        for name in droppable:
            if self.size() <= EMBED_TOTAL_MAX:
                break
            self.data["fields"] = [f for f in self.data["fields"] if f["name"] != name]
        over = self.size() - EMBED_TOTAL_MAX
        if over > 0 and "description" in self.data:
            self.data["description"] = cut(self.data["description"], max(1, len(self.data["description"]) - over))
        if not self.data["fields"]:
            del self.data["fields"]
        return self.data


def compact_code_embed(entry: CodeFile, registry: Registry, lang: Lang, thumbnail: str = "", lead: str = "",
                       note: str = "") -> dict[str, Any]:
    """The answer at a glance: the meaning, the first checks, the likeliest causes and retry in a line. The rest
    is one click away (the Details button) and the see-also codes are the select menu."""
    ui = registry.ui
    selection = brief(entry, lang)
    embed = _Embed(title(entry, lang), COLOURS[code_class(entry.code)], entry.spec.url)
    embed.description((f"{opening(lead, 300)}\n\n" if lead else "") + f"**{selection.summary}**")
    if note:  # the team's own word comes before anything general
        embed.field(ui.text("labels", "server_note", lang), escape(note, NOTE_MAX))
    embed.field(ui.text("labels", "checks", lang), bullets(selection.checks))
    embed.field(ui.text("labels", "causes", lang), bullets(selection.causes))
    embed.field(ui.text("labels", "retry", lang), selection.retry)
    embed.footer(f"statusbot · {entry.spec.label()}")
    if thumbnail:
        embed.data["thumbnail"] = {"url": thumbnail}
    data = embed.fit([])
    fields = data.get("fields", [])
    budget = COMPACT_MAX + (len(fields[0]["value"]) if note and fields else 0)  # (a note is never cut for room)
    while embed_size(data) > budget and len(fields) > 1:
        fields.pop(-2 if len(fields) >= 3 else -1)  # the causes go first, the checks last
    return data


def code_embed(entry: CodeFile, registry: Registry, lang: Lang, thumbnail: str = "", lead: str = "",
               note: str = "") -> dict[str, Any]:
    """`lead` goes above the meaning: what the question was read as (a framework constant)."""
    ui = registry.ui

    def label(key: str) -> str:
        return ui.text("labels", key, lang)

    cls = code_class(entry.code)
    embed = _Embed(title(entry, lang), COLOURS[cls], entry.spec.url)
    embed.description((f"{lead}\n\n" if lead else "") + f"**{entry.summary.get(lang)}**\n\n{entry.detail.get(lang)}")
    if cls:
        embed.field(label("class"), f"{cls} · {registry.classes[cls].name.get(lang)}", inline=True)
    embed.field(label("status"), status_line(entry, registry, lang), inline=True)
    embed.field(label("spec"), f"[{entry.spec.label()}]({entry.spec.url})", inline=True)
    if entry.former_phrases:
        embed.field(label("formerly"), ", ".join(entry.former_phrases))
    if entry.other_meanings:
        embed.field(label("other_meanings"), bullets([
            f"**{m.phrase if lang == 'en' else m.name_ko}**"
            + (f" ({m.vendor})" if m.vendor else "") + f": {m.summary.get(lang)}"
            for m in entry.other_meanings
        ]))
    if entry.headers:
        embed.field(label("headers"), bullets([f"`{h.name}`: {h.why.get(lang)}" for h in entry.headers]))
    if note:
        embed.field(label("server_note"), escape(note, NOTE_MAX))
    embed.field(label("checks"), bullets(entry.checks.get(lang)))
    embed.field(label("causes"), bullets(entry.causes.get(lang)))
    embed.field(label("retry"), entry.retry.get(lang))
    embed.field(label("cache"), ui.text("cache", "yes" if entry.cacheable else "no", lang))
    if entry.related:
        embed.field(label("related"), bullets([related_line(r.code, r.note.get(lang), bold=True)
                                               for r in entry.related]))
    if written := in_code_text(entry.code, registry):
        embed.field(label("in_code"), written)
    embed.footer(f"statusbot · {entry.spec.label()}")
    if thumbnail:
        embed.data["thumbnail"] = {"url": thumbnail}
    return embed.fit([label("in_code"), label("causes"), label("related"), label("headers"), label("cache"),
                      label("formerly")])


def compare_embed(codes: list[int], registry: Registry, lang: Lang, full: bool = True) -> dict[str, Any]:
    entries = [registry.codes[c] for c in codes]
    classes = {code_class(e.code) for e in entries}
    colour = COLOURS[classes.pop()] if len(classes) == 1 else COLOURS[None]
    embed = _Embed(" vs ".join(f"{e.code:03d}" for e in entries) + " · "
                   + registry.ui.text("labels", "compare", lang), colour)
    if not full:
        # One line per code, then the difference as the first code's file puts it (or the second's).
        embed.description("\n".join(f"**{title(e, lang)}**: {e.summary.get(lang)}" for e in entries))
        contrast = next((related_line(r.code, r.note.get(lang), bold=True) for e in entries for r in e.related
                         if r.code in codes and r.code != e.code), "")
        embed.field(registry.ui.text("labels", "key_difference", lang), contrast)
        embed.footer("statusbot")
        return embed.fit([])
    for entry in entries:
        contrasts = [related_line(r.code, r.note.get(lang), bold=True) for r in entry.related if r.code in codes]
        value = entry.summary.get(lang) + ("\n" + bullets(contrasts, FIELD_VALUE_MAX // 2) if contrasts else "")
        embed.field(title(entry, lang), value)
    embed.footer("statusbot")
    return embed.fit([])


def class_embed(cls: str, registry: Registry, lang: Lang, lead: str = "") -> dict[str, Any]:
    info = registry.classes[cls]
    embed = _Embed(f"{cls} · {info.name.get(lang)}", COLOURS[cls])
    opened = f"{opening(lead, 300)}\n\n" if lead else ""  # what the question was read as: a constant
    embed.description(f"{opened}**{info.summary.get(lang)}**\n\n{info.detail.get(lang)}")
    lines = [f"`{e.code:03d}` {e.name_ko if lang == 'ko' else e.phrase}" + (f" ({e.vendor})" if e.vendor else "")
             for e in registry.codes_in_class(cls)]
    chunk: list[str] = []
    name = registry.ui.text("labels", "codes_in_class", lang)
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > FIELD_VALUE_MAX:
            embed.field(name, "\n".join(chunk), inline=True)
            chunk = []
        chunk.append(line)
    embed.field(name, "\n".join(chunk), inline=True)
    embed.footer("statusbot · RFC 9110 §15")
    return embed.fit([])


def header_embed(name: str, registry: Registry, lang: Lang) -> dict[str, Any]:
    info = registry.headers[name]
    ui = registry.ui
    embed = _Embed(name, COLOURS[None], info.spec.url)
    embed.description(info.summary.get(lang))
    embed.field(ui.text("labels", "direction", lang), ui.text("direction", info.direction, lang), inline=True)
    embed.field(ui.text("labels", "spec", lang), f"[{info.spec.label()}]({info.spec.url})", inline=True)
    users = []
    for entry in registry.codes_using_header(name):
        why = next(h.why.get(lang) for h in entry.headers if h.name == name)
        users.append(f"**{entry.code:03d}**: {why}")
    embed.field(ui.text("labels", "codes_using_header", lang), bullets(users))
    embed.footer("statusbot")
    return embed.fit([])


def none_embed(answer: Answer, registry: Registry) -> dict[str, Any]:
    lang = answer.lang
    embed = _Embed(note_text(answer, registry) or registry.ui.text("notes", "no_match", lang), COLOURS[None])
    lines = [f"> {escape(answer.query)}"] if answer.query.strip() else []
    if answer.note in ("no_match", "empty", "not_sure"):
        lines.append(registry.ui.text("notes", "empty", lang))
    embed.description("\n\n".join(lines))
    if answer.suggestions:
        embed.field(registry.ui.text("labels", "suggestions", lang),
                    "\n".join(title(registry.codes[c], lang) for c in answer.suggestions))
    return embed.fit([])


def has_details(answer: Answer) -> bool:
    """Whether the answer has a compact and a full form (a code, codes or a comparison)."""
    return answer.kind in ("code", "compare") and bool(answer.codes)


def components(answer: Answer, registry: Registry, full: bool = True) -> list[dict[str, Any]]:
    """Language toggle, Details/Less, spec link and a select of related codes (or of the suggestions)."""
    lang = answer.lang
    other: Lang = "en" if lang == "ko" else "ko"
    buttons: list[dict[str, Any]] = []
    target = target_of(answer)
    if target:
        custom_id = LANG_TOGGLE_ID.format(target=target, lang=other, full=":f" if full and has_details(answer)
                                          else "")
        if len(custom_id) <= CUSTOM_ID_MAX:
            buttons.append({"type": 2, "style": 2, "label": "English" if other == "en" else "한국어",
                            "custom_id": custom_id})
    if target and has_details(answer):
        custom_id = DETAIL_TOGGLE_ID.format(target=target, lang=lang, show="c" if full else "f")
        if len(custom_id) <= CUSTOM_ID_MAX:
            buttons.append({"type": 2, "style": 1 if not full else 2,
                            "label": cut(registry.ui.text("labels", "less_button" if full else "details_button",
                                                          lang), BUTTON_LABEL_MAX),
                            "custom_id": custom_id})
    spec_url = ""
    if answer.kind == "code" and len(answer.codes) == 1:
        spec_url = registry.codes[answer.codes[0]].spec.url
    elif answer.kind == "header" and answer.header:
        spec_url = registry.headers[answer.header].spec.url
    if spec_url:
        buttons.append({"type": 2, "style": 5, "label": cut(registry.ui.text("labels", "spec_button", lang),
                                                            BUTTON_LABEL_MAX), "url": spec_url})
    rows: list[dict[str, Any]] = [{"type": 1, "components": buttons}] if buttons else []

    options: list[tuple[int, str]] = []
    if answer.kind == "code" and len(answer.codes) == 1:
        entry = registry.codes[answer.codes[0]]
        options = [(r.code, r.note.get(lang)) for r in entry.related]
    elif answer.kind == "code":
        options = [(c, registry.codes[c].summary.get(lang)) for c in answer.codes]
    elif answer.kind == "none":
        options = [(c, registry.codes[c].summary.get(lang)) for c in answer.suggestions]
    options = [(c, d) for c, d in options if c in registry.codes][:SELECT_OPTIONS_MAX]
    if options:
        rows.append({"type": 1, "components": [{
            "type": 3,
            "custom_id": RELATED_SELECT_ID.format(lang=lang),
            "placeholder": cut(registry.ui.text("labels", "related_select", lang), 150),
            "min_values": 1,
            "max_values": 1,
            "options": [{"label": cut(title(registry.codes[c], lang), OPTION_LABEL_MAX), "value": str(c),
                         "description": cut(d, OPTION_DESCRIPTION_MAX)} for c, d in options],
        }]})
    return rows


def codes_list_embed(answer: Answer, registry: Registry, notes: Mapping[int, str] | None = None
                     ) -> dict[str, Any]:
    """Several codes at a glance (a pasted log, '500 502 503 504'): one line per code with its meaning; the
    select opens any of them, Details shows them in full."""
    lang = answer.lang
    classes = {code_class(c) for c in answer.codes}
    colour = COLOURS[classes.pop()] if len(classes) == 1 else COLOURS[None]
    embed = _Embed(registry.ui.text("labels", "codes_found", lang, count=len(answer.codes)), colour)
    lead = lead_text(answer, registry)
    lines = [f"{opening(lead, 300)}\n"] if lead else []
    for code in answer.codes[:SELECT_OPTIONS_MAX]:
        entry = registry.codes[code]
        lines.append(f"**{title(entry, lang)}**: {opening(entry.summary.get(lang), 160)}")
    text = "\n".join(lines)
    while len(text) > COMPACT_MAX and len(lines) > 1:
        lines.pop()
        text = "\n".join(lines)
    embed.description(text)
    noted = [f"**{code:03d}**: {escape(notes[code], NOTE_MAX)}" for code in answer.codes if notes and code in notes]
    if noted:
        embed.field(registry.ui.text("labels", "server_note", lang), "\n".join(noted))
    embed.footer("statusbot")
    return embed.fit([])


def answer_embeds(answer: Answer, registry: Registry, thumbnail_for: dict[int, str] | None = None,
                  full: bool = True, notes: Mapping[int, str] | None = None) -> list[dict[str, Any]]:
    lang = answer.lang
    notes = notes or {}
    if answer.kind == "code" and len(answer.codes) > 1 and not full:
        return [codes_list_embed(answer, registry, notes)]
    if answer.kind == "code":
        # One embed per code, at most three (and 6,000 characters across a message's embeds).
        embeds: list[dict[str, Any]] = []
        total = 0
        lead = lead_text(answer, registry)
        for i, code in enumerate(answer.codes[:3]):
            build = code_embed if full else compact_code_embed
            embed = build(registry.codes[code], registry, lang, (thumbnail_for or {}).get(code, ""),
                          lead if i == 0 else "", notes.get(code, ""))
            size = embed_size(embed)
            if total + size > EMBED_TOTAL_MAX:
                break
            embeds.append(embed)
            total += size
        return embeds
    if answer.kind == "compare":
        return [compare_embed(list(answer.codes), registry, lang, full)]
    if answer.kind == "class" and answer.cls:
        return [class_embed(answer.cls, registry, lang, lead_text(answer, registry))]
    if answer.kind == "header" and answer.header:
        return [header_embed(answer.header, registry, lang)]
    return [none_embed(answer, registry)]


def embed_size(embed: dict[str, Any]) -> int:
    """The characters Discord counts against an embed's 6,000 limit."""
    return (len(embed.get("title", "")) + len(embed.get("description", ""))
            + len(embed.get("footer", {}).get("text", ""))
            + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", [])))


def answer_payload(answer: Answer, registry: Registry, thumbnail_for: dict[int, str] | None = None,
                   full: bool = False, notes: Mapping[int, str] | None = None) -> dict[str, Any]:
    """The whole message: what `statusbot ask --format discord` prints and what the bot sends. Compact unless
    `full`: the Details button switches."""
    return {
        "content": "",
        "embeds": answer_embeds(answer, registry, thumbnail_for, full, notes),
        "components": components(answer, registry, full),
        "allowed_mentions": {"parse": []},
    }


def answer_plain_text(answer: Answer, registry: Registry, limit: int = 2000, full: bool = False,
                      notes: Mapping[int, str] | None = None) -> str:
    """Fallback for channels where the bot lacks Embed Links: the same answer as plain text (compact unless
    `full`, as the embed would be)."""
    from bot.render.text import render_answer

    text = render_answer(answer, registry, brief_only=not full, notes=notes, note_label="server_note")
    text = _MENTION.sub(lambda m: m.group(0).replace("@", "@\u200b").replace("<", "<\u200b"), text)
    return cut(text, limit)


__all__ = ["answer_codes", "answer_from_target", "answer_payload", "answer_plain_text", "escape", "target_of"]
