"""/http-config: who may use it, the server language, free-text channels, and persistence across restarts."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands
from simcord import SetupError

from tests.adapters.discord.conftest import MakeBot, World
from tests.adapters.discord.helpers import bot_messages


async def config_command_id(world: World) -> int:
    commands = await world.bot.tree.fetch_commands()
    return next(c.id for c in commands if c.name == "http-config")


async def test_config_is_hidden_from_members_without_manage_server(world: World) -> None:
    # default_permissions=Manage Server: Discord itself does not offer the command to a plain member.
    with pytest.raises(SetupError, match="default-member-permissions"):
        await world.alice.slash(world.channel, "http-config language", value="ko")
    assert "http-config language" not in world.alice.available_commands(world.channel)
    assert "http-config language" in world.admin.available_commands(world.channel)


async def test_member_without_manage_server_is_refused_even_if_the_server_unhides_the_command(
        world: World) -> None:
    # A server can open the command to everyone in Server Settings > Integrations; the bot's own check holds.
    world.guild.set_command_permissions(await config_command_id(world), {world.alice: True})

    for name, options in [("http-config language", {"value": "ko"}), ("http-config channel-add", {}),
                          ("http-config pictures", {"enabled": True})]:
        result = await world.alice.slash(world.channel, name, **options)
        assert result.ephemeral
        assert result.response.content == "You need the Manage Server permission to change statusbot's settings."

    settings = world.bot.store.guild(world.guild.id)
    assert (settings.lang, settings.channels, settings.pictures) == ("auto", set(), False)
    errors = world.env.errors  # the tree's error handler answered them; simcord records them too
    assert len(errors) == 3 and all(isinstance(e, app_commands.MissingPermissions) for e in errors)
    # and nothing changed in behaviour: #general is still not a free-text channel
    await world.alice.send(world.channel, "why am I getting 504?")
    assert bot_messages(world.env, world.channel) == []


async def test_admin_sets_korean_and_later_answers_are_korean(world: World) -> None:
    result = await world.admin.slash(world.channel, "http-config language", value="ko")

    assert result.ephemeral
    assert result.response.content == "이 서버의 기본 언어를 **ko**(으)로 설정했습니다."
    assert world.bot.store.guild(world.guild.id).lang == "ko"

    answer = await world.alice.slash(world.channel, "http", query="404")
    assert answer.response.embeds[0].title.startswith("404 찾을 수 없음")
    assert [f.name for f in answer.response.embeds[0].fields][:2] == ["먼저 확인할 것", "흔한 원인"]

    await world.alice.send(world.channel, f"{world.mention} what does 503 mean?")
    assert bot_messages(world.env, world.channel)[-1].embeds[0].title.startswith("503 서비스 이용 불가")

    override = await world.alice.slash(world.channel, "http", query="404", lang="en")
    assert override.response.embeds[0].title.startswith("404 Not Found")


async def test_server_language_beats_the_clients_locale(world: World, korean_locale: None) -> None:
    await world.admin.slash(world.channel, "http-config language", value="en")

    answer = await world.alice.slash(world.channel, "http", query="404")

    assert answer.response.embeds[0].title.startswith("404 Not Found")


async def test_channel_add_list_and_remove(world: World) -> None:
    other = world.guild.create_text_channel("incidents")
    admin = world.admin

    added = await admin.slash(world.channel, "http-config channel-add")
    assert added.ephemeral
    assert added.response.content == (
        f"I will answer status-code questions in {world.channel.mention} without a mention.")
    again = await admin.slash(world.channel, "http-config channel-add")
    assert again.response.content == f"{world.channel.mention} is already on the list."
    await admin.slash(world.channel, "http-config channel-add", channel=other)

    listed = await admin.slash(world.channel, "http-config channels")
    assert listed.ephemeral
    assert world.channel.mention in listed.response.content and other.mention in listed.response.content
    assert world.bot.store.guild(world.guild.id).channels == {world.channel.id, other.id}

    removed = await admin.slash(world.channel, "http-config channel-remove", channel=other)
    assert removed.response.content == f"I will no longer answer free text in {other.mention}."
    missing = await admin.slash(world.channel, "http-config channel-remove", channel=other)
    assert missing.response.content == f"{other.mention} was not on the list."

    await world.alice.send(other, "why am I getting 504?")
    await world.alice.send(world.channel, "why am I getting 504?")
    assert bot_messages(world.env, other) == []
    assert len(bot_messages(world.env, world.channel)) == 1

    await admin.slash(world.channel, "http-config channel-remove")
    empty = await admin.slash(world.channel, "http-config channels")
    assert empty.response.content == "No channels yet. Mentions and /http work everywhere."


async def test_config_replies_never_ping_the_channel(world: World) -> None:
    await world.admin.slash(world.channel, "http-config channel-add")
    listed = await world.admin.slash(world.channel, "http-config channels")

    record = world.env.backend.get_message(world.channel.id, listed.response.id)
    assert record.allowed_mentions.everyone is False
    assert record.ping_user_ids == [] and record.ping_role_ids == []


async def test_show_and_pictures(world: World) -> None:
    await world.admin.slash(world.channel, "http-config pictures", enabled=True)
    shown = await world.admin.slash(world.channel, "http-config show")

    assert shown.response.content == ("Language: **auto** · pictures: **on** · answers: **compact** · "
                                      "free-text channels: -")
    answer = await world.alice.slash(world.channel, "http", query="503")
    assert answer.response.embeds[0].thumbnail.url.startswith("https://http.cat/")

    await world.admin.slash(world.channel, "http-config language", value="ko")
    shown = await world.admin.slash(world.channel, "http-config show")
    assert shown.response.content == "언어: **ko** · 그림: **켜짐** · 답변: **간단히 보기** · 자유 질문 채널: -"


async def test_settings_survive_a_restart_on_the_same_database(world: World, make_bot: MakeBot) -> None:
    await world.admin.slash(world.channel, "http-config language", value="ko")
    await world.admin.slash(world.channel, "http-config channel-add")
    old_db = world.bot.store.path

    fresh = await make_bot()
    await world.env.restart_bot(fresh)

    assert world.bot is fresh and fresh.store.path == old_db
    listed = await world.admin.slash(world.channel, "http-config channels")
    assert listed.response.content == f"자유 질문 채널: {world.channel.mention}"
    answer = await world.alice.slash(world.channel, "http", query="404")
    assert answer.response.embeds[0].title.startswith("404 찾을 수 없음")
    await world.alice.send(world.channel, "why am I getting 504?")
    assert bot_messages(world.env, world.channel)[-1].embeds[0].title.startswith("504 게이트웨이 시간 초과")


async def test_an_unchanged_command_tree_is_not_synced_again_after_a_restart(world: World,
                                                                             make_bot: MakeBot) -> None:
    def syncs() -> int:
        return sum(1 for r in world.env.http_requests if r.method == "PUT" and r.path.endswith("/commands"))

    assert syncs() == 1
    await world.env.restart_bot(await make_bot())
    assert syncs() == 1
    # ...and the commands Discord already has keep working.
    result = await world.alice.slash(world.channel, "http", query="200")
    assert result.response.embeds[0].title.startswith("200 OK")


async def test_heartbeat_file_is_written_while_ready(world: World) -> None:
    path = world.bot.settings.heartbeat_path

    await world.env.advance_time(16)

    assert path.exists()
    assert path.read_text(encoding="ascii").strip().isdigit()


async def test_commands_are_synced_with_korean_names(world: World) -> None:
    commands = {c.name: c for c in await world.bot.tree.fetch_commands()}

    assert set(commands) == {"http", "http-config", "Explain status codes"}
    http = commands["http"]
    assert http.name_localizations.get(discord.Locale.korean) == "http"
    assert http.options[0].name_localizations.get(discord.Locale.korean) == "질문"
    assert commands["Explain status codes"].name_localizations.get(discord.Locale.korean) == "상태 코드 설명"


async def test_the_server_can_make_full_answers_its_default(world: World) -> None:
    result = await world.admin.slash(world.channel, "http-config detail", value="full")

    assert result.ephemeral
    assert result.response.content == "Default answer form for this server: **full**."
    assert world.bot.store.guild(world.guild.id).detail == "full"
    answer = await world.alice.slash(world.channel, "http", query="503")
    assert "Related headers" in [f.name for f in answer.response.embeds[0].fields]
    compact = await world.alice.slash(world.channel, "http", query="503", detail="compact")
    assert "Related headers" not in [f.name for f in compact.response.embeds[0].fields]


