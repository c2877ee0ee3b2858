"""Korean names and descriptions for the slash commands, from the [commands] table of knowledge/ui.toml."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.models import UiFile


def text(key: str, ui: UiFile) -> app_commands.locale_str:
    """A command string whose English text is the knowledge's, with a key the translator looks up."""
    return app_commands.locale_str(ui.commands[key].en, key=key)


class KnowledgeTranslator(app_commands.Translator):
    def __init__(self, ui: UiFile) -> None:
        self.ui = ui

    async def translate(self, string: app_commands.locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        if locale is not discord.Locale.korean:
            return None
        key = string.extras.get("key")
        entry = self.ui.commands.get(key) if isinstance(key, str) else None
        return entry.ko if entry else None
