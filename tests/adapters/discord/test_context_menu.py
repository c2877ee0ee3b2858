"""The message context menu "Explain status codes"."""

from __future__ import annotations

import gzip

import discord

from tests.adapters.discord.conftest import World
from tests.adapters.discord.helpers import bot_messages
from tests.conftest import ROOT

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


async def test_a_pasted_block_of_log_lines_is_summarised(world: World) -> None:
    block = (ROOT / "tests" / "fixtures" / "logs" / "combined.log").read_text(encoding="utf-8")
    log = await world.alice.send(world.channel, f"```\n{block}```")

    result = await world.bob.context_menu(world.channel, MENU, log)

    (embed,) = result.response.embeds
    assert embed.title == "Log summary: 6 lines"
    rows = embed.description.splitlines()
    assert sorted(rows[:2]) == ["**200** ×2 (33.3%) OK", "**502** ×2 (33.3%) Bad Gateway"]
    assert "**502**: /api/pay (2)" in embed.fields[0].value
    assert "2026-12-03 09:14 … 2026-12-03 09:15" in embed.fields[1].value
    (select,) = [c for row in result.response.components for c in row["components"] if c["type"] == 3]
    assert sorted(o["value"] for o in select["options"]) == ["200", "404", "502", "504"]
    picked = await world.bob.select(result.response, ["502"], custom_id="statusbot:rel:en")
    assert picked.ephemeral and picked.response.embeds[0].title.startswith("502 Bad Gateway")


async def test_a_log_attachment_is_downloaded_and_summarised(world: World) -> None:
    raw = (ROOT / "tests" / "fixtures" / "logs" / "alb.log").read_bytes()
    log = await world.alice.send(world.channel, "ALB logs from the incident", attachments=[("alb.log.gz",
                                                                                             gzip.compress(raw))])

    result = await world.bob.context_menu(world.channel, MENU, log)

    embed = (result.followups[0] if result.followups else result.response).embeds[0]
    assert embed.title == "Log summary: 4 lines · alb.log.gz"
    assert "**502** ×1" in embed.description
    assert any("target_status_code" in (f.name or "") for f in embed.fields)
