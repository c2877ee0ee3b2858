"""Autocomplete on /http's query option, through Discord's autocomplete interaction."""

from __future__ import annotations

from typing import Any

import pytest

from tests.adapters.discord.conftest import World

MAX_CHOICES = 25  # Discord rejects an autocomplete response with more (simcord 3.2.1 does not check)
MAX_NAME = 100


async def choices(world: World, typed: str) -> list[dict[str, Any]]:
    offered = await world.alice.autocomplete(world.channel, "http", "query", typed)
    assert 0 < len(offered) <= MAX_CHOICES
    for choice in offered:
        assert 0 < len(choice["name"]) <= MAX_NAME
        assert isinstance(choice["value"], str) and len(choice["value"]) <= MAX_NAME
    return offered


def values(offered: list[dict[str, Any]]) -> list[str]:
    return [choice["value"] for choice in offered]


async def test_50_offers_the_500s(world: World) -> None:
    offered = await choices(world, "50")

    assert values(offered) == [f"{c}" for c in range(500, 510)]
    assert offered[3]["name"].startswith("503 Service Unavailable")


async def test_gat_finds_gateway_timeout(world: World) -> None:
    assert "504" in values(await choices(world, "gat"))


async def test_korean_prefix_finds_gateway_codes_with_korean_names(world: World) -> None:
    offered = await choices(world, "게이")

    found = {"502", "504"} & set(values(offered))
    assert found
    by_value = {c["value"]: c["name"] for c in offered}
    assert all(by_value[v].startswith(f"{v} 게이트웨이") or by_value[v].startswith(f"{v} 잘못된") for v in found)


async def test_korean_prefix_finds_service_unavailable(world: World) -> None:
    offered = await choices(world, "서비")

    assert "503" in values(offered)
    assert next(c["name"] for c in offered if c["value"] == "503").startswith("503 서비스 이용 불가")


@pytest.mark.parametrize("typed", ["", "5", "4", "e", "a", "서", "error", "x" * 400, "@everyone"])
async def test_never_more_than_25_choices_or_overlong_names(world: World, typed: str) -> None:
    offered = await world.alice.autocomplete(world.channel, "http", "query", typed)

    assert len(offered) <= MAX_CHOICES
    assert all(0 < len(choice["name"]) <= MAX_NAME for choice in offered)


async def test_a_chosen_value_is_answered_by_the_command(world: World) -> None:
    (choice, *_) = await choices(world, "teap")

    result = await world.alice.slash(world.channel, "http", query=choice["value"])

    assert result.response.embeds[0].title.startswith("418")


async def test_korean_client_gets_korean_labels(world: World, korean_locale: None) -> None:
    offered = await choices(world, "503")

    assert offered == [{"name": offered[0]["name"], "value": "503"}]
    assert offered[0]["name"].startswith("503 서비스 이용 불가")
