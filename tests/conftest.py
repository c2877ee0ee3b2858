"""Shared fixtures: the real registry and resolver, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.registry import Registry, get_registry
from bot.resolver.resolve import Resolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"


@pytest.fixture(scope="session")
def registry() -> Registry:
    return get_registry()


@pytest.fixture(scope="session")
def resolver() -> Resolver:
    return get_resolver()
