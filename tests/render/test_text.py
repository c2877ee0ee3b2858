"""bot/render/text.py: a text answer fits the terminal by display columns and never breaks what must stay whole."""

from __future__ import annotations

import re

import pytest

from bot.models import Lang
from bot.registry import get_registry
from bot.render.text import Layout, columns, render_answer, wrap
from bot.resolver.resolve import Answer

REGISTRY = get_registry()
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def answer(code: int, lang: Lang) -> Answer:
    return Answer(str(code), "code", (code,), lang=lang, confidence=1.0)


def test_hangul_counts_two_columns() -> None:
    assert columns("게이트웨이") == 10 and columns("gateway") == 7


@pytest.mark.parametrize("width", [40, 60, 80, 100])
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_line_fits_the_width_unless_one_unbreakable_piece_is_longer(width: int, lang: Lang) -> None:
    for code in (413, 429, 502, 504, 0):
        for line in render_answer(answer(code, lang), REGISTRY, Layout(width=width)).splitlines():
            if columns(line) > width:
                pieces = line.strip().removeprefix("- ").split(" ")
                # only a line holding one atom (a long backticked span or URL) may be wider
                assert len(pieces) == 1 or "`" in line or "http" in line, (code, width, line)


def test_backticks_header_names_and_urls_are_never_split() -> None:
    text = "Run `kubectl get ingress <name> -o yaml` and read If-None-Match at https://example.com/a/b/c/d"
    for width in range(20, 60):
        lines = wrap(text, width).splitlines()
        joined = " ".join(line.strip() for line in lines)
        assert joined == text
        assert any("`kubectl get ingress <name> -o yaml`" in line for line in lines)
        assert not any(line.rstrip().endswith("If-") for line in lines)


def test_bullets_hang() -> None:
    lines = render_answer(answer(504, "en"), REGISTRY, Layout(width=50)).splitlines()
    checks = lines.index("What to check first:")
    assert lines[checks + 1].startswith("  - ") and lines[checks + 2].startswith("    ")


def test_brief_is_the_compact_selection() -> None:
    full = render_answer(answer(429, "ko"), REGISTRY)
    brief = render_answer(answer(429, "ko"), REGISTRY, brief_only=True)
    entry = REGISTRY.codes[429]
    assert len(brief) < len(full) / 2
    assert "관련 헤더:" in full and "관련 헤더:" not in brief
    assert entry.checks.ko[0].split()[0] in brief and entry.checks.ko[3].split()[0] not in brief.split("흔한 원인")[0]


def test_colour_only_when_asked() -> None:
    plain = render_answer(answer(503, "en"), REGISTRY)
    coloured = render_answer(answer(503, "en"), REGISTRY, Layout(colour=True))
    assert "\x1b[" not in plain
    assert coloured.startswith("\x1b[1;31m503 Service Unavailable")  # 5xx red
    assert _ANSI.sub("", coloured) == plain
