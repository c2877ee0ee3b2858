"""The search index: built from the knowledge, cached between runs, rebuilt when anything changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.registry import Registry, load_registry
from bot.resolver.index import build_index, load_index
from tests.conftest import KNOWLEDGE


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("STATUSBOT_CACHE_DIR", str(directory))
    return directory


def _index_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("index-*.msgpack"))


def test_cached_index_is_the_built_index(registry: Registry, cache: Path) -> None:
    built = load_index(registry)  # no cache yet: built, then written
    assert len(_index_files(cache)) == 1
    assert load_index(registry) == built == build_index(registry)  # read back: the same index


def test_damaged_cache_is_rebuilt(registry: Registry, cache: Path) -> None:
    load_index(registry)
    (path,) = _index_files(cache)
    path.write_bytes(b"\x93not an index")
    assert load_index(registry) == build_index(registry)
    assert path.read_bytes() != b"\x93not an index"  # and replaced


def test_unwritable_cache_still_answers(registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("STATUSBOT_CACHE_DIR", str(blocker / "cache"))
    assert load_index(registry).keys


def test_changed_knowledge_gets_its_own_index(tmp_path: Path, cache: Path) -> None:
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, copy)
    before = load_index(load_registry(copy))
    path = copy / "codes" / "418.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'aliases.en = [', 'aliases.en = ["kettle refuses coffee", ', 1), encoding="utf-8")
    after = load_index(load_registry(copy))
    assert len(_index_files(cache)) == 2
    assert "kettlerefusescoffee" in after.exact and "kettlerefusescoffee" not in before.exact
