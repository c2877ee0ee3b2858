"""The language toggle, Details/Less and the related-codes select, before and after a restart (DynamicItems)."""

from __future__ import annotations

import discord

from tests.adapters.discord.conftest import MakeBot, World
from tests.adapters.discord.helpers import bot_messages, custom_ids


def only_bot_message(world: World) -> discord.Message:
    (message,) = bot_messages(world.env, world.channel)
    return message


async def test_language_toggle_edits_the_answer_in_place_and_back(world: World) -> None:
    asked = await world.alice.slash(world.channel, "http", query="503")

    toggled = await world.bob.click(asked.response, custom_id="statusbot:lang:code-503:ko")

    assert toggled.acknowledged
    korean = only_bot_message(world)  # edited, not a second message
    assert korean.id == asked.response.id
    assert korean.embeds[0].title.startswith("503 서비스 이용 불가")
    assert "재시도" in [f.name for f in korean.embeds[0].fields]
    assert [c.custom_id for row in korean.components for c in row.children if c.custom_id] == [
        "statusbot:lang:code-503:en", "statusbot:more:code-503:ko:f", "statusbot:rel:ko"]

    await world.alice.click(korean, label="English")

    english = only_bot_message(world)
    assert english.id == asked.response.id
    assert english.embeds[0].title.startswith("503 Service Unavailable")
    assert "statusbot:lang:code-503:ko" in [c.custom_id for row in english.components for c in row.children]


async def test_toggle_works_for_comparisons_classes_and_headers(world: World) -> None:
    expected = {"401 vs 403": "나란히 비교", "5xx": "5xx · 서버 오류", "Retry-After": "Retry-After"}
    for query, korean_title in expected.items():
        asked = await world.alice.slash(world.channel, "http", query=query)
        (toggle,) = [c for c in custom_ids(asked.response.components) if c.startswith("statusbot:lang:")]

        await world.alice.click(asked.response, custom_id=toggle)

        edited = next(m for m in world.channel.history() if m.id == asked.response.id)
        assert korean_title in edited.embeds[0].title
        if query == "Retry-After":  # the header name stays; the field names turn Korean
            assert "이 헤더를 쓰는 코드" in [f.name for f in edited.embeds[0].fields]


async def test_related_select_shows_the_chosen_code_only_to_the_chooser(world: World) -> None:
    asked = await world.alice.slash(world.channel, "http", query="503")

    picked = await world.bob.select(asked.response, ["504"], custom_id="statusbot:rel:en")

    assert picked.ephemeral and picked.response.ephemeral
    (embed,) = picked.response.embeds
    assert embed.title.startswith("504 Gateway Timeout")
    assert [m.id for m in bot_messages(world.env, world.channel)] == [asked.response.id]  # nothing public
    assert only_bot_message(world).embeds[0].title.startswith("503")  # and it is unchanged


async def test_related_select_of_a_korean_answer_answers_in_korean(world: World) -> None:
    asked = await world.alice.slash(world.channel, "http", query="503", lang="ko")

    picked = await world.bob.select(asked.response, ["502"], custom_id="statusbot:rel:ko")

    assert picked.response.embeds[0].title.startswith("502 잘못된 게이트웨이")


async def test_buttons_and_select_still_work_after_a_restart(world: World, make_bot: MakeBot) -> None:
    asked = await world.alice.slash(world.channel, "http", query="503")
    before = world.bot

    await world.env.restart_bot(await make_bot())

    assert world.bot is not before
    await world.bob.click(asked.response, custom_id="statusbot:lang:code-503:ko")
    assert only_bot_message(world).embeds[0].title.startswith("503 서비스 이용 불가")

    picked = await world.bob.select(only_bot_message(world), ["429"], custom_id="statusbot:rel:ko")
    assert picked.ephemeral
    assert picked.response.embeds[0].title.startswith("429 요청 한도 초과")

    await world.alice.click(only_bot_message(world), custom_id="statusbot:lang:code-503:en")
    assert only_bot_message(world).embeds[0].title.startswith("503 Service Unavailable")


def field_names_of(message: discord.Message) -> list[str]:
    return [f.name or "" for f in message.embeds[0].fields]


async def test_details_opens_the_full_answer_in_place_for_the_asker_and_less_goes_back(world: World) -> None:
    asked = await world.alice.slash(world.channel, "http", query="503")
    assert field_names_of(asked.response) == ["What to check first", "Likely causes", "Retry"]

    await world.alice.click(asked.response, label="Details")

    full = only_bot_message(world)  # the same message, edited
    assert full.id == asked.response.id
    assert {"Class", "Related headers", "Caching", "See also"} <= set(field_names_of(full))
    assert "statusbot:more:code-503:en:c" in [c.custom_id for row in full.components for c in row.children]

    await world.alice.click(full, label="Less")
    assert field_names_of(only_bot_message(world)) == ["What to check first", "Likely causes", "Retry"]


async def test_details_for_someone_elses_answer_is_shown_to_them_only(world: World) -> None:
    asked = await world.alice.slash(world.channel, "http", query="503")

    clicked = await world.bob.click(asked.response, custom_id="statusbot:more:code-503:en:f")

    assert clicked.ephemeral and clicked.response.ephemeral
    assert "Related headers" in [f.name for f in clicked.response.embeds[0].fields]
    assert field_names_of(only_bot_message(world)) == ["What to check first", "Likely causes", "Retry"]


async def test_the_language_toggle_keeps_the_full_answer_full(world: World) -> None:
    asked = await world.alice.slash(world.channel, "http", query="503", detail="full")
    assert "statusbot:lang:code-503:ko:f" in custom_ids(asked.response.components)

    await world.alice.click(asked.response, custom_id="statusbot:lang:code-503:ko:f")

    korean = only_bot_message(world)
    assert korean.embeds[0].title.startswith("503 서비스 이용 불가")
    assert "관련 헤더" in field_names_of(korean)


async def test_details_still_works_after_a_restart(world: World, make_bot: MakeBot) -> None:
    asked = await world.alice.slash(world.channel, "http", query="429", lang="ko")

    await world.env.restart_bot(await make_bot())

    await world.alice.click(asked.response, custom_id="statusbot:more:code-429:ko:f")
    assert "관련 헤더" in field_names_of(only_bot_message(world))
