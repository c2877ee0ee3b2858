"""bot/settings_pg.py: what sharing one PostgreSQL database between processes needs, against a real server."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg  # type: ignore[import-untyped]
import pytest

from bot.settings_pg import MIGRATIONS, PostgresSettingsStore, SchemaTooNew
from bot.settings_store import SettingsUnavailable


async def test_a_change_in_one_process_is_seen_by_the_other_within_a_second(postgres_url: str) -> None:
    one, other = PostgresSettingsStore(postgres_url), PostgresSettingsStore(postgres_url)
    await one.open()
    await other.open()
    try:
        await one.set_lang(42, "ko")
        await one.set_note(42, 502, "payments OOM")
        await one.add_channel(42, 7)
        for _ in range(20):
            if other.guild(42).notes and other.guild(42).channels:
                break
            await asyncio.sleep(0.05)
        seen = other.guild(42)
        assert (seen.lang, seen.notes, seen.channels) == ("ko", {502: "payments OOM"}, {7})
        await other.remove_note(42, 502)
        for _ in range(20):
            if not one.guild(42).notes:
                break
            await asyncio.sleep(0.05)
        assert one.guild(42).notes == {}
    finally:
        await one.close()
        await other.close()


async def test_ten_replicas_starting_at_once_migrate_once(postgres_url: str) -> None:
    stores = [PostgresSettingsStore(postgres_url) for _ in range(10)]
    await asyncio.gather(*(store.open() for store in stores))
    try:
        connection = await asyncpg.connect(postgres_url)
        try:
            versions = [row["version"] for row in await connection.fetch("SELECT version FROM statusbot_schema")]
        finally:
            await connection.close()
        assert sorted(versions) == list(range(1, len(MIGRATIONS) + 1))
        assert {await store.schema_version() for store in stores} == {len(MIGRATIONS)}
    finally:
        await asyncio.gather(*(store.close() for store in stores))


async def test_a_newer_schema_is_refused(postgres_url: str) -> None:
    store = PostgresSettingsStore(postgres_url)
    await store.open()
    await store.close()
    connection = await asyncpg.connect(postgres_url)
    await connection.execute("INSERT INTO statusbot_schema (version) VALUES ($1)", len(MIGRATIONS) + 1)
    await connection.close()
    with pytest.raises(SchemaTooNew, match="upgrade statusbot"):
        await PostgresSettingsStore(postgres_url).open()


class Proxy:
    """A TCP proxy in front of the database that can be cut and restored: the database going away and back."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.server: asyncio.Server | None = None
        self.port = 0
        self.links: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._link, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.links):
            writer.close()
        await self.server.wait_closed()

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.links |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, ConnectionError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def test_the_database_going_away_and_back(postgres_url: str) -> None:
    rest = postgres_url.split("@", 1)[1]
    hostport, _, database = rest.partition("/")
    host, _, port = hostport.partition(":")
    proxy = Proxy(host, int(port))
    await proxy.start()
    user = postgres_url.split("://", 1)[1].split("@", 1)[0]
    store = PostgresSettingsStore(f"postgresql://{user}@127.0.0.1:{proxy.port}/{database}", timeout=1.0)
    await store.open()
    try:
        await store.set_lang(5, "ko")
        await proxy.cut()
        assert store.guild(5).lang == "ko"  # answers go on from memory
        with pytest.raises(SettingsUnavailable):
            await store.set_lang(5, "en")
        assert store.guild(5).lang == "ko"  # nothing changed
        await proxy.start()  # the database is back (on the same port)
        for _ in range(60):
            try:
                await store.set_lang(5, "en")
                break
            except SettingsUnavailable:
                await asyncio.sleep(0.1)
        assert store.guild(5).lang == "en"
    finally:
        await store.close()
