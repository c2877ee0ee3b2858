"""Small readers over simcord's world for the Discord adapter tests."""

from __future__ import annotations

from typing import Any

import discord
from simcord import ChannelHandle, Env

from bot.render.discord_payload import COLOURS

RED = COLOURS["5xx"]


def bot_messages(env: Env, channel: ChannelHandle) -> list[discord.Message]:
    """What everyone sees from the bot in a channel (ephemeral messages are not in the public history)."""
    assert env.bot.user is not None
    return [m for m in channel.history() if m.author.id == env.bot.user.id]


def field_names(embed: discord.Embed) -> list[str]:
    return [field.name or "" for field in embed.fields]


def custom_ids(components: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for row in components:
        for component in row.get("components", []):
            if component.get("custom_id"):
                out.append(component["custom_id"])
    return out

