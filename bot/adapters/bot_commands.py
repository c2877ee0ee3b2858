"""CLI commands that drive the Discord bot (run, sync, health); filled in with the Discord adapter."""

from __future__ import annotations

import argparse
from typing import Any


def add_bot_commands(sub: Any) -> None:
    del sub  # the bot commands arrive with the Discord adapter


__all__ = ["add_bot_commands", "argparse"]
