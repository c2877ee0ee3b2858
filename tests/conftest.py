"""Shared fixtures: the real registry and resolver, loaded once per test session."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
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


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for one test, on the server STATUSBOT_TEST_POSTGRES names (.ci/run
    starts one). Without it the test is skipped locally, and fails in CI (STATUSBOT_REQUIRE_POSTGRES)."""
    import asyncpg  # type: ignore[import-untyped]

    server = os.environ.get("STATUSBOT_TEST_POSTGRES", "")
    if not server:
        if os.environ.get("STATUSBOT_REQUIRE_POSTGRES"):
            pytest.fail("STATUSBOT_REQUIRE_POSTGRES is set but STATUSBOT_TEST_POSTGRES is not")
        pytest.skip("no PostgreSQL: set STATUSBOT_TEST_POSTGRES=postgresql://user@127.0.0.1:PORT/postgres "
                    "(.ci/run starts a server and sets it)")
    name = f"statusbot_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server, timeout=10)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base, _, _ = server.rpartition("/")
    yield f"{base}/{name}"
    admin = await asyncpg.connect(server, timeout=10)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
