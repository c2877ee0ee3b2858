"""Per-server settings in SQLite (aiosqlite): default language, free-text channels, pictures, answer detail, and
the team's own notes per code.

The schema is created and migrated on open (PRAGMA user_version), the database runs in WAL mode and every
change is committed at once, so settings survive a restart and a kill -9. Reads come from an in-memory
copy, because the free-text check runs on every message.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import aiosqlite

# Each step moves the schema from version i to i + 1. Never edit a step once released; add one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE guild_settings (
        guild_id INTEGER PRIMARY KEY,
        lang TEXT NOT NULL DEFAULT 'auto' CHECK (lang IN ('auto', 'en', 'ko')),
        pictures INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE free_text_channels (
        guild_id INTEGER NOT NULL,
        channel_id INTEGER NOT NULL,
        PRIMARY KEY (guild_id, channel_id)
    );
    """,
    # 2: how much an answer shows by default: the compact answer with a Details button, or everything
    """
    ALTER TABLE guild_settings ADD COLUMN detail TEXT NOT NULL DEFAULT 'compact'
        CHECK (detail IN ('compact', 'full'));
    """,
    # 3: the team's note per code ("502 here usually means the payments pod OOM'd"), shown in every answer
    """
    CREATE TABLE guild_notes (
        guild_id INTEGER NOT NULL,
        code INTEGER NOT NULL,
        text TEXT NOT NULL CHECK (length(text) <= 500),
        PRIMARY KEY (guild_id, code)
    );
    """,
)
NOTE_MAX = 500  # characters of one note
DETAILS = ("compact", "full")


def check_value(lang: str | None = None, detail: str | None = None, note: str | None = None) -> None:
    """The values every settings store refuses alike (SQLite here, PostgreSQL in bot.settings_pg)."""
    if lang is not None and lang not in ("auto", "en", "ko"):
        raise ValueError(f"unknown language {lang!r}")
    if detail is not None and detail not in DETAILS:
        raise ValueError(f"unknown detail {detail!r}")
    if note is not None and (not note.strip() or len(note) > NOTE_MAX):
        raise ValueError(f"a note is 1 to {NOTE_MAX} characters")


class SettingsUnavailable(Exception):
    """The settings database refused a write; nothing was changed."""


@dataclass
class GuildSettings:
    lang: str = "auto"
    pictures: bool = False
    channels: set[int] = field(default_factory=set)
    detail: str = "compact"
    notes: dict[int, str] = field(default_factory=dict)


class SettingsStore:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._db: aiosqlite.Connection | None = None
        self._guilds: dict[int, GuildSettings] = {}

    @property
    def is_open(self) -> bool:
        return self._db is not None

    async def open(self) -> None:
        if self._db is not None:
            return
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path)
        for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=5000"):
            # close each cursor at once: an open statement would make the migration's COMMIT fail
            cursor = await self._db.execute(pragma)
            await cursor.close()
        await self._migrate()
        await self._load()

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("SettingsStore is not open")
        return self._db

    async def schema_version(self) -> int:
        async with self.db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        version = await self.schema_version()
        for step, script in enumerate(MIGRATIONS[version:], start=version + 1):
            await self.db.executescript(f"BEGIN; {script} PRAGMA user_version = {step}; COMMIT;")

    async def _load(self) -> None:
        self._guilds.clear()
        async with self.db.execute("SELECT guild_id, lang, pictures, detail FROM guild_settings") as cursor:
            async for guild_id, lang, pictures, detail in cursor:
                self._guilds[int(guild_id)] = GuildSettings(lang=str(lang), pictures=bool(pictures),
                                                            detail=str(detail))
        async with self.db.execute("SELECT guild_id, channel_id FROM free_text_channels") as cursor:
            async for guild_id, channel_id in cursor:
                self._guilds.setdefault(int(guild_id), GuildSettings()).channels.add(int(channel_id))
        async with self.db.execute("SELECT guild_id, code, text FROM guild_notes") as cursor:
            async for guild_id, code, text in cursor:
                self._guilds.setdefault(int(guild_id), GuildSettings()).notes[int(code)] = str(text)

    # ----- reads (memory) -----

    def guild(self, guild_id: int | None) -> GuildSettings:
        if guild_id is None:
            return GuildSettings()
        return self._guilds.get(guild_id) or GuildSettings()

    def is_free_text_channel(self, guild_id: int | None, channel_id: int) -> bool:
        return guild_id is not None and channel_id in self.guild(guild_id).channels

    # ----- writes (committed at once) -----

    async def _write(self, guild_id: int, *statements: tuple[str, tuple[object, ...]]) -> int:
        """Run the statements as one transaction (the server's row first); the rows the last one changed.
        A database that refuses the write (locked by another process past busy_timeout, read-only, full) is
        rolled back and raised as SettingsUnavailable: the in-memory copy changes only after a commit."""
        changed = 0
        try:
            cursor = await self.db.execute("INSERT OR IGNORE INTO guild_settings (guild_id) VALUES (?)", (guild_id,))
            await cursor.close()
            for sql, values in statements:
                cursor = await self.db.execute(sql, values)
                changed = cursor.rowcount
                await cursor.close()
            await self.db.commit()
        except sqlite3.OperationalError as exc:
            with contextlib.suppress(sqlite3.Error):
                await self.db.rollback()
            raise SettingsUnavailable(str(exc)) from exc
        return changed

    def _cached(self, guild_id: int) -> GuildSettings:
        return self._guilds.setdefault(guild_id, GuildSettings())

    async def set_lang(self, guild_id: int, lang: str) -> None:
        check_value(lang=lang)
        await self._write(guild_id, ("UPDATE guild_settings SET lang = ? WHERE guild_id = ?", (lang, guild_id)))
        self._cached(guild_id).lang = lang

    async def set_pictures(self, guild_id: int, enabled: bool) -> None:
        await self._write(guild_id, ("UPDATE guild_settings SET pictures = ? WHERE guild_id = ?",
                                     (int(enabled), guild_id)))
        self._cached(guild_id).pictures = enabled

    async def set_detail(self, guild_id: int, detail: str) -> None:
        check_value(detail=detail)
        await self._write(guild_id, ("UPDATE guild_settings SET detail = ? WHERE guild_id = ?", (detail, guild_id)))
        self._cached(guild_id).detail = detail

    async def add_channel(self, guild_id: int, channel_id: int) -> bool:
        added = await self._write(guild_id, ("INSERT OR IGNORE INTO free_text_channels (guild_id, channel_id) "
                                             "VALUES (?, ?)", (guild_id, channel_id)))
        self._cached(guild_id).channels.add(channel_id)
        return added > 0

    async def remove_channel(self, guild_id: int, channel_id: int) -> bool:
        removed = await self._write(guild_id, ("DELETE FROM free_text_channels WHERE guild_id = ? AND channel_id = ?",
                                               (guild_id, channel_id)))
        self._cached(guild_id).channels.discard(channel_id)
        return removed > 0

    async def set_note(self, guild_id: int, code: int, text: str) -> None:
        check_value(note=text)
        await self._write(guild_id, ("INSERT INTO guild_notes (guild_id, code, text) VALUES (?, ?, ?) "
                                     "ON CONFLICT(guild_id, code) DO UPDATE SET text = excluded.text",
                                     (guild_id, code, text)))
        self._cached(guild_id).notes[code] = text

    async def remove_note(self, guild_id: int, code: int) -> bool:
        removed = await self._write(guild_id, ("DELETE FROM guild_notes WHERE guild_id = ? AND code = ?",
                                               (guild_id, code)))
        self._cached(guild_id).notes.pop(code, None)
        return removed > 0

    async def get_meta(self, key: str) -> str | None:
        async with self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row else None

    async def set_meta(self, key: str, value: str) -> None:
        cursor = await self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
        await cursor.close()
        await self.db.commit()


class SettingsBackend(Protocol):
    """What the bot and `serve` use of a settings store: SQLite (SettingsStore) or PostgreSQL
    (bot.settings_pg.PostgresSettingsStore) alike."""

    @property
    def is_open(self) -> bool: ...
    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def schema_version(self) -> int: ...
    def guild(self, guild_id: int | None) -> GuildSettings: ...
    def is_free_text_channel(self, guild_id: int | None, channel_id: int) -> bool: ...
    async def set_lang(self, guild_id: int, lang: str) -> None: ...
    async def set_pictures(self, guild_id: int, enabled: bool) -> None: ...
    async def set_detail(self, guild_id: int, detail: str) -> None: ...
    async def add_channel(self, guild_id: int, channel_id: int) -> bool: ...
    async def remove_channel(self, guild_id: int, channel_id: int) -> bool: ...
    async def set_note(self, guild_id: int, code: int, text: str) -> None: ...
    async def remove_note(self, guild_id: int, code: int) -> bool: ...
    async def get_meta(self, key: str) -> str | None: ...
    async def set_meta(self, key: str, value: str) -> None: ...


def open_store_for(path: Path | str, database_url: str = "") -> SettingsBackend:
    """The settings store for a configuration: PostgreSQL for a postgresql:// URL, else SQLite at `path`."""
    if database_url:
        from bot.settings_pg import PostgresSettingsStore

        return PostgresSettingsStore(database_url)
    return SettingsStore(path)
