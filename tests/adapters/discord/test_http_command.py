"""/http: one code, Korean (by option and by client locale), private answers, comparisons, classes, headers."""

from __future__ import annotations

import pytest

from bot.language import choose_lang
from bot.registry import has_hangul
from bot.render.discord_payload import COLOURS
from tests.adapters.discord.conftest import World
from tests.adapters.discord.helpers import RED, bot_messages, custom_ids, field_names


async def test_503_is_a_red_embed_with_the_meaning_checks_and_retry(world: World) -> None:
    result = await world.alice.slash(world.channel, "http", query="503")

    assert result.acknowledged and not result.ephemeral
    (embed,) = result.response.embeds
    assert "503 Service Unavailable" in embed.title
    assert embed.colour is not None and embed.colour.value == RED
    # The meaning is the description: the bold one-line summary first.
    assert embed.description.startswith("**The server is temporarily unable to handle the request")
    # Compact by default: what to check, the likeliest causes and retry; the rest behind Details.
    names = field_names(embed)
    assert names == ["What to check first", "Likely causes", "Retry"]
    assert "Retry-After" in embed.fields[names.index("Retry")].value
    assert embed.url.startswith("https://www.rfc-editor.org/rfc/rfc9110")
    # Public for the whole channel, with the language toggle, Details and the related-codes select.
    assert [m.id for m in bot_messages(world.env, world.channel)] == [result.response.id]
    assert custom_ids(result.response.components) == ["statusbot:lang:code-503:ko", "statusbot:more:code-503:en:f",
                                                      "statusbot:rel:en"]


async def test_detail_full_shows_everything_at_once(world: World) -> None:
    result = await world.alice.slash(world.channel, "http", query="503", detail="full")

    names = field_names(result.response.embeds[0])
    assert {"Class", "What to check first", "Likely causes", "Retry", "Related headers", "See also"} <= set(names)
    assert "statusbot:more:code-503:en:c" in custom_ids(result.response.components)


async def test_lang_option_ko_answers_in_korean(world: World) -> None:
    result = await world.alice.slash(world.channel, "http", query="503", lang="ko")

    (embed,) = result.response.embeds
    assert embed.title.startswith("503 서비스 이용 불가")
    names = field_names(embed)
    assert names == ["먼저 확인할 것", "흔한 원인", "재시도"]
    assert all(has_hangul(name) for name in names), names
    assert embed.colour is not None and embed.colour.value == RED
    assert "statusbot:lang:code-503:en" in custom_ids(result.response.components)


async def test_korean_discord_client_gets_korean_without_the_option(world: World, korean_locale: None) -> None:
    result = await world.alice.slash(world.channel, "http", query="503")

    (embed,) = result.response.embeds
    assert embed.title.startswith("503 서비스 이용 불가")
    assert "재시도" in field_names(embed)


async def test_explicit_english_beats_a_korean_client(world: World, korean_locale: None) -> None:
    result = await world.alice.slash(world.channel, "http", query="503", lang="en")

    assert result.response.embeds[0].title.startswith("503 Service Unavailable")


async def test_hangul_in_the_query_answers_in_korean(world: World) -> None:
    result = await world.alice.slash(world.channel, "http", query="게이트웨이 타임아웃")

    assert result.response.embeds[0].title.startswith("504 게이트웨이 시간 초과")


@pytest.mark.parametrize(("explicit", "server", "locale", "text", "expected"), [
    ("en", "ko", "ko", "서비스", "en"),  # the option wins over everything
    ("ko", "en", "en-US", "503", "ko"),
    ("auto", "ko", "en-US", "503", "ko"),  # "auto" falls through to the server setting
    (None, "en", "ko", "서비스", "en"),  # the server setting beats locale and text
    (None, "auto", "ko", "503", "ko"),  # then the client's locale
    (None, "auto", "en-US", "서비스 불가", "ko"),  # then Hangul in the text
    (None, "auto", "en-US", "503", "en"),
    (None, None, None, "", "en"),
])
def test_language_precedence(explicit: str | None, server: str | None, locale: str | None, text: str,
                             expected: str) -> None:
    assert choose_lang(explicit, server, locale, text) == expected


async def test_private_answer_is_ephemeral_and_not_in_the_channel(world: World) -> None:
    result = await world.alice.slash(world.channel, "http", query="503", private=True)

    assert result.ephemeral
    assert result.response.ephemeral
    assert "503 Service Unavailable" in result.response.embeds[0].title
    assert bot_messages(world.env, world.channel) == []
    assert [m.id for m in world.channel.history(viewer=world.alice) if m.author.id == world.bot.user.id] == [
        result.response.id]
    assert world.channel.history(viewer=world.bob) == []


async def test_401_vs_403_is_one_comparison_embed(world: World) -> None:
    result = await world.alice.slash(world.channel, "http", query="401 vs 403")

    (embed,) = result.response.embeds
    assert embed.title == "401 vs 403 · Side by side"
    # Compact: one line per code, then the difference.
    lines = embed.description.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("**401 Unauthorized") and lines[1].startswith("**403 Forbidden")
    assert field_names(embed) == ["The difference"]
    assert "**401**" in embed.fields[0].value and "**403**" in embed.fields[0].value
    assert embed.colour is not None and embed.colour.value == COLOURS["4xx"]
    assert custom_ids(result.response.components) == ["statusbot:lang:cmp-401-403:ko",
                                                      "statusbot:more:cmp-401-403:en:f"]

    full = await world.alice.slash(world.channel, "http", query="401 vs 403", detail="full")
    names = field_names(full.response.embeds[0])
    assert len(names) == 2
    assert names[0].startswith("401 Unauthorized") and names[1].startswith("403 Forbidden")
    assert "**403**" in full.response.embeds[0].fields[0].value  # each side names the other
    assert "**401**" in full.response.embeds[0].fields[1].value


async def test_5xx_is_the_class_embed(world: World) -> None:
    result = await world.alice.slash(world.channel, "http", query="5xx")

    (embed,) = result.response.embeds
    assert embed.title == "5xx · Server Error"
    assert embed.colour is not None and embed.colour.value == RED
    listed = "\n".join(field.value or "" for field in embed.fields)
    for code in ("`500`", "`502`", "`503`", "`504`"):
        assert code in listed
    assert custom_ids(result.response.components) == ["statusbot:lang:cls-5xx:ko"]


async def test_retry_after_is_the_header_embed(world: World) -> None:
    result = await world.alice.slash(world.channel, "http", query="Retry-After")

    (embed,) = result.response.embeds
    assert embed.title == "Retry-After"
    names = field_names(embed)
    assert "Codes that use it" in names
    users = embed.fields[names.index("Codes that use it")].value
    assert "**503**" in users and "**429**" in users
    assert custom_ids(result.response.components) == ["statusbot:lang:hdr-Retry-After:ko"]


async def test_no_match_says_so_and_suggests(world: World) -> None:
    result = await world.alice.slash(world.channel, "http", query="777")

    (embed,) = result.response.embeds
    assert "777" in embed.title and "not an HTTP status code" in embed.title


async def test_several_codes_are_one_line_each_and_the_select_opens_any(world: World) -> None:
    result = await world.alice.slash(world.channel, "http", query="500 502 503 504 and then 404")

    (embed,) = result.response.embeds
    assert embed.title == "5 status codes"
    lines = embed.description.splitlines()
    assert [line.split()[0] for line in lines] == ["**500", "**502", "**503", "**504", "**404"]
    assert len(embed) <= 1200
    (select,) = [c for row in result.response.components for c in row["components"] if c["type"] == 3]
    assert [o["value"] for o in select["options"]] == ["500", "502", "503", "504", "404"]


async def test_several_codes_in_full_fit_the_message_limit_and_the_rest_are_in_the_select(world: World) -> None:
    result = await world.alice.slash(world.channel, "http", query="500 502 503 504 and then 404", detail="full")

    response = result.response
    shown = len(response.embeds)
    assert 1 <= shown <= 3
    assert response.content == f"Found 5 codes; showing the first {shown}."
    assert [e.title.split()[0] for e in response.embeds] == ["500", "502", "503"][:shown]
    assert sum(len(e) for e in response.embeds) <= 6000  # Discord's limit across all embeds of a message
    (select,) = [c for row in response.components for c in row["components"] if c["type"] == 3]
    assert [o["value"] for o in select["options"]] == ["500", "502", "503", "504", "404"]
