"""Answers to plain messages: mentions, replies to the bot, opted-in channels, other bots, cooldowns."""

from __future__ import annotations

import pytest

from tests.adapters.discord.conftest import World
from tests.adapters.discord.helpers import bot_messages


async def opt_in(world: World) -> None:
    result = await world.admin.slash(world.channel, "http-config channel-add")
    assert result.ephemeral


async def test_mention_with_a_code_gets_a_reply_embed(world: World) -> None:
    question = await world.alice.send(world.channel, f"{world.mention} what does 418 mean")

    (answer,) = bot_messages(world.env, world.channel)
    assert answer.embeds[0].title.startswith("418")
    assert answer.reference is not None and answer.reference.message_id == question.id
    assert answer.flags.ephemeral is False


async def test_reply_to_the_bots_message_is_answered(world: World) -> None:
    first = await world.alice.slash(world.channel, "http", query="503")

    follow_up = await world.bob.send(world.channel, "what about 404 then?", reply_to=first.response)

    answers = bot_messages(world.env, world.channel)
    assert len(answers) == 2
    assert answers[-1].embeds[0].title.startswith("404 Not Found")
    assert answers[-1].reference is not None and answers[-1].reference.message_id == follow_up.id


async def test_reply_to_someone_else_is_not_answered(world: World) -> None:
    theirs = await world.alice.send(world.channel, "anyone seen 504s today?")

    await world.bob.send(world.channel, "why am I getting 504?", reply_to=theirs)

    assert bot_messages(world.env, world.channel) == []


async def test_opted_in_channel_answers_status_questions(world: World) -> None:
    await opt_in(world)

    await world.alice.send(world.channel, "why am I getting 504?")

    (answer,) = bot_messages(world.env, world.channel)
    assert answer.embeds[0].title.startswith("504 Gateway Timeout")


@pytest.mark.parametrize("chat", ["good morning team", "배포 끝났습니다", "LGTM", "see you at 5", "thanks!", "완료"])
async def test_opted_in_channel_ignores_ordinary_chat(world: World, chat: str) -> None:
    await opt_in(world)

    await world.alice.send(world.channel, chat)

    assert bot_messages(world.env, world.channel) == []


@pytest.mark.parametrize("chat", ["ok", "gone", "성공"])
async def test_opted_in_channel_ignores_one_word_acknowledgements(world: World, chat: str) -> None:
    await opt_in(world)

    await world.alice.send(world.channel, chat)

    assert bot_messages(world.env, world.channel) == []


async def test_korean_question_in_opted_in_channel_is_answered_in_korean(world: World) -> None:
    await opt_in(world)

    await world.alice.send(world.channel, "502 에러가 계속 떠요 왜 그런가요?")

    (answer,) = bot_messages(world.env, world.channel)
    assert answer.embeds[0].title.startswith("502 잘못된 게이트웨이")


async def test_status_question_without_mention_is_ignored_in_other_channels(world: World) -> None:
    other = world.guild.create_text_channel("random")
    await opt_in(world)  # #general only

    await world.alice.send(other, "why am I getting 504?")

    assert bot_messages(world.env, other) == []


async def test_not_opted_in_means_silence(world: World) -> None:
    await world.alice.send(world.channel, "why am I getting 504?")

    assert bot_messages(world.env, world.channel) == []


async def test_other_bots_are_ignored_even_when_they_mention_the_bot(world: World) -> None:
    await opt_in(world)
    other_bot = world.guild.add_member(world.env.create_user("ci-bot", bot=True))

    await other_bot.send(world.channel, f"{world.mention} what does 503 mean?")
    await other_bot.send(world.channel, "deploy failed: HTTP 503 from /health")

    assert bot_messages(world.env, world.channel) == []


async def test_webhooks_are_ignored(world: World) -> None:
    await opt_in(world)
    hook = world.guild.create_webhook(world.channel, "GitHub")

    await hook.send(f"{world.mention} what does 503 mean?")
    await hook.send("deploy failed: HTTP 503 from /health")

    assert bot_messages(world.env, world.channel) == []


async def test_same_user_twice_quickly_gets_one_answer_then_another_after_the_cooldown(world: World) -> None:
    await world.alice.send(world.channel, f"{world.mention} what does 503 mean?")
    await world.alice.send(world.channel, f"{world.mention} and 504?")

    assert [m.embeds[0].title[:3] for m in bot_messages(world.env, world.channel)] == ["503"]
    # silently: no notice, reaction or anything else went to Discord for the second message
    after_first = [r for r in world.env.http_requests if r.method != "GET"]
    assert len(after_first) == 2  # the command sync at start-up and the one answer
    assert after_first[-1].path.endswith("/messages")

    await world.env.advance_time(world.bot.settings.user_cooldown + 1)
    await world.alice.send(world.channel, f"{world.mention} and 504?")

    assert [m.embeds[0].title[:3] for m in bot_messages(world.env, world.channel)] == ["503", "504"]


async def test_cooldown_is_per_user(world: World) -> None:
    await world.alice.send(world.channel, f"{world.mention} what does 503 mean?")
    await world.bob.send(world.channel, f"{world.mention} what does 504 mean?")

    assert len(bot_messages(world.env, world.channel)) == 2


async def test_channel_burst_limits_answers_per_channel(world: World) -> None:
    burst = world.bot.settings.channel_burst
    people = [world.guild.add_member(world.env.create_user(f"user{i}")) for i in range(burst + 1)]

    for person in people:
        await person.send(world.channel, f"{world.mention} what does 500 mean?")
    assert len(bot_messages(world.env, world.channel)) == burst

    await world.env.advance_time(world.bot.settings.channel_window + 1)
    await people[-1].send(world.channel, f"{world.mention} what does 500 mean?")
    assert len(bot_messages(world.env, world.channel)) == burst + 1


async def test_mention_alone_gets_the_help_answer(world: World) -> None:
    await world.alice.send(world.channel, world.mention)

    (answer,) = bot_messages(world.env, world.channel)
    assert "Ask about a status code" in (answer.embeds[0].description or "")
