"""Start-up: the search caches of a new knowledge are built in a child process, not in the bot's own."""

from __future__ import annotations

import pytest

from bot.adapters.bot_commands import _build_caches_apart
from bot.registry import Registry
from bot.resolver.index import index_cache_path
from bot.resolver.ranker import ranker_cache_path


def test_missing_caches_are_built_by_a_child_process(registry: Registry, tmp_path, monkeypatch: pytest.MonkeyPatch,
                                                      ) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STATUSBOT_CACHE_DIR", str(tmp_path))
    index, ranker = index_cache_path(registry), ranker_cache_path(registry)
    assert index is not None and ranker is not None and not index.exists() and not ranker.exists()
    _build_caches_apart(registry)
    assert index.exists() and ranker.exists()


def test_nothing_is_started_when_the_caches_are_there(registry: Registry, tmp_path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STATUSBOT_CACHE_DIR", str(tmp_path))
    for path in (index_cache_path(registry), ranker_cache_path(registry)):
        assert path is not None
        path.write_bytes(b"")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a child process was started")

    monkeypatch.setattr("subprocess.run", refuse)
    _build_caches_apart(registry)
