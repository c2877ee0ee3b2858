"""Every answer the bot can give fits Discord's message, embed and component limits, in both languages.

Plain rendering through bot.render.discord_payload.answer_payload (no simulated Discord): every registered
code, every class, every header, every related pair as a comparison, and multi-code answers, in en and ko.
Limits: https://discord.com/developers/docs/resources/message#embed-object-embed-limits and
https://discord.com/developers/docs/components/reference.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.discord.convert import message_kwargs
from bot.adapters.discord.views import _DETAIL, _SELECT, _TOGGLE
from bot.models import Lang
from bot.registry import Registry, get_registry
from bot.render.discord_payload import COMPACT_MAX, answer_payload
from bot.resolver.resolve import Answer

LANGS: tuple[Lang, ...] = ("en", "ko")
REGISTRY = get_registry()
CODES = sorted(REGISTRY.codes)


def embed_size(embed: dict[str, Any]) -> int:
    return (len(embed.get("title", "")) + len(embed.get("description", ""))
            + len(embed.get("footer", {}).get("text", "")) + len(embed.get("author", {}).get("name", ""))
            + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", [])))


def check_limits(payload: dict[str, Any]) -> None:
    content = payload.get("content") or ""
    assert len(content) <= 2000
    assert payload["allowed_mentions"] == {"parse": []}

    embeds = payload["embeds"]
    assert 1 <= len(embeds) <= 10
    assert sum(embed_size(e) for e in embeds) <= 6000  # across all embeds of the message
    for embed in embeds:
        assert 0 < len(embed.get("title", "")) <= 256
        assert len(embed.get("description", "")) <= 4096
        fields = embed.get("fields", [])
        assert len(fields) <= 25
        for field in fields:
            assert 0 < len(field["name"]) <= 256
            assert field["value"].strip()
            assert len(field["value"]) <= 1024
        assert len(embed.get("footer", {}).get("text", "")) <= 2048
        if "url" in embed:
            assert embed["url"].startswith("https://")
        assert 0 <= embed["color"] <= 0xFFFFFF

    rows = payload["components"]
    assert len(rows) <= 5
    seen: set[str] = set()
    for row in rows:
        assert row["type"] == 1
        children = row["components"]
        selects = [c for c in children if c["type"] == 3]
        assert (len(selects) == 1 and len(children) == 1) or (not selects and 1 <= len(children) <= 5)
        for child in children:
            if "custom_id" in child:
                custom_id = child["custom_id"]
                assert 0 < len(custom_id) <= 100
                assert custom_id not in seen
                seen.add(custom_id)
                # The persistent handlers must recognise it, or it dies with the process.
                if child["type"] == 2:
                    assert re.fullmatch(_TOGGLE, custom_id) or re.fullmatch(_DETAIL, custom_id), custom_id
                else:
                    assert re.fullmatch(_SELECT, custom_id), custom_id
            if child["type"] == 2:
                assert 0 < len(child["label"]) <= 80
                assert ("url" in child) != ("custom_id" in child)
            if child["type"] == 3:
                assert len(child.get("placeholder", "")) <= 150
                options = child["options"]
                assert 1 <= len(options) <= 25
                assert child["min_values"] == child["max_values"] == 1
                assert len({o["value"] for o in options}) == len(options)
                for option in options:
                    assert 0 < len(option["label"]) <= 100
                    assert 0 < len(option["value"]) <= 100
                    assert len(option.get("description") or "") <= 100


def all_answers(registry: Registry) -> list[Answer]:
    answers: list[Answer] = []
    for lang in LANGS:
        for code in sorted(registry.codes):
            answers.append(Answer(str(code), "code", (code,), lang=lang, confidence=1.0))
            for related in registry.codes[code].related:
                answers.append(Answer(f"{code} vs {related.code}", "compare", (code, related.code), lang=lang,
                                      confidence=0.97))
        for cls in registry.classes:
            answers.append(Answer(cls, "class", cls=cls, lang=lang, confidence=0.95))
        for header in registry.headers:
            answers.append(Answer(header, "header", header=header, lang=lang, confidence=0.9))
    return answers


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", CODES)
def test_every_code_fits(code: int, lang: Lang) -> None:
    answer = Answer(str(code), "code", (code,), lang=lang, confidence=1.0)
    for full in (False, True):
        payload = answer_payload(answer, REGISTRY, full=full)
        check_limits(payload)
        (embed,) = payload["embeds"]
        assert embed["title"].startswith(f"{code:03d} ")


@pytest.mark.parametrize("lang", LANGS)
def test_the_compact_answer_is_one_phone_screen(lang: Lang) -> None:
    for code in CODES:
        compact = answer_payload(Answer(str(code), "code", (code,), lang=lang, confidence=1.0), REGISTRY)
        (embed,) = compact["embeds"]
        assert embed_size(embed) <= COMPACT_MAX, code
        entry = REGISTRY.codes[code]
        assert f"**{entry.summary.get(lang)}**" in embed["description"]
        if entry.checks.get(lang):
            assert entry.checks.get(lang)[0] in embed["fields"][0]["value"]
        assert entry.detail.get(lang) not in embed.get("description", "")  # the detail is behind the button
        buttons = [c for row in compact["components"] for c in row["components"] if c["type"] == 2]
        assert any(re.fullmatch(_DETAIL, b.get("custom_id", "")) for b in buttons), code


def test_details_and_back() -> None:
    answer = Answer("503", "code", (503,), lang="ko", confidence=1.0)
    compact, full = answer_payload(answer, REGISTRY), answer_payload(answer, REGISTRY, full=True)
    ids = [[c.get("custom_id") for row in p["components"] for c in row["components"]] for p in (compact, full)]
    assert "statusbot:more:code-503:ko:f" in ids[0] and "statusbot:lang:code-503:en" in ids[0]
    assert "statusbot:more:code-503:ko:c" in ids[1] and "statusbot:lang:code-503:en:f" in ids[1]
    labels = [c.get("label") for row in compact["components"] for c in row["components"]]
    assert "자세히" in labels
    assert embed_size(full["embeds"][0]) > 2 * embed_size(compact["embeds"][0])


def test_a_comparison_is_compact_too() -> None:
    answer = Answer("401 vs 403", "compare", (401, 403), lang="en", confidence=0.97)
    compact = answer_payload(answer, REGISTRY)["embeds"][0]
    assert embed_size(compact) <= COMPACT_MAX
    assert compact["description"].count("\n") == 1  # one line per code
    assert compact["fields"][0]["name"] == "The difference"
    assert "**401**" in compact["fields"][0]["value"] and "**403**" in compact["fields"][0]["value"]


@pytest.mark.parametrize("lang", LANGS)
def test_every_code_fits_with_a_picture(lang: Lang) -> None:
    for code in CODES:
        answer = Answer(str(code), "code", (code,), lang=lang, confidence=1.0)
        check_limits(answer_payload(answer, REGISTRY, {code: f"https://http.cat/{code}"}))


def test_every_comparison_class_and_header_fits() -> None:
    answers = all_answers(REGISTRY)
    assert len(answers) > 2 * len(CODES)
    for answer in answers:
        check_limits(answer_payload(answer, REGISTRY))
        check_limits(answer_payload(answer, REGISTRY, full=True))


@pytest.mark.parametrize("lang", LANGS)
def test_the_longest_codes_together_still_fit(lang: Lang) -> None:
    def size(code: int) -> int:
        answer = Answer(str(code), "code", (code,), lang=lang, confidence=1.0)
        return embed_size(answer_payload(answer, REGISTRY)["embeds"][0])

    longest = tuple(sorted(CODES, key=size, reverse=True)[:8])
    check_limits(answer_payload(Answer("many", "code", longest, lang=lang, confidence=0.99), REGISTRY))
    four = tuple(sorted(REGISTRY.codes)[-4:])
    check_limits(answer_payload(Answer("many", "compare", four, lang=lang, confidence=0.97), REGISTRY))


@pytest.mark.parametrize("lang", LANGS)
def test_no_answer_fits_and_breaks_mentions(lang: Lang) -> None:
    query = "@everyone " + "<@123> **bold** " * 200
    answer = Answer(query, "none", lang=lang, suggestions=(502, 503, 504), note="not_sure")

    payload = answer_payload(answer, REGISTRY)

    check_limits(payload)
    assert "@everyone" not in payload["embeds"][0]["description"]
    assert "<@123>" not in payload["embeds"][0]["description"]


@settings(max_examples=60, deadline=None)
@given(codes=st.lists(st.sampled_from(CODES), min_size=1, max_size=8, unique=True), lang=st.sampled_from(LANGS),
       compare=st.booleans())
def test_any_set_of_codes_fits(codes: list[int], lang: Lang, compare: bool) -> None:
    kind = "compare" if compare and 2 <= len(codes) <= 4 else "code"
    check_limits(answer_payload(Answer("x", kind, tuple(codes), lang=lang, confidence=0.99), REGISTRY))


def test_discord_py_accepts_every_payload() -> None:
    # discord.py validates select options, labels and custom_ids when the view is built.
    for answer in all_answers(REGISTRY):
        kwargs = message_kwargs(answer_payload(answer, REGISTRY, full=answer.kind == "compare"))
        assert kwargs["embeds"]
        assert kwargs["allowed_mentions"].everyone is False
