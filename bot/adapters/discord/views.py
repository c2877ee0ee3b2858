"""Buttons and selects that keep working after a restart: DynamicItems whose custom_id carries the state.

- LanguageToggle  statusbot:lang:<target>:<lang>  re-renders the same answer in the other language, in place.
- RelatedSelect   statusbot:rel:<lang>            shows the chosen related code to the person who picked it.
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

_TOGGLE = r"statusbot:lang:(?P<target>[^:]{1,80}):(?P<lang>en|ko)"
_SELECT = r"statusbot:rel:(?P<lang>en|ko)"


def _bot(interaction: discord.Interaction[Any]) -> StatusBot:
    return interaction.client  # type: ignore[no-any-return]


class LanguageToggle(discord.ui.DynamicItem[discord.ui.Button[Any]], template=_TOGGLE):
    def __init__(self, target: str, lang: str) -> None:
        self.target, self.lang = target, lang
        super().__init__(discord.ui.Button(
            label="English" if lang == "en" else "한국어",
            style=discord.ButtonStyle.secondary,
            custom_id=f"statusbot:lang:{target}:{lang}",
        ))

    @classmethod
    def from_id(cls, custom_id: str) -> LanguageToggle | None:
        match = re.fullmatch(_TOGGLE, custom_id)
        return cls(match["target"], match["lang"]) if match else None

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> LanguageToggle:
        return cls(match["target"], match["lang"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = _bot(interaction)
        answer = answer_from_target(self.target, "ko" if self.lang == "ko" else "en", bot.registry)
        if answer is None:
            await interaction.response.send_message(bot.reply_text("error", self.lang), ephemeral=True,
                                                    allowed_mentions=discord.AllowedMentions.none())
            return
        kwargs = bot.message_kwargs_for(answer, interaction.guild_id, interaction.app_permissions)
        await interaction.response.edit_message(**kwargs)


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
