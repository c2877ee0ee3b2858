"""Typed settings from the environment, read once at start-up.

The token lives only in `Settings.token` and is never part of repr(), logs or error messages.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DB = "./data/statusbot.sqlite3"


class ConfigError(Exception):
    """A setting is missing or malformed; str() is the one line shown to the user."""


def _port(name: str, value: str | None) -> int:
    if not value or not value.strip():
        return 0
    if not value.strip().isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"{name} must be a port number from 1 to 65535, not {value!r}")
    return int(value)


def _flag(value: str | None, default: bool) -> bool:
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _float(name: str, value: str | None, default: float) -> float:
    """A non-negative finite number (a cooldown, a window, a burst size): anything else is refused."""
    if value is None or not value.strip():
        return default
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {value!r}") from None
    if not math.isfinite(number) or number < 0:
        raise ConfigError(f"{name} must be a number of 0 or more, not {value!r}")
    return number


@dataclass(frozen=True)
class Settings:
    token: str = field(repr=False)
    db_path: Path = Path(DEFAULT_DB)
    database_url: str = field(default="", repr=False)  # postgresql://… (STATUSBOT_DB): shared settings instead
    metrics_port: int = 0  # STATUSBOT_METRICS_PORT: Prometheus metrics of `run` on this port (0: none)
    heartbeat_path: Path = Path("./data/heartbeat")
    log_level: int = logging.INFO
    message_content: bool = False  # privileged intent; needed to answer plain messages in opted-in channels
    user_cooldown: float = 10.0  # seconds between free-text answers to one user
    channel_burst: int = 5  # free-text answers per channel per `channel_window`
    channel_window: float = 60.0
    picture_base: str = "https://http.cat/"  # optional thumbnails; the bot only links, never downloads
    # Test/proxy settings only; unset in production.
    api_base: str | None = None
    gateway_url: str | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, *, require_token: bool = True) -> Settings:
        env = dict(os.environ if env is None else env)
        token = env.get("DISCORD_TOKEN", "").strip()
        if require_token and not token:
            raise ConfigError("DISCORD_TOKEN is not set: export the bot token from the Discord developer portal")
        level_name = env.get("STATUSBOT_LOG_LEVEL", "INFO").strip().upper() or "INFO"
        level = logging.getLevelName(level_name)
        if not isinstance(level, int):
            raise ConfigError(f"STATUSBOT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level_name!r}")
        db = (env.get("STATUSBOT_DB") or DEFAULT_DB).strip()
        if "://" in db and not db.startswith(("postgresql://", "postgres://")):
            raise ConfigError(f"STATUSBOT_DB must be a file path (SQLite) or a postgresql:// URL, not "
                              f"{db.split('://', 1)[0]}://…")
        database_url = db if "://" in db else ""
        db_path = Path(DEFAULT_DB if database_url else db)
        return cls(
            token=token,
            db_path=db_path,
            database_url=database_url,
            heartbeat_path=Path(env.get("STATUSBOT_HEARTBEAT") or db_path.parent / "heartbeat"),
            log_level=level,
            message_content=_flag(env.get("STATUSBOT_MESSAGE_CONTENT"), False),
            user_cooldown=_float("STATUSBOT_USER_COOLDOWN", env.get("STATUSBOT_USER_COOLDOWN"), 10.0),
            channel_burst=int(_float("STATUSBOT_CHANNEL_BURST", env.get("STATUSBOT_CHANNEL_BURST"), 5)),
            channel_window=_float("STATUSBOT_CHANNEL_WINDOW", env.get("STATUSBOT_CHANNEL_WINDOW"), 60.0),
            metrics_port=_port("STATUSBOT_METRICS_PORT", env.get("STATUSBOT_METRICS_PORT")),
            api_base=env.get("DISCORD_API_BASE") or None,
            gateway_url=env.get("DISCORD_GATEWAY_URL") or None,
        )
