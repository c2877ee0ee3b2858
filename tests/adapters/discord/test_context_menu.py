"""The message context menu "Explain status codes"."""

from __future__ import annotations

import discord

from tests.adapters.discord.conftest import World
from tests.adapters.discord.helpers import bot_messages

MENU = "Explain status codes"
NGINX_LINE = '10.0.0.7 - - [12/Mar/2025:10:00:00 +0000] "GET /api HTTP/1.1" 502 157 "-" "curl/8.0"'


async def test_pasted_nginx_access_log_line_is_explained_as_502(world: World) -> None:
    pasted = await world.alice.send(world.channel, NGINX_LINE)

    result = await world.bob.context_menu(world.channel, MENU, pasted)

    assert result.acknowledged and not result.ephemeral
    (embed,) = result.response.embeds  # 157 is the byte count, not a second code
    assert embed.title.startswith("502 Bad Gateway")
    # The pasted line itself got no answer: #general is not a free-text channel.
    assert [m.id for m in bot_messages(world.env, world.channel)] == [result.response.id]


async def test_message_without_a_code_gets_a_private_no_code_reply(world: World) -> None:
    chat = await world.alice.send(world.channel, "deploy finished, grabbing lunch")

    result = await world.bob.context_menu(world.channel, MENU, chat)

    assert result.ephemeral
    assert result.response.content == "I found no status code in that message."
    assert result.response.embeds == []
    assert bot_messages(world.env, world.channel) == []


async def test_korean_client_gets_the_no_code_reply_in_korean(world: World, korean_locale: None) -> None:
    chat = await world.alice.send(world.channel, "LGTM")

    result = await world.bob.context_menu(world.channel, MENU, chat)

    assert result.ephemeral
    assert result.response.content == "이 메시지에서 상태 코드를 찾지 못했습니다."


async def test_two_codes_in_a_log_are_listed_not_compared(world: World) -> None:
    log = await world.alice.send(world.channel, "upstream returned 502, retry got 504")

    result = await world.bob.context_menu(world.channel, MENU, log)

    (embed,) = result.response.embeds  # one line per code, not a comparison
    assert embed.title == "2 status codes"
    lines = embed.description.splitlines()
    assert lines[0].startswith("**502 Bad Gateway") and lines[1].startswith("**504 Gateway Timeout")
    (select,) = [c for row in result.response.components for c in row["components"] if c["type"] == 3]
    assert [o["value"] for o in select["options"]] == ["502", "504"]

    picked = await world.bob.select(result.response, ["504"], custom_id="statusbot:rel:en")
    assert picked.ephemeral and picked.response.embeds[0].title.startswith("504 Gateway Timeout")


async def test_alert_embed_from_a_webhook_is_read(world: World) -> None:
    hook = world.guild.create_webhook(world.channel, "Alertmanager")
    alert = await hook.send(embed=discord.Embed(title="[FIRING] checkout-api",
                                                description="upstream answered HTTP 504 for 5 minutes"))

    result = await world.bob.context_menu(world.channel, MENU, alert)

    assert result.response.embeds[0].title.startswith("504 Gateway Timeout")
