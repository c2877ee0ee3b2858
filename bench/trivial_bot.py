"""The anchor for bench/load_bench.py: the smallest discord.py bot that answers /http with a one-line embed.

It shares everything with statusbot that is not statusbot's own work (discord.py, the gateway, aiohttp, the
same event loop, the same fake Discord), so the ratio between the two is the cost of understanding the
question and sending a real answer. Reads DISCORD_TOKEN, DISCORD_API_BASE and DISCORD_GATEWAY_URL.
"""

from __future__ import annotations

import os
import sys

import discord
import discord.gateway
import discord.http
import yarl
from discord import app_commands


class TrivialBot(discord.Client):
    def __init__(self) -> None:
        # The intents statusbot asks for (bot/adapters/discord/app.py intents_for, less message content): a bot that
        # answers mentions must receive channel messages, and with them Discord's echo of every answer it sends.
        # With none, this anchor was spared one gateway frame per answer that statusbot has to read.
        intents = discord.Intents.none()
        intents.guilds = intents.guild_messages = intents.dm_messages = True
        super().__init__(intents=intents, allowed_mentions=discord.AllowedMentions.none())
        self.tree = app_commands.CommandTree(self)

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def on_ready(self) -> None:
        print("trivial: Ready as", self.user, file=sys.stderr, flush=True)


def main() -> None:
    discord.http.Route.BASE = os.environ["DISCORD_API_BASE"].rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])
    bot = TrivialBot()

    @bot.tree.command(name="http", description="Explain an HTTP status code")
    async def http(interaction: discord.Interaction, query: str) -> None:
        await interaction.response.send_message(embed=discord.Embed(title=query[:100], description="One line."))

    try:
        import uvloop  # the loop statusbot runs on, so that the comparison is about the bots' own work
    except ImportError:
        uvloop = None
    if uvloop is not None:
        uvloop.install()
    bot.run(os.environ["DISCORD_TOKEN"], log_handler=None)


if __name__ == "__main__":
    main()
