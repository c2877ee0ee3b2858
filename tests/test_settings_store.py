"""The settings stores: SQLite (bot/settings_store.py) and PostgreSQL (bot/settings_pg.py) behave the same; writes
are all or nothing, and a database that refuses them is a clear error."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.settings_store import MIGRATIONS, SettingsBackend, SettingsStore, SettingsUnavailable

MakeStore = Callable[[], SettingsBackend]


@pytest.fixture(params=["sqlite", "postgres"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> MakeStore:
    """A factory of stores on one database (each call a new process's view of it), SQLite and PostgreSQL."""
    if request.param == "sqlite":
        return lambda: SettingsStore(tmp_path / "s.sqlite3")
    url = request.getfixturevalue("postgres_url")
    from bot.settings_pg import PostgresSettingsStore

    return lambda: PostgresSettingsStore(url)


async def test_settings_survive_a_reopen(make_store: MakeStore) -> None:
    store = make_store()
    await store.open()
    await store.set_lang(1, "ko")
    assert await store.add_channel(1, 10) is True
    assert await store.add_channel(1, 10) is False
    await store.set_pictures(1, True)
    await store.close()
    again = make_store()
    await again.open()
    settings = again.guild(1)
    assert (settings.lang, settings.pictures, settings.channels) == ("ko", True, {10})
    assert await again.remove_channel(1, 10) is True
    assert await again.remove_channel(1, 10) is False
    await again.close()


async def test_a_locked_database_refuses_the_write_and_changes_nothing(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.sqlite3"
    store = SettingsStore(path)
    await store.open()
    await store.db.execute("PRAGMA busy_timeout=100")  # the test need not wait the real 5 s
    holder = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(SettingsUnavailable):
            await store.set_lang(7, "ko")
        with pytest.raises(SettingsUnavailable):
            await store.add_channel(7, 70)
        assert store.guild(7).lang == "auto" and store.guild(7).channels == set()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    await store.set_lang(7, "en")  # free again: the same connection writes normally
    assert store.guild(7).lang == "en"
    await store.close()


async def test_a_first_version_database_is_migrated_and_keeps_its_settings(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path, isolation_level=None)
    old.executescript(f"BEGIN; {MIGRATIONS[0]} PRAGMA user_version = 1; COMMIT;")
    old.execute("INSERT INTO guild_settings (guild_id, lang, pictures) VALUES (5, 'ko', 1)")
    old.close()

    store = SettingsStore(path)
    await store.open()
    assert await store.schema_version() == len(MIGRATIONS)
    settings = store.guild(5)
    assert (settings.lang, settings.pictures, settings.detail) == ("ko", True, "compact")
    await store.set_detail(5, "full")
    with pytest.raises(ValueError):
        await store.set_detail(5, "huge")
    await store.close()

    again = SettingsStore(path)
    await again.open()
    assert again.guild(5).detail == "full"
    await again.close()


async def test_notes_survive_a_reopen_and_are_bounded(make_store: MakeStore) -> None:
    store = make_store()
    await store.open()
    await store.set_note(1, 502, "여기서 502는 보통 payments 파드 OOM입니다: 대시보드 X")
    await store.set_note(1, 502, "payments OOM, see dashboard X")  # replaced, not added
    await store.set_note(2, 504, "batch jobs time out at 60 s")
    with pytest.raises(ValueError):
        await store.set_note(1, 503, "x" * 501)
    with pytest.raises(ValueError):
        await store.set_note(1, 503, "   ")
    await store.close()

    again = make_store()
    await again.open()
    assert again.guild(1).notes == {502: "payments OOM, see dashboard X"}
    assert again.guild(2).notes == {504: "batch jobs time out at 60 s"}
    assert await again.remove_note(1, 502) is True
    assert await again.remove_note(1, 502) is False
    assert again.guild(1).notes == {}
    await again.close()
