"""A log summary (bot.scan.Summary.to_data) -> text for a terminal, and an embed for Discord."""

from __future__ import annotations

from typing import Any

from bot.models import Lang
from bot.registry import Registry
from bot.render.text import PLAIN, Layout, columns

_BAR = 30  # columns of the widest bar in the per-minute histogram
_MINUTES_SHOWN = 60  # the busiest minutes in text; the JSON has them all


def _meaning(code: int, registry: Registry, lang: Lang) -> str:
    entry = registry.codes.get(code)
    if entry is None:
        return ""
    name = entry.name_ko if lang == "ko" else entry.phrase
    return name


def _count(n: int) -> str:
    return f"{n:,}"


def _words(lang: Lang) -> dict[str, str]:
    if lang == "ko":
        return {"codes": "클라이언트가 받은 코드", "classes": "분류별",
                "rate": "에러율", "upstream": "upstream이 돌려준 코드", "top": "에러 코드별 상위",
                "paths": "경로", "upstreams": "upstream", "clients": "클라이언트", "minutes": "분당 4xx/5xx",
                "none": "(없음)"}
    return {"codes": "Codes the clients received", "classes": "By class",
            "rate": "error rate", "upstream": "Codes the upstreams returned", "top": "Top per error code",
            "paths": "paths", "upstreams": "upstreams", "clients": "clients", "minutes": "4xx/5xx per minute",
            "none": "(none)"}


def render_scan_text(data: dict[str, Any], registry: Registry, lang: Lang, layout: Layout = PLAIN) -> str:
    w = _words(lang)
    total = sum(data["codes"].values())
    formats = ", ".join(sorted({f["format"] or "?" for f in data["files"]}))
    if lang == "ko":
        head = (f"statusbot scan: 파일 {len(data['files'])}개, {_count(data['lines'])}줄"
                f"(읽지 못한 줄 {_count(data['unparsed'])}) · {formats}")
    else:
        head = (f"statusbot scan: {len(data['files'])} files, {_count(data['lines'])} lines "
                f"({_count(data['unparsed'])} unparsed) · {formats}")
    lines = [layout.bold(head)]
    for failed in (f for f in data["files"] if f.get("error")):
        lines.append(f"  {failed['path']}: {failed['error']}")
    lines += ["", layout.dim(w["codes"] + ":")]
    width = max((len(_count(n)) for n in data["codes"].values()), default=1)
    for code_text, count in data["codes"].items():
        code = int(code_text)
        share = f"{100 * count / total:5.1f}%" if total else ""
        label = layout.bold(f"{code:03d}", f"{code // 100}xx") if 100 <= code < 600 else f"{code:03d}"
        lines.append(f"  {label}  {_count(count):>{width}}  {share}  {_meaning(code, registry, lang)}")
    classes = "  ".join(f"{cls} {100 * n / total:.1f}%" for cls, n in data["classes"].items() if total)
    lines += ["", f"{layout.dim(w['classes'] + ':')} {classes}",
              f"{layout.dim(w['rate'] + ':')} 4xx {100 * data['error_rate']['4xx']:.2f}%  "
              f"5xx {100 * data['error_rate']['5xx']:.2f}%"]
    if data["upstream_codes"]:
        which = ", ".join(data["upstream_is"])
        listed = "  ".join(f"{c} ({_count(n)})" for c, n in data["upstream_codes"].items())
        lines += ["", f"{layout.dim(w['upstream'] + f' ({which}):')} {listed}"]
    if data["errors"]:
        lines += ["", layout.dim(w["top"] + ":")]
        for code_text, tops in data["errors"].items():
            parts = []
            for key in ("paths", "upstreams", "clients"):
                if tops[key]:
                    parts.append(f"{w[key]} " + ", ".join(f"{name} ({_count(n)})" for name, n in tops[key]))
            lines.append(f"  {int(code_text):03d}: " + "; ".join(parts) if parts else f"  {int(code_text):03d}")
    if data["minutes"]:
        lines += ["", layout.dim(f"{w['minutes']} ({data['first']} … {data['last']}):")]
        shown = data["minutes"]
        if len(shown) > _MINUTES_SHOWN:  # the busiest minutes, in time order
            busiest = sorted(shown, key=lambda m: m["4xx"] + m["5xx"], reverse=True)[:_MINUTES_SHOWN]
            keep = {id(m) for m in busiest}
            shown = [m for m in shown if id(m) in keep]
        peak = max(m["4xx"] + m["5xx"] for m in shown) or 1
        label_width = max(columns(m["minute"]) for m in shown)
        for m in shown:
            bar4 = "░" * round(_BAR * m["4xx"] / peak)
            bar5 = "█" * round(_BAR * m["5xx"] / peak)
            counts = f"5xx {_count(m['5xx'])} · 4xx {_count(m['4xx'])}"
            lines.append(f"  {m['minute']:<{label_width}}  {bar5}{bar4}  {counts}")
    return "\n".join(lines)


def scan_embed(data: dict[str, Any], registry: Registry, lang: Lang, name: str = "") -> dict[str, Any]:
    """The compact summary for Discord: the top codes with counts and meanings, the first and last minute with an
    error, the busiest path per error code; the select under it opens any code."""
    from bot.render.discord_payload import COLOURS, RELATED_SELECT_ID, SELECT_OPTIONS_MAX, cut, escape

    ko = lang == "ko"
    total = sum(data["codes"].values())
    title = (f"로그 요약: {_count(data['lines'])}줄" if ko else f"Log summary: {_count(data['lines'])} lines")
    if name:
        title += f" · {escape(name, 60)}"
    rows = []
    for code_text, count in list(data["codes"].items())[:10]:
        code = int(code_text)
        share = f"{100 * count / total:.1f}%" if total else ""
        rows.append(f"**{code:03d}** ×{_count(count)} ({share}) {_meaning(code, registry, lang)}")
    fields = []
    busiest = [f"**{int(c):03d}**: {escape(t['paths'][0][0], 80)} ({_count(t['paths'][0][1])})"
               for c, t in data["errors"].items() if t["paths"]][:8]
    if busiest:
        fields.append({"name": "에러 코드별 가장 많은 경로" if ko else "Busiest path per error code",
                       "value": cut("\n".join(busiest), 1024), "inline": False})
    if data["first"]:
        fields.append({"name": "에러가 난 시각(분)" if ko else "Errors from … to (minute)",
                       "value": f"{data['first']} … {data['last']}", "inline": False})
    upstream = "  ".join(f"{c} ×{_count(n)}" for c, n in list(data["upstream_codes"].items())[:8])
    if upstream:
        fields.append({"name": ("upstream이 돌려준 코드" if ko else "Codes the upstreams returned")
                       + f" ({', '.join(data['upstream_is'])})", "value": cut(upstream, 1024), "inline": False})
    classes = {int(c) // 100 for c in data["codes"] if int(c) >= 400}
    colour = COLOURS["5xx"] if 5 in classes else COLOURS["4xx"] if 4 in classes else COLOURS["2xx"]
    unparsed = (f"읽지 못한 줄 {_count(data['unparsed'])}" if ko else f"{_count(data['unparsed'])} lines unparsed")
    embed = {"title": cut(title, 256), "color": colour, "description": cut("\n".join(rows) or "-", 4096),
             "fields": fields, "footer": {"text": f"statusbot scan · {unparsed}"}}
    options = [{"label": cut(f"{int(c):03d} {_meaning(int(c), registry, lang)}", 100), "value": str(int(c)),
                "description": cut(f"×{_count(n)}", 100)}
               for c, n in data["codes"].items() if int(c) in registry.codes][:SELECT_OPTIONS_MAX]
    components = [{"type": 1, "components": [{
        "type": 3, "custom_id": RELATED_SELECT_ID.format(lang=lang), "min_values": 1, "max_values": 1,
        "placeholder": registry.ui.text("labels", "related_select", lang), "options": options}]}] if options else []
    return {"content": "", "embeds": [embed], "components": components, "allowed_mentions": {"parse": []}}
