"""The README's pictures of answers, made from the real renderers (regenerate after changing an answer's shape).

    .venv/bin/python bench/screens.py [--out bench/screens]

Discord: the exact message payload the bot sends (bot.render.discord_payload.answer_payload) drawn as Discord's
dark theme draws an embed, buttons and a select. Terminal: `statusbot ask --color always` output, its ANSI
colours turned into HTML. Both are screenshotted with headless Chromium (Debian's `chromium` package); fonts:
`fonts-noto-cjk` for Hangul.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.registry import get_registry  # noqa: E402
from bot.render.discord_payload import answer_payload  # noqa: E402
from bot.resolver import get_resolver  # noqa: E402

CSS = """
body { margin: 0; background: #313338; font-family: 'Noto Sans', 'Noto Sans CJK KR', sans-serif; color: #dbdee1;
       font-size: 15px; line-height: 1.375; }
.msg { padding: 16px 24px 16px 72px; position: relative; width: 560px; }
.avatar { position: absolute; left: 16px; top: 16px; width: 40px; height: 40px; border-radius: 50%;
          background: #5865f2; color: white; font-weight: 700; text-align: center; line-height: 40px; }
.name { color: #f2f3f5; font-weight: 600; } .tag { background: #5865f2; color: white; font-size: 10px;
        border-radius: 3px; padding: 1px 4px; margin-left: 4px; vertical-align: 2px; }
.embed { margin-top: 6px; background: #2b2d31; border-left: 4px solid; border-radius: 4px; padding: 8px 16px 16px 12px;
         max-width: 520px; }
.title { color: #00a8fc; font-weight: 600; margin-top: 8px; }
.desc, .value { font-size: 14px; margin-top: 8px; white-space: normal; }
.fname { font-weight: 600; font-size: 14px; margin-top: 8px; color: #f2f3f5; }
.value { margin-top: 2px; }
.footer { font-size: 12px; color: #b5bac1; margin-top: 8px; }
code { background: #1e1f22; border-radius: 3px; padding: 0 3px; font-size: 85%;
       font-family: 'Noto Sans Mono', monospace; }
.row { margin-top: 8px; display: flex; gap: 8px; }
.btn { border-radius: 3px; padding: 2px 16px; height: 32px; line-height: 32px; font-size: 14px; font-weight: 500;
       background: #4e5058; color: white; } .btn.primary { background: #5865f2; } .btn.link::after { content: " ↗"; }
.select { width: 520px; background: #1e1f22; border-radius: 4px; padding: 10px 12px; color: #949ba4; font-size: 14px; }
.term { background: #1d1f21; color: #d0d0d0; font-family: 'Noto Sans Mono', 'Noto Sans Mono CJK KR', monospace;
        font-size: 14px; line-height: 1.35; white-space: pre; padding: 16px; display: inline-block; }
"""

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")
_LINK = re.compile(r"\[([^\]]+)\]\((https://[^)]+)\)")


def markdown(text: str) -> str:
    """The little markdown our embeds use: **bold**, `code`, [links](…), line breaks."""
    out = html.escape(text.replace("\\", ""))
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _BOLD.sub(r"<b>\1</b>", out)
    out = _LINK.sub(r'<span style="color:#00a8fc">\1</span>', out)
    return out.replace("\n", "<br>")


def discord_html(payload: dict[str, Any]) -> str:
    parts = ['<div class="msg"><div class="avatar">S</div><span class="name">statusbot</span>'
             '<span class="tag">APP</span>']
    for embed in payload["embeds"]:
        colour = f"#{embed.get('color', 0):06x}"
        parts.append(f'<div class="embed" style="border-color:{colour}">')
        parts.append(f'<div class="title">{markdown(embed["title"])}</div>')
        if embed.get("description"):
            parts.append(f'<div class="desc">{markdown(embed["description"])}</div>')
        for field in embed.get("fields", []):
            parts.append(f'<div class="fname">{markdown(field["name"])}</div>'
                         f'<div class="value">{markdown(field["value"])}</div>')
        if embed.get("footer"):
            parts.append(f'<div class="footer">{html.escape(embed["footer"]["text"])}</div>')
        parts.append("</div>")
    for row in payload["components"]:
        parts.append('<div class="row">')
        for item in row["components"]:
            if item["type"] == 2:
                kind = "link" if "url" in item else "primary" if item.get("style") == 1 else ""
                parts.append(f'<div class="btn {kind}">{html.escape(item["label"])}</div>')
            else:
                parts.append(f'<div class="select">{html.escape(item["placeholder"])}</div>')
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


_SGR = re.compile(r"\x1b\[([0-9;]*)m")
_COLOURS = {"31": "#ff6b6b", "32": "#69db7c", "33": "#ffd43b", "35": "#da77f2", "36": "#66d9e8", "90": "#adb5bd"}


def terminal_html(text: str) -> str:
    out, open_spans = [], 0
    position = 0
    for match in _SGR.finditer(text):
        out.append(html.escape(text[position:match.start()]))
        position = match.end()
        codes = match.group(1).split(";")
        if codes == ["0"] or codes == [""]:
            out.append("</span>" * open_spans)
            open_spans = 0
            continue
        style = []
        for code in codes:
            if code == "1":
                style.append("font-weight:700")
            elif code == "2":
                style.append("opacity:.6")
            elif code in _COLOURS:
                style.append(f"color:{_COLOURS[code]}")
        out.append(f'<span style="{";".join(style)}">')
        open_spans += 1
    out.append(html.escape(text[position:]))
    return f'<div class="term">{"".join(out)}</div>'


def shoot(body: str, path: Path, width: int, height: int) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("screens: install Debian's chromium package (apt-get install chromium fonts-noto-cjk)")
    with tempfile.TemporaryDirectory() as work:
        page = Path(work) / "page.html"
        page.write_text(f"<!doctype html><meta charset=utf-8><style>{CSS}</style><body>{body}</body>",
                        encoding="utf-8")
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--screenshot={path}", f"--window-size={width},{height}", page.as_uri()],
                       check=True, capture_output=True, timeout=120, env={**os.environ, "HOME": work})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "bench" / "screens"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    registry, resolver = get_registry(), get_resolver()
    shots = [("discord-compact-ko", "업로드하다가 용량 초과라고 끊겨요", False, 660),
             ("discord-full-ko", "업로드하다가 용량 초과라고 끊겨요", True, 2400),
             ("discord-compact-en", "requests die at exactly 60 s with a gateway error", False, 640),
             ("discord-full-en", "requests die at exactly 60 s with a gateway error", True, 2600)]
    for name, question, full, height in shots:
        payload = answer_payload(resolver.resolve(question), registry, full=full)
        shoot(discord_html(payload), out / f"{name}.png", 620, height)
        print(out / f"{name}.png")
    for name, argv, height in (("terminal-ko", ["--lang", "ko", "--brief", "504"], 540),
                               ("terminal-en", ["--brief", "401 vs 403"], 420)):
        done = subprocess.run([sys.executable, "-m", "bot", "ask", "--color", "always", *argv], capture_output=True,
                              text=True, cwd=ROOT, env={**os.environ, "COLUMNS": "88"}, check=True)
        shoot(terminal_html(done.stdout), out / f"{name}.png", 860, height)
        print(out / f"{name}.png")


if __name__ == "__main__":
    main()
