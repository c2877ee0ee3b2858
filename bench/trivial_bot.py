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
        super().__init__(intents=discord.Intents.none(), allowed_mentions=discord.AllowedMentions.none())
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
