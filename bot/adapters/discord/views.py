"""Buttons and selects that keep working after a restart: DynamicItems whose custom_id carries the state.

- LanguageToggle  statusbot:lang:<target>:<lang>[:f]      re-renders the same answer in the other language, in
                  place (":f": the message shows the full answer, and keeps showing it).
- DetailToggle    statusbot:more:<target>:<lang>:<f|c>    the full answer (f) or the compact one (c): in place
                  for the person who asked, privately for anyone else (the asker's message stays as it was).
- RelatedSelect   statusbot:rel:<lang>                    shows the chosen related code to the person who picked it.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.render.discord_payload import answer_from_target
from bot.resolver.resolve import Answer

if TYPE_CHECKING:
    from bot.adapters.discord.app import StatusBot

log = logging.getLogger(__name__)

_TOGGLE = r"statusbot:lang:(?P<target>[^:]{1,80}):(?P<lang>en|ko)(?::(?P<full>f))?"
_DETAIL = r"statusbot:more:(?P<target>[^:]{1,80}):(?P<lang>en|ko):(?P<show>[fc])"
_SELECT = r"statusbot:rel:(?P<lang>en|ko)"


def _bot(interaction: discord.Interaction[Any]) -> StatusBot:
    return interaction.client  # type: ignore[no-any-return]


def _asked_by(interaction: discord.Interaction[Any]) -> bool:
    """Whether the person clicking is the one the message answered (or the message is theirs alone)."""
    message = interaction.message
    if message is None or message.flags.ephemeral:
        return True
    metadata = message.interaction_metadata
    if metadata is not None:
        return metadata.user.id == interaction.user.id
    asked = message.reference.resolved if message.reference else None  # a reply to a question in the channel
    return isinstance(asked, discord.Message) and asked.author.id == interaction.user.id


class LanguageToggle(discord.ui.DynamicItem[discord.ui.Button[Any]], template=_TOGGLE):
    def __init__(self, target: str, lang: str, full: bool = False) -> None:
        self.target, self.lang, self.full = target, lang, full
        super().__init__(discord.ui.Button(
            label="English" if lang == "en" else "한국어",
            style=discord.ButtonStyle.secondary,
            custom_id=f"statusbot:lang:{target}:{lang}" + (":f" if full else ""),
        ))

    @classmethod
    def from_id(cls, custom_id: str) -> LanguageToggle | None:
        match = re.fullmatch(_TOGGLE, custom_id)
        return cls(match["target"], match["lang"], bool(match["full"])) if match else None

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> LanguageToggle:
        return cls(match["target"], match["lang"], bool(match["full"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = _bot(interaction)
        answer = answer_from_target(self.target, "ko" if self.lang == "ko" else "en", bot.registry)
        if answer is None:
            await interaction.response.send_message(bot.reply_text("error", self.lang), ephemeral=True,
                                                    allowed_mentions=discord.AllowedMentions.none())
            return
        kwargs = bot.message_kwargs_for(answer, interaction.guild_id, interaction.app_permissions, self.full)
        await interaction.response.edit_message(**kwargs)


class DetailToggle(discord.ui.DynamicItem[discord.ui.Button[Any]], template=_DETAIL):
    def __init__(self, target: str, lang: str, show: str, label: str = "") -> None:
        self.target, self.lang, self.show = target, lang, show
        super().__init__(discord.ui.Button(
            label=label or ("Details" if show == "f" else "Less"),
            style=discord.ButtonStyle.primary if show == "f" else discord.ButtonStyle.secondary,
            custom_id=f"statusbot:more:{target}:{lang}:{show}",
        ))

    @classmethod
    def from_id(cls, custom_id: str, label: str = "") -> DetailToggle | None:
        match = re.fullmatch(_DETAIL, custom_id)
        return cls(match["target"], match["lang"], match["show"], label) if match else None

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> DetailToggle:
        return cls(match["target"], match["lang"], match["show"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = _bot(interaction)
        lang = "ko" if self.lang == "ko" else "en"
        answer = answer_from_target(self.target, lang, bot.registry)
        if answer is None:
            await interaction.response.send_message(bot.reply_text("error", lang), ephemeral=True,
                                                    allowed_mentions=discord.AllowedMentions.none())
            return
        kwargs = bot.message_kwargs_for(answer, interaction.guild_id, interaction.app_permissions, self.show == "f")
        if _asked_by(interaction):
            await interaction.response.edit_message(**kwargs)
        else:
            await interaction.response.send_message(ephemeral=True, **kwargs)


class RelatedSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=_SELECT):
    def __init__(self, custom_id: str, placeholder: str, options: list[dict[str, Any]]) -> None:
        match = re.fullmatch(_SELECT, custom_id)
        self.lang = match["lang"] if match else "en"
        super().__init__(discord.ui.Select(
            custom_id=custom_id,
            placeholder=placeholder,
            min_values=1,
            max_values=1,
            options=[discord.SelectOption(label=o["label"], value=o["value"], description=o.get("description"))
                     for o in options] or [discord.SelectOption(label="-", value="0")],
        ))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> RelatedSelect:
        options: list[dict[str, Any]] = []
        placeholder = ""
        if isinstance(item, discord.ui.Select):
            placeholder = item.placeholder or ""
            options = [{"label": o.label, "value": o.value, "description": o.description} for o in item.options]
        return cls(match.string, placeholder, options)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = _bot(interaction)
        try:
            code = int(self.item.values[0])
        except (IndexError, ValueError):
            code = -1
        lang = "ko" if self.lang == "ko" else "en"
        if code not in bot.registry.codes:
            await interaction.response.send_message(bot.reply_text("error", lang), ephemeral=True,
                                                    allowed_mentions=discord.AllowedMentions.none())
            return
        answer = Answer(query=str(code), kind="code", codes=(code,), lang=lang, confidence=1.0)
        kwargs = bot.message_kwargs_for(answer, interaction.guild_id, interaction.app_permissions)
        await interaction.response.send_message(ephemeral=True, **kwargs)
