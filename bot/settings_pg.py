"""Per-server settings in PostgreSQL (asyncpg), for several processes or replicas sharing one database.

The same interface and behaviour as bot.settings_store.SettingsStore (the SQLite default), plus what sharing
needs:
- migrations are versioned in the database itself (table statusbot_schema) and applied at start under
  pg_advisory_lock, so ten replicas starting at once migrate once; a schema newer than this code is refused;
- every write notifies the others (NOTIFY statusbot_settings, '<guild id>') in its own transaction, and each
  process LISTENs and reloads that server's settings, so a change is seen everywhere within a second;
- reads come from memory, so answers go on while the database is down; writes then fail as SettingsUnavailable
  (nothing changed), and a background task reconnects the listener and reloads everything when it returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bot.settings_store import GuildSettings, SettingsUnavailable, check_value

log = logging.getLogger("statusbot.settings")

# Each step moves the schema from version i to i + 1 (the same steps as SQLite's, in PostgreSQL's dialect).
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE guild_settings (
        guild_id BIGINT PRIMARY KEY,
        lang TEXT NOT NULL DEFAULT 'auto' CHECK (lang IN ('auto', 'en', 'ko')),
        pictures BOOLEAN NOT NULL DEFAULT false
    );
    CREATE TABLE free_text_channels (
        guild_id BIGINT NOT NULL,
        channel_id BIGINT NOT NULL,
        PRIMARY KEY (guild_id, channel_id)
    );
    """,
    """
    ALTER TABLE guild_settings ADD COLUMN detail TEXT NOT NULL DEFAULT 'compact'
        CHECK (detail IN ('compact', 'full'));
    """,
    """
    CREATE TABLE guild_notes (
        guild_id BIGINT NOT NULL,
        code INTEGER NOT NULL,
        text TEXT NOT NULL CHECK (length(text) <= 500),
        PRIMARY KEY (guild_id, code)
    );
    """,
)
CHANNEL = "statusbot_settings"
LOCK_KEY = 0x5374617475  # pg_advisory_lock key for migrations ("Statu" in ASCII): any constant all replicas share
RECONNECT_EVERY = 1.0  # seconds between attempts to get the listener back after the database went away
_DOWN = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, ConnectionError, asyncio.TimeoutError)


class SchemaTooNew(Exception):
    """The database was migrated by a newer statusbot than this one."""


def is_postgres_url(value: str) -> bool:
    return value.startswith(("postgresql://", "postgres://"))


class PostgresSettingsStore:
    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self.url = url
        self.timeout = timeout
        self._pool: asyncpg.Pool | None = None
        self._listener: asyncpg.Connection | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._guilds: dict[int, GuildSettings] = {}
        self._closing = False
        self._reloads: set[asyncio.Task[None]] = set()  # (kept, so that a running reload is not collected)

    @property
    def is_open(self) -> bool:
        return self._pool is not None

    async def open(self) -> None:
        if self._pool is not None:
            return
        self._pool = await asyncpg.create_pool(self.url, min_size=1, max_size=4, timeout=self.timeout,
                                               command_timeout=self.timeout)
        try:
            await self._migrate()
            await self._load()
            await self._listen()
        except BaseException:
            await self._pool.close()
            self._pool = None
            raise
        self._watcher = asyncio.ensure_future(self._watch())

    async def close(self) -> None:
        self._closing = True
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._watcher
        if self._listener is not None:
            with contextlib.suppress(*_DOWN):
                await self._listener.close(timeout=1)
            self._listener = None
        if self._pool is not None:
            with contextlib.suppress(*_DOWN):
                await asyncio.wait_for(self._pool.close(), 2)
            self._pool = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("PostgresSettingsStore is not open")
        return self._pool

    async def schema_version(self) -> int:
        async with self.pool.acquire() as connection:
            return int(await connection.fetchval("SELECT coalesce(max(version), 0) FROM statusbot_schema"))

    async def _migrate(self) -> None:
        async with self.pool.acquire() as connection:
            await connection.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)
            try:
                await connection.execute("CREATE TABLE IF NOT EXISTS statusbot_schema (version INTEGER NOT NULL)")
                version = int(await connection.fetchval("SELECT coalesce(max(version), 0) FROM statusbot_schema"))
                if version > len(MIGRATIONS):
                    raise SchemaTooNew(f"the settings database is at schema version {version}; this statusbot knows "
                                       f"{len(MIGRATIONS)}: upgrade statusbot")
                for step, script in enumerate(MIGRATIONS[version:], start=version + 1):
                    async with connection.transaction():
                        await connection.execute(script)
                        await connection.execute("INSERT INTO statusbot_schema (version) VALUES ($1)", step)
            finally:
                await connection.execute("SELECT pg_advisory_unlock($1)", LOCK_KEY)

    async def _load(self, guild_id: int | None = None) -> None:
        """Read every server's settings (or one server's) into memory."""
        where, args = ("WHERE guild_id = $1", (guild_id,)) if guild_id is not None else ("", ())
        async with self.pool.acquire() as connection:
            settings = await connection.fetch(f"SELECT guild_id, lang, pictures, detail FROM guild_settings {where}",
                                              *args)
            channels = await connection.fetch(f"SELECT guild_id, channel_id FROM free_text_channels {where}", *args)
            notes = await connection.fetch(f"SELECT guild_id, code, text FROM guild_notes {where}", *args)
        fresh: dict[int, GuildSettings] = {}
        for row in settings:
            fresh[int(row["guild_id"])] = GuildSettings(lang=row["lang"], pictures=row["pictures"],
                                                        detail=row["detail"])
        for row in channels:
            fresh.setdefault(int(row["guild_id"]), GuildSettings()).channels.add(int(row["channel_id"]))
        for row in notes:
            fresh.setdefault(int(row["guild_id"]), GuildSettings()).notes[int(row["code"])] = row["text"]
        if guild_id is None:
            self._guilds = fresh
        else:
            self._guilds[guild_id] = fresh.get(guild_id, GuildSettings())

    async def _listen(self) -> None:
        listener = await asyncpg.connect(self.url, timeout=self.timeout)
        await listener.add_listener(CHANNEL, self._notified)
        listener.add_termination_listener(lambda _: log.warning("Lost the settings database; answering from memory"))
        self._listener = listener

    def _notified(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        if payload.isdigit():
            task = asyncio.ensure_future(self._reload_quietly(int(payload)))
            self._reloads.add(task)
            task.add_done_callback(self._reloads.discard)

    async def _reload_quietly(self, guild_id: int) -> None:
        try:
            await self._load(guild_id)
        except _DOWN as exc:
            log.warning("Could not reload the settings of server %s: %r", guild_id, exc)

    async def _watch(self) -> None:
        """Get the listener back after the database went away, and reload everything it may have missed."""
        while not self._closing:
            await asyncio.sleep(RECONNECT_EVERY)
            if self._listener is not None and not self._listener.is_closed():
                continue
            try:
                await self._listen()
                await self._load()
                log.info("The settings database is back")
            except _DOWN:
                continue

    # ----- reads (memory) -----

    def guild(self, guild_id: int | None) -> GuildSettings:
        if guild_id is None:
            return GuildSettings()
        return self._guilds.get(guild_id) or GuildSettings()

    def is_free_text_channel(self, guild_id: int | None, channel_id: int) -> bool:
        return guild_id is not None and channel_id in self.guild(guild_id).channels

    # ----- writes -----

    async def _write(self, guild_id: int, sql: str, *args: object) -> str:
        """One statement after the server's row, and the notification, in one transaction; the command status."""
        try:
            async with self.pool.acquire(timeout=self.timeout) as connection, connection.transaction():
                await connection.execute("INSERT INTO guild_settings (guild_id) VALUES ($1) ON CONFLICT DO NOTHING",
                                         guild_id)
                status = str(await connection.execute(sql, *args))
                await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, str(guild_id))
        except _DOWN as exc:
            raise SettingsUnavailable(str(exc) or type(exc).__name__) from exc
        return status

    def _cached(self, guild_id: int) -> GuildSettings:
        return self._guilds.setdefault(guild_id, GuildSettings())

    @staticmethod
    def _changed(status: str) -> int:
        return int(status.rsplit(" ", 1)[-1]) if status and status.rsplit(" ", 1)[-1].isdigit() else 0

    async def set_lang(self, guild_id: int, lang: str) -> None:
        check_value(lang=lang)
        await self._write(guild_id, "UPDATE guild_settings SET lang = $2 WHERE guild_id = $1", guild_id, lang)
        self._cached(guild_id).lang = lang

    async def set_pictures(self, guild_id: int, enabled: bool) -> None:
        await self._write(guild_id, "UPDATE guild_settings SET pictures = $2 WHERE guild_id = $1", guild_id, enabled)
        self._cached(guild_id).pictures = enabled

    async def set_detail(self, guild_id: int, detail: str) -> None:
        check_value(detail=detail)
        await self._write(guild_id, "UPDATE guild_settings SET detail = $2 WHERE guild_id = $1", guild_id, detail)
        self._cached(guild_id).detail = detail

    async def add_channel(self, guild_id: int, channel_id: int) -> bool:
        status = await self._write(guild_id, "INSERT INTO free_text_channels (guild_id, channel_id) VALUES ($1, $2) "
                                             "ON CONFLICT DO NOTHING", guild_id, channel_id)
        self._cached(guild_id).channels.add(channel_id)
        return self._changed(status) > 0

    async def remove_channel(self, guild_id: int, channel_id: int) -> bool:
        status = await self._write(guild_id, "DELETE FROM free_text_channels WHERE guild_id = $1 AND channel_id = $2",
                                   guild_id, channel_id)
        self._cached(guild_id).channels.discard(channel_id)
        return self._changed(status) > 0

    async def set_note(self, guild_id: int, code: int, text: str) -> None:
        check_value(note=text)
        await self._write(guild_id, "INSERT INTO guild_notes (guild_id, code, text) VALUES ($1, $2, $3) "
                                    "ON CONFLICT (guild_id, code) DO UPDATE SET text = excluded.text",
                          guild_id, code, text)
        self._cached(guild_id).notes[code] = text

    async def remove_note(self, guild_id: int, code: int) -> bool:
        status = await self._write(guild_id, "DELETE FROM guild_notes WHERE guild_id = $1 AND code = $2",
                                   guild_id, code)
        self._cached(guild_id).notes.pop(code, None)
        return self._changed(status) > 0

    async def get_meta(self, key: str) -> str | None:
        async with self.pool.acquire() as connection:
            value = await connection.fetchval("SELECT value FROM meta WHERE key = $1", key)
        return str(value) if value is not None else None

    async def set_meta(self, key: str, value: str) -> None:
        async with self.pool.acquire() as connection:
            await connection.execute("INSERT INTO meta (key, value) VALUES ($1, $2) "
                                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
