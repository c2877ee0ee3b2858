"""Cache files: read back what was written, and never fail on a missing, damaged or unwritable cache."""

from __future__ import annotations

from pathlib import Path

import msgspec

from bot.cache import read_cached, write_cached


class Thing(msgspec.Struct):
    name: str
    numbers: list[int]


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "thing.msgpack"
    write_cached(path, Thing("x", [1, 2]))
    assert read_cached(path, Thing) == Thing("x", [1, 2])
    assert not list(path.parent.glob("*.tmp"))  # written through a temporary file, then moved into place


def test_missing_damaged_or_other_shape_is_none(tmp_path: Path) -> None:
    assert read_cached(tmp_path / "nothing", Thing) is None
    (tmp_path / "bad").write_bytes(b"\xc1 not msgpack")
    assert read_cached(tmp_path / "bad", Thing) is None
    write_cached(tmp_path / "other", {"unexpected": True})
    assert read_cached(tmp_path / "other", Thing) is None


def test_unwritable_place_is_ignored(tmp_path: Path) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a directory")
    write_cached(blocker / "thing.msgpack", Thing("x", []))  # no exception
    assert read_cached(blocker / "thing.msgpack", Thing) is None
