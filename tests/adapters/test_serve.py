"""`statusbot serve`: signed interactions over HTTP, answered like the gateway bot; everything else refused."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from nacl.signing import SigningKey

from bot.adapters.interactions import BODY_MAX, permissions_of
from bot.adapters.serve import create_app
from bot.registry import get_registry
from bot.resolver import get_resolver
from bot.settings_store import SettingsStore

KEY = SigningKey(bytes(range(32)))
PUBLIC = KEY.verify_key.encode().hex()
GUILD, ADMIN, ALICE = "1001", "2002", "3003"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient[Any, Any]]:
    store = SettingsStore(tmp_path / "db.sqlite3")
    await store.open()
    app = create_app(get_registry(), get_resolver(), store, PUBLIC)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client
    await store.close()


def signed(body: bytes, timestamp: int | None = None, key: SigningKey = KEY) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {"X-Signature-Ed25519": key.sign(stamp.encode() + body).signature.hex(), "X-Signature-Timestamp": stamp,
            "Content-Type": "application/json"}


async def post(client: TestClient[Any, Any], interaction: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps(interaction).encode()
    response = await client.post("/interactions", data=body, headers=signed(body))
    assert response.status == 200, await response.text()
    return await response.json()  # type: ignore[no-any-return]


def command(name: str, options: list[dict[str, Any]], user: str = ALICE, permissions: str = "0",
            **extra: Any) -> dict[str, Any]:
    return {"id": "1", "type": 2, "token": "t", "guild_id": GUILD, "channel_id": "77", "locale": "en-US",
            "member": {"user": {"id": user}, "permissions": permissions},
            "data": {"name": name, "type": 1, "options": options}, **extra}


async def test_ping_is_ponged(client: TestClient[Any, Any]) -> None:
    assert await post(client, {"type": 1, "id": "1"}) == {"type": 1}


@pytest.mark.parametrize("headers", [
    {},  # no signature at all
    {"X-Signature-Ed25519": "00" * 64, "X-Signature-Timestamp": "1"},  # malformed: wrong and stale
    {"X-Signature-Ed25519": "zz" * 64, "X-Signature-Timestamp": str(int(time.time()))},  # not hex
])
async def test_missing_or_malformed_signatures_are_401(client: TestClient[Any, Any], headers: dict[str, str]
                                                       ) -> None:
    response = await client.post("/interactions", data=b'{"type":1}', headers=headers)
    assert response.status == 401


async def test_a_wrong_key_a_changed_body_and_a_stale_timestamp_are_401(client: TestClient[Any, Any]) -> None:
    body = b'{"type":1}'
    other = SigningKey(bytes(range(1, 33)))
    assert (await client.post("/interactions", data=body, headers=signed(body, key=other))).status == 401
    assert (await client.post("/interactions", data=b'{"type":2}', headers=signed(body))).status == 401
    stale = signed(body, timestamp=int(time.time()) - 3600)
    assert (await client.post("/interactions", data=body, headers=stale)).status == 401
    assert (await client.post("/interactions", data=body, headers=signed(body))).status == 200


async def test_an_oversized_body_is_413_and_not_json_is_400(client: TestClient[Any, Any]) -> None:
    big = b"{" + b" " * BODY_MAX + b"}"
    assert (await client.post("/interactions", data=big, headers=signed(big))).status == 413
    junk = b"not json"
    assert (await client.post("/interactions", data=junk, headers=signed(junk))).status == 400


async def test_http_answers_inline_like_the_gateway_bot(client: TestClient[Any, Any]) -> None:
    answer = await post(client, command("http", [{"name": "query", "type": 3, "value": "503"}]))
    assert answer["type"] == 4
    (embed,) = answer["data"]["embeds"]
    assert embed["title"].startswith("503 Service Unavailable")
    assert [f["name"] for f in embed["fields"]] == ["What to check first", "Likely causes", "Retry"]
    assert answer["data"]["allowed_mentions"] == {"parse": []}
    ids = [c.get("custom_id") for row in answer["data"]["components"] for c in row["components"]]
    assert "statusbot:more:code-503:en:f" in ids

    korean = await post(client, command("http", [{"name": "query", "type": 3, "value": "게이트웨이 타임아웃"},
                                                 {"name": "private", "type": 5, "value": True}]))
    assert korean["data"]["embeds"][0]["title"].startswith("504 게이트웨이")
    assert korean["data"]["flags"] == 64


async def test_autocomplete_and_components(client: TestClient[Any, Any]) -> None:
    choices = await post(client, {"type": 4, "id": "2", "guild_id": GUILD, "locale": "en-US",
                                  "data": {"name": "http", "options": [
                                      {"name": "query", "type": 3, "value": "gat", "focused": True}]}})
    assert choices["type"] == 8 and "504" in [c["value"] for c in choices["data"]["choices"]]

    asked = {"flags": 0, "interaction_metadata": {"user": {"id": ALICE}}}
    toggled = await post(client, {"type": 3, "id": "3", "guild_id": GUILD, "member": {"user": {"id": ALICE}},
                                  "message": asked, "data": {"custom_id": "statusbot:lang:code-503:ko"}})
    assert toggled["type"] == 7 and toggled["data"]["embeds"][0]["title"].startswith("503 서비스 이용 불가")
    details = await post(client, {"type": 3, "id": "4", "guild_id": GUILD, "member": {"user": {"id": ALICE}},
                                  "message": asked, "data": {"custom_id": "statusbot:more:code-503:en:f"}})
    assert details["type"] == 7 and "Related headers" in [f["name"] for f in details["data"]["embeds"][0]["fields"]]
    someone_else = await post(client, {"type": 3, "id": "5", "guild_id": GUILD, "member": {"user": {"id": ADMIN}},
                                       "message": asked, "data": {"custom_id": "statusbot:more:code-503:en:f"}})
    assert someone_else["type"] == 4 and someone_else["data"]["flags"] == 64
    picked = await post(client, {"type": 3, "id": "6", "guild_id": GUILD, "member": {"user": {"id": ADMIN}},
                                 "data": {"custom_id": "statusbot:rel:en", "values": ["504"]}})
    assert picked["type"] == 4 and picked["data"]["flags"] == 64
    assert picked["data"]["embeds"][0]["title"].startswith("504 Gateway Timeout")
    forged = await post(client, {"type": 3, "id": "7", "data": {"custom_id": "statusbot:rel:en", "values": ["x"]}})
    assert forged["data"]["flags"] == 64


async def test_context_menu_reads_a_log_line_and_a_block(client: TestClient[Any, Any]) -> None:
    line = '10.0.0.7 - - [12/Mar/2025:10:00:00 +0000] "GET /api HTTP/1.1" 502 157 "-" "curl/8.0"'

    def menu(content: str) -> dict[str, Any]:
        return {"type": 2, "id": "8", "guild_id": GUILD, "locale": "en-US", "member": {"user": {"id": ALICE}},
                "data": {"name": "Explain status codes", "type": 3, "target_id": "9",
                         "resolved": {"messages": {"9": {"id": "9", "content": content}}}}}

    one = await post(client, menu(line))
    assert one["data"]["embeds"][0]["title"].startswith("502 Bad Gateway")
    block = await post(client, menu("\n".join([line] * 3)))
    assert block["data"]["embeds"][0]["title"] == "Log summary: 3 lines"


async def test_config_needs_manage_server_and_changes_what_answers_show(client: TestClient[Any, Any]) -> None:
    note = [{"name": "note", "type": 2, "options": [{"name": "add", "type": 1, "options": [
        {"name": "code", "type": 4, "value": 502}, {"name": "text", "type": 3, "value": "payments OOM"}]}]}]
    refused = await post(client, command("http-config", note))
    assert refused["data"]["flags"] == 64 and "Manage Server" in refused["data"]["content"]
    added = await post(client, command("http-config", note, user=ADMIN, permissions=str(1 << 5)))
    assert "502" in added["data"]["content"]
    full = [{"name": "detail", "type": 1, "options": [{"name": "value", "type": 3, "value": "full"}]}]
    await post(client, command("http-config", full, user=ADMIN, permissions="32"))

    answer = await post(client, command("http", [{"name": "query", "type": 3, "value": "502"}]))
    names = [f["name"] for f in answer["data"]["embeds"][0]["fields"]]
    assert "Related headers" in names  # full by default now
    assert names.index("This server's note") < names.index("What to check first")


@pytest.mark.parametrize(("value", "expected"), [
    ("32", 32), ("-1", 0), (" 32 ", 0), ("٣٢", 0), (str(2**64 + 32), 0), (32, 0), ("8", 8),
])
def test_permission_strings_are_parsed_strictly(value: object, expected: int) -> None:
    assert permissions_of(value) == expected


async def test_health_and_metrics(client: TestClient[Any, Any]) -> None:
    assert (await client.get("/healthz")).status == 200
    await post(client, command("http", [{"name": "query", "type": 3, "value": "503"}]))
    await client.post("/interactions", data=b"{}", headers={})
    text = await (await client.get("/metrics")).text()
    assert 'statusbot_interactions_total{kind="command",outcome="answered"} 1.0' in text
    assert 'statusbot_answers_total{cls="5xx"} 1.0' in text
    assert 'statusbot_requests_rejected_total{reason="invalid request signature"} 1.0' in text
    assert "statusbot_answer_seconds_bucket" in text


async def test_two_replicas_on_one_postgres_see_each_others_settings(postgres_url: str) -> None:
    from bot.settings_pg import PostgresSettingsStore

    stores = [PostgresSettingsStore(postgres_url), PostgresSettingsStore(postgres_url)]
    for store in stores:
        await store.open()
    apps = [create_app(get_registry(), get_resolver(), store, PUBLIC) for store in stores]
    async with TestClient(TestServer(apps[0])) as one, TestClient(TestServer(apps[1])) as other:
        note = [{"name": "note", "type": 2, "options": [{"name": "add", "type": 1, "options": [
            {"name": "code", "type": 4, "value": 504}, {"name": "text", "type": 3, "value": "batch jobs: 60 s"}]}]}]
        await post(one, command("http-config", note, user=ADMIN, permissions="32"))
        for _ in range(20):
            answer = await post(other, command("http", [{"name": "query", "type": 3, "value": "504"}]))
            if answer["data"]["embeds"][0]["fields"][0]["name"] == "This server's note":
                break
            await asyncio.sleep(0.05)
        assert "batch jobs: 60 s" in answer["data"]["embeds"][0]["fields"][0]["value"]
    for store in stores:
        await store.close()


async def test_a_log_attachment_is_deferred_then_summarised_through_the_webhook(tmp_path: Path) -> None:
    import gzip

    from aiohttp import web

    from bot.adapters.serve import WebhookFollowUp
    from tests.conftest import ROOT

    sent: list[tuple[str, dict[str, Any]]] = []
    log = gzip.compress((ROOT / "tests" / "fixtures" / "logs" / "alb.log").read_bytes())

    async def cdn(request: web.Request) -> web.Response:
        return web.Response(body=log)

    async def webhook(request: web.Request) -> web.Response:
        sent.append((request.match_info["token"], await request.json()))
        return web.json_response({"id": "1"})

    discord = web.Application()
    discord.router.add_get("/attachments/alb.log.gz", cdn)
    discord.router.add_post("/api/v10/webhooks/{app}/{token}", webhook)
    async with TestServer(discord) as fake:
        store = SettingsStore(tmp_path / "db.sqlite3")
        await store.open()
        base = str(fake.make_url("/")).rstrip("/") + "/"
        app = create_app(get_registry(), get_resolver(), store, PUBLIC, WebhookFollowUp("999", base + "api/v10"))
        async with TestClient(TestServer(app)) as client:
            menu = {"type": 2, "id": "8", "token": "tok", "guild_id": GUILD, "locale": "en-US",
                    "member": {"user": {"id": ALICE}},
                    "data": {"name": "Explain status codes", "type": 3, "target_id": "9", "resolved": {"messages": {
                        "9": {"id": "9", "content": "ALB logs", "attachments": [
                            {"id": "5", "filename": "alb.log.gz", "size": len(log),
                             "url": base + "attachments/alb.log.gz"}
                        ]}}}}}
            assert await post(client, menu) == {"type": 5}
            for _ in range(100):
                if sent:
                    break
                await asyncio.sleep(0.05)
        await store.close()
    (token, message), = sent
    assert token == "tok" and message["embeds"][0]["title"] == "Log summary: 4 lines · alb.log.gz"
