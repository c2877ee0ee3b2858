"""/http-config note: the team's own notes per code, kept through a restart and shown in every answer."""

from __future__ import annotations

from tests.adapters.discord.conftest import MakeBot, World
from tests.adapters.discord.helpers import bot_messages

NOTE = "502 here usually means the payments pod OOM'd: check the payments dashboard"


def field(embed: object, name: str) -> str:
    return next((f.value or "" for f in embed.fields if f.name == name), "")  # type: ignore[attr-defined]


async def test_a_note_shows_first_in_compact_and_full_answers_and_survives_a_restart(
        world: World, make_bot: MakeBot) -> None:
    added = await world.admin.slash(world.channel, "http-config note add", code=502, text=NOTE)
    assert added.ephemeral and "502" in added.response.content

    compact = await world.alice.slash(world.channel, "http", query="bad gateway")
    (embed,) = compact.response.embeds
    assert embed.fields[0].name == "This server's note"
    assert "payments pod OOM" in embed.fields[0].value
    full = await world.alice.slash(world.channel, "http", query="502", detail="full")
    names = [f.name for f in full.response.embeds[0].fields]
    assert names.index("This server's note") < names.index("What to check first")

    await world.env.restart_bot(await make_bot())

    korean = await world.alice.slash(world.channel, "http", query="502", lang="ko")
    assert "payments pod OOM" in field(korean.response.embeds[0], "이 서버의 메모")
    other = await world.alice.slash(world.channel, "http", query="503")
    assert "This server's note" not in [f.name for f in other.response.embeds[0].fields]


async def test_list_remove_and_what_is_refused(world: World) -> None:
    await world.admin.slash(world.channel, "http-config note add", code=504, text="batch jobs end at 60 s")
    await world.admin.slash(world.channel, "http-config note add", code=502, text="@everyone **look**")

    listed = await world.admin.slash(world.channel, "http-config note list")
    assert listed.response.content.splitlines()[0].startswith("**502**")
    assert "@everyone" not in listed.response.content  # mentions never resolve, markdown escaped
    answered = await world.alice.slash(world.channel, "http", query="502")
    assert "@everyone" not in answered.response.embeds[0].fields[0].value

    unknown = await world.admin.slash(world.channel, "http-config note add", code=777, text="x")
    assert "777" in unknown.response.content and 777 not in world.bot.store.guild(world.guild.id).notes

    removed = await world.admin.slash(world.channel, "http-config note remove", code=504)
    assert removed.response.content == "Removed the note on 504."
    again = await world.admin.slash(world.channel, "http-config note remove", code=504)
    assert again.response.content == "There was no note on 504."
    assert list(world.bot.store.guild(world.guild.id).notes) == [502]
    assert [m.id for m in bot_messages(world.env, world.channel)] == [answered.response.id]  # all else private
