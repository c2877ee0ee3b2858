"""Never pinging anyone, surviving Discord's refusals, and running without the message content intent."""

from __future__ import annotations

import logging

import discord
import pytest
import simcord

from tests.adapters.discord.conftest import MakeBot, World
from tests.adapters.discord.helpers import bot_messages

NO_PINGS = {"parse": [], "replied_user": False}


def assert_pings_nobody(world: World, message_id: int, channel_id: int | None = None) -> None:
    """simcord's record of the sent message: the mention policy it carried and whom it actually notified."""
    record = world.env.backend.get_message(channel_id or world.channel.id, message_id)
    policy = record.allowed_mentions
    assert policy.everyone is False
    assert policy.users == frozenset() and policy.roles == frozenset()  # no user or role may be pinged
    assert policy.replied_user is False
    assert record.mention_everyone is False
    assert record.ping_user_ids == [] and record.ping_role_ids == []


async def test_slash_query_with_everyone_pings_nobody(world: World) -> None:
    result = await world.alice.slash(world.channel, "http", query="@everyone 418")

    assert result.response.embeds[0].title.startswith("418")
    (callback,) = [r for r in world.env.http_requests if r.path.endswith("/callback")]
    assert callback.json["data"]["allowed_mentions"] == {"parse": []}
    assert_pings_nobody(world, result.response.id)


async def test_echoed_query_has_its_mentions_broken(world: World) -> None:
    role = world.guild.create_role("oncall", mentionable=True)
    query = f"@everyone @here {role.mention} {world.bob.mention} hello"

    result = await world.alice.slash(world.channel, "http", query=query)

    description = result.response.embeds[0].description or ""
    assert "everyone" in description  # the query is echoed...
    for raw in ("@everyone", "@here", role.mention, world.bob.mention):
        assert raw not in description  # ...but no longer as a mention
    assert_pings_nobody(world, result.response.id)


async def test_mention_message_with_everyone_gets_a_reply_that_pings_nobody(world: World) -> None:
    role = world.guild.create_role("oncall", mentionable=True)

    await world.alice.send(world.channel, f"{world.mention} @everyone {role.mention} what does 503 mean?")

    (answer,) = bot_messages(world.env, world.channel)
    (post,) = [r for r in world.env.http_requests if r.method == "POST" and r.path.endswith("/messages")]
    assert post.json["allowed_mentions"] == NO_PINGS
    assert_pings_nobody(world, answer.id)  # not @everyone, not the role, not even alice (mention_author=False)


async def test_plain_text_fallback_without_embed_links_pings_nobody(world: World) -> None:
    me = world.guild.me
    assert me is not None
    bare = world.guild.create_text_channel("no-embeds",
                                          overwrites={me: discord.PermissionOverwrite(embed_links=False)})

    result = await world.alice.slash(bare, "http", query="@everyone 503")
    await world.bob.send(bare, f"{world.mention} @everyone what does 504 mean?")

    assert result.response.embeds == []
    assert result.response.content.startswith("503 Service Unavailable")
    assert len(result.response.content) <= 2000
    reply = bot_messages(world.env, bare)[-1]
    assert reply.embeds == [] and reply.content.startswith("504 Gateway Timeout")
    for message_id in (result.response.id, reply.id):
        assert_pings_nobody(world, message_id, bare.id)


async def test_component_answers_ping_nobody(world: World) -> None:
    asked = await world.alice.slash(world.channel, "http", query="503")
    picked = await world.bob.select(asked.response, ["502"], custom_id="statusbot:rel:en")
    await world.bob.click(asked.response, custom_id="statusbot:lang:code-503:ko")

    assert_pings_nobody(world, picked.response.id)
    assert_pings_nobody(world, asked.response.id)  # after the in-place edit


@pytest.mark.parametrize(("status", "code", "logged"), [
    (500, 0, "Discord refused the answer"),
    (403, 50013, "No permission to answer"),
    (404, 10003, "vanished before the answer"),
])
async def test_failed_answer_is_logged_and_the_next_message_is_answered(
        world: World, caplog: pytest.LogCaptureFixture, status: int, code: int, logged: str) -> None:
    world.env.inject_error("POST", "/channels/*/messages", status=status, code=code)

    with caplog.at_level(logging.WARNING, logger="statusbot"):
        await world.alice.send(world.channel, f"{world.mention} what does 503 mean?")

    assert bot_messages(world.env, world.channel) == []
    assert any(logged in r.getMessage() for r in caplog.records if r.name == "statusbot")
    assert world.env.errors == []  # handled inside on_message, nothing escaped

    await world.bob.send(world.channel, f"{world.mention} what does 504 mean?")

    (answer,) = bot_messages(world.env, world.channel)
    assert answer.embeds[0].title.startswith("504")


async def test_failing_slash_response_does_not_break_the_next_one(world: World) -> None:
    world.env.inject_error("POST", "/interactions/*/callback", status=500)

    failed = await world.alice.slash(world.channel, "http", query="503")

    # The tree's error handler tells the user privately instead of leaving the interaction unanswered.
    assert failed.ephemeral
    assert failed.response.content == "Something went wrong on my side; please try again."
    errors = world.env.errors  # simcord records what the handler saw
    assert len(errors) == 1 and isinstance(errors[0], discord.app_commands.CommandInvokeError)
    assert isinstance(errors[0].original, discord.HTTPException) and errors[0].original.status == 500

    result = await world.alice.slash(world.channel, "http", query="504")
    assert result.response.embeds[0].title.startswith("504")


async def test_without_the_message_content_intent(make_bot: MakeBot, caplog: pytest.LogCaptureFixture) -> None:
    bot = await make_bot(message_content=False)

    with caplog.at_level(logging.WARNING, logger="statusbot"):
        async with simcord.run(bot) as env:
            warnings = [r for r in caplog.records if r.name == "statusbot" and r.levelno == logging.WARNING]
            assert len(warnings) == 1 and "message content intent" in warnings[0].getMessage()

            guild = env.create_guild("Ops")
            channel = guild.create_text_channel("general")
            admins = guild.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
            admin = guild.add_member(env.create_user("admin"), roles=[admins])
            alice = guild.add_member(env.create_user("alice"))
            assert bot.user is not None

            added = await admin.slash(channel, "http-config channel-add")
            assert "message content intent" in added.response.content  # the admin is told why it stays quiet

            await alice.send(channel, "why am I getting 504?")  # Discord sends this with empty content
            assert [m for m in channel.history() if m.author.id == bot.user.id] == []

            await alice.send(channel, f"{bot.user.mention} what does 418 mean?")  # mentions keep their content
            (answer,) = [m for m in channel.history() if m.author.id == bot.user.id]
            assert answer.embeds[0].title.startswith("418")

            result = await alice.slash(channel, "http", query="503")
            assert result.response.embeds[0].title.startswith("503")

    assert sum(1 for r in caplog.records if "message content intent" in r.getMessage()) == 1
