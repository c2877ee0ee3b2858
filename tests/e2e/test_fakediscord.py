"""Proves tests/e2e/fakediscord.py is good enough for a plain discord.py 2.7.1 client.

How discord.py is pointed at the fake (see ``redirect_discord_py``):

* REST: ``discord.http.Route.BASE = fake.api_base`` ("http://127.0.0.1:<port>/api/v10").  Every
  ``Route`` (bot REST and interaction/webhook calls alike) reads it when built.
* Gateway: 2.7.1's ``Client.connect`` does not call ``GET /gateway``; it connects to the class
  attribute ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``, which is set to
  ``yarl.URL(fake.gateway_url)``.  ``AutoShardedClient`` without ``shard_count`` takes the URL from
  ``GET /gateway/bot`` (served by the fake), and resumes use READY's ``resume_gateway_url``.

Clients use ``guild_ready_timeout=0.1`` (on_ready otherwise waits 2 s after the last
GUILD_CREATE) and a no-op ``before_identify_hook`` (the default sleeps 5 s before every
non-initial IDENTIFY).  Only 127.0.0.1 is used; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import subprocess
import sys
import textwrap
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands

from .fakediscord import FakeDiscord, FakeDiscordThread, FakeUser, redirect_discord_py, shard_for, snowflake

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "fake-bot-token"
TIMEOUT = 5.0


class FastClient(discord.Client):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None


class FastShardedClient(discord.AutoShardedClient):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None


def make_client(cls: type[discord.Client] = FastClient, **kwargs: Any) -> discord.Client:
    kwargs.setdefault("intents", discord.Intents.default())
    return cls(guild_ready_timeout=0.1, **kwargs)


@contextlib.asynccontextmanager
async def connected(client: discord.Client, token: str = TOKEN) -> AsyncIterator[discord.Client]:
    """Login + connect in the background until on_ready; always closes the client."""
    await client.login(token)
    runner = asyncio.create_task(client.connect())
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        done, _ = await asyncio.wait({runner, ready}, timeout=TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        if runner in done:
            runner.result()  # connect() ended early: raise its error
            raise AssertionError("client.connect() returned before on_ready")
        assert ready in done, "on_ready did not fire in time"
        yield client
    finally:
        ready.cancel()
        await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(runner, TIMEOUT)


@pytest.fixture(autouse=True)
def no_discord_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """discord.py logs (and swallows) exceptions raised in event/command handlers: fail on them."""
    caplog.set_level(logging.WARNING, logger="discord")
    yield
    errors = [r for r in caplog.records if r.name.startswith("discord") and r.levelno >= logging.ERROR]
    assert not errors, "discord.py logged errors:\n" + "\n".join(r.getMessage() for r in errors)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(tokens={TOKEN}) as server:
        with redirect_discord_py(server):
            yield server


# --- REST basics ------------------------------------------------------------------------------


async def test_rest_replies_are_discord_shaped(fake: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as http:
        good = {"Authorization": f"Bot {TOKEN}"}
        async with http.get(fake.api_base + "/users/@me", headers=good) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"] == "application/json"
            assert (await resp.json())["id"] == str(fake.bot_user.id)
        async with http.get(fake.api_base + "/users/@me", headers={"Authorization": "Bot nope"}) as resp:
            assert resp.status == 401
            assert resp.headers["Content-Type"] == "application/json"
            assert await resp.json() == {"message": "401: Unauthorized", "code": 0}
        async with http.get(fake.api_base + "/gateway/bot", headers=good) as resp:
            body = await resp.json()
            assert body["url"] == fake.gateway_url and body["shards"] == 1
            assert body["session_start_limit"]["max_concurrency"] == 1
        async with http.get(fake.api_base + "/no/such/route", headers=good) as resp:
            assert resp.status == 404
            assert await resp.json() == {"message": "404: Not Found", "code": 0}

    unknown = await fake.wait_for_call(lambda c: c.api_path == "/no/such/route")
    assert unknown.status == 404 and unknown.route is None
    assert all("Authorization" not in c.headers for c in fake.calls)
    assert [c.authorized for c in fake.calls] == [True, False, True, True]


async def test_login_with_valid_and_invalid_token(fake: FakeDiscord) -> None:
    client = make_client()
    await client.login(TOKEN)
    assert client.user is not None and client.user.id == fake.bot_user.id
    assert client.application_id == fake.application_id
    await client.close()

    bad = make_client()
    with pytest.raises(discord.LoginFailure):
        await bad.login("not-a-valid-token")
    await bad.close()
    rejected = await fake.wait_for_call(lambda c: c.api_path == "/users/@me" and c.status == 401)
    assert rejected.response == {"message": "401: Unauthorized", "code": 0}


# --- gateway ------------------------------------------------------------------------------------


@pytest.mark.parametrize("shard_id", [0, 1])
async def test_on_ready_has_the_guilds_of_its_shard(fake: FakeDiscord, shard_id: int) -> None:
    expected = {g.id for g in fake.guilds if shard_for(g.id, 2) == shard_id}
    assert expected and expected != {g.id for g in fake.guilds}  # the default guilds span both shards

    async with connected(make_client(shard_id=shard_id, shard_count=2)) as client:
        assert {g.id for g in client.guilds} == expected
        guild = client.get_guild(min(expected))
        assert guild is not None and guild.get_channel(fake.guild(guild.id).text_channel.id) is not None
        assert guild.me is not None

    identify = await fake.wait_for_op(2)
    assert identify.d["shard"] == [shard_id, 2]
    assert identify.d["token"] == TOKEN
    connect = await fake.wait_for_gateway(lambda f: f.direction == "connect")
    # zlib-stream, or zstd-stream when zstandard / compression.zstd is importable
    assert connect.url in {f"/gateway?v=10&encoding=json&compress={c}" for c in ("zlib-stream", "zstd-stream")}


async def test_unsharded_client_gets_every_guild_and_heartbeat_acks(fake: FakeDiscord) -> None:
    async with connected(make_client()) as client:
        assert {g.id for g in client.guilds} == {g.id for g in fake.guilds}
        await fake.wait_for_gateway(lambda f: f.direction == "out" and f.op == 11)
        assert client.latency < 1.0


async def test_slash_command_reaches_app_command_handler(fake: FakeDiscord) -> None:
    client = make_client()
    tree = app_commands.CommandTree(client)
    seen: list[tuple[int, str]] = []

    @tree.command(name="status", description="Explain an HTTP status code")
    async def status(interaction: discord.Interaction, code: int, verbose: bool = False) -> None:
        seen.append((code, str(interaction.locale)))
        await interaction.response.send_message(f"{code} Not Found (verbose={verbose})")

    async with connected(client):
        synced = await tree.sync()
        assert [c.name for c in synced] == ["status"]
        assert fake.commands()[0]["options"][0]["name"] == "code"
        assert [c.id for c in await tree.fetch_commands()] == [synced[0].id]  # GET .../commands

        payload = fake.make_slash_command("status", {"code": 404, "verbose": True}, locale="ko")
        assert payload["data"]["id"] == str(synced[0].id)
        assert await fake.dispatch("INTERACTION_CREATE", payload) == 1

        call = await fake.wait_for_interaction_response(payload)
        assert call.method == "POST" and call.path.endswith("/callback")
        assert call.json["type"] == 4
        assert call.json["data"]["content"] == "404 Not Found (verbose=True)"
        assert seen == [(404, "ko")]

        # the same interaction cannot be answered twice
        state = fake.interaction_state(payload["id"])
        assert state is not None and state.responded and state.original is not None


async def test_other_interaction_kinds(fake: FakeDiscord) -> None:
    client = make_client()
    tree = app_commands.CommandTree(client)
    got: dict[str, Any] = {}

    @tree.command(name="lookup", description="Look up a status code")
    async def lookup(interaction: discord.Interaction, query: str) -> None:
        await interaction.response.send_message(query)

    @lookup.autocomplete("query")
    async def lookup_complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        got["current"] = current
        return [app_commands.Choice(name=f"{current} Not Found", value=current)]

    @tree.context_menu(name="Explain status")
    async def explain(interaction: discord.Interaction, message: discord.Message) -> None:
        got["target"] = message.content
        await interaction.response.send_message("explained", ephemeral=True)

    class Buttons(discord.ui.View):
        def __init__(self) -> None:
            super().__init__(timeout=None)

        @discord.ui.button(label="More", custom_id="status:more")
        async def more(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
            got["button"] = interaction.message.id if interaction.message else None
            await interaction.response.edit_message(content="more details")

        @discord.ui.select(
            custom_id="status:pick", options=[discord.SelectOption(label="404"), discord.SelectOption(label="500")]
        )
        async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[Any]) -> None:
            got["values"] = select.values
            await interaction.response.defer()

    async with connected(client):
        client.add_view(Buttons())
        await tree.sync()

        auto = fake.make_autocomplete("lookup", {"query": "40"}, focused="query")
        await fake.dispatch("INTERACTION_CREATE", auto)
        call = await fake.wait_for_interaction_response(auto)
        assert call.json == {"type": 8, "data": {"choices": [{"name": "40 Not Found", "value": "40"}]}}

        menu = fake.make_message_command("Explain status", "HTTP 418 please")
        await fake.dispatch("INTERACTION_CREATE", menu)
        call = await fake.wait_for_interaction_response(menu)
        assert got["target"] == "HTTP 418 please"
        assert call.json["type"] == 4 and call.json["data"]["flags"] == 64

        click = fake.make_component("status:more")
        await fake.dispatch("INTERACTION_CREATE", click)
        call = await fake.wait_for_interaction_response(click)
        assert call.json["type"] == 7 and call.json["data"]["content"] == "more details"
        assert got["button"] == int(click["message"]["id"])

        choose = fake.make_component("status:pick", component_type=3, values=["500"])
        await fake.dispatch("INTERACTION_CREATE", choose)
        call = await fake.wait_for_interaction_response(choose)
        assert call.json["type"] == 6 and got["values"] == ["500"]


async def test_defer_followup_and_edit_original(fake: FakeDiscord) -> None:
    client = make_client()
    tree = app_commands.CommandTree(client)
    done = asyncio.Event()

    @tree.command(name="slow", description="Answers later")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        followup = await interaction.followup.send("partial answer", wait=True)
        assert followup.content == "partial answer"
        original = await interaction.edit_original_response(content="504 Gateway Timeout")
        assert original.content == "504 Gateway Timeout"
        fetched = await interaction.original_response()
        assert fetched.content == "504 Gateway Timeout"
        done.set()

    async with connected(client):
        await tree.sync()
        payload = fake.make_slash_command("slow")
        fake.rate_limit_next("POST", rf"/webhooks/{fake.application_id}/[^/]+", retry_after=0.1)
        await fake.dispatch("INTERACTION_CREATE", payload)
        callback = await fake.wait_for_interaction_response(payload)
        assert callback.json["type"] == 5
        await asyncio.wait_for(done.wait(), TIMEOUT)
        webhook = f"/webhooks/{fake.application_id}/{payload['token']}"
        assert [(c.method, c.status) for c in fake.calls if c.api_path.startswith(webhook)] == [
            ("POST", 429),
            ("POST", 200),
            ("PATCH", 200),
            ("GET", 200),
        ]


async def test_members_intent_without_presences_chunks_guilds(fake: FakeDiscord) -> None:
    intents = discord.Intents.default()
    intents.members = True
    async with connected(make_client(intents=intents)) as client:
        request = await fake.wait_for_op(8)
        assert int(request.d["guild_id"]) in {g.id for g in fake.guilds}  # discord.py sends an int
        for guild in client.guilds:
            assert guild.chunked
            assert {m.id for m in guild.members} == {fake.bot_user.id} | {u.id for u in fake.guild(guild.id).members}


DISRUPTIONS: dict[str, Callable[[FakeDiscord], Awaitable[int]]] = {
    "abort": lambda fake: fake.drop_connection(),
    "close-4000": lambda fake: fake.drop_connection(code=4000),
    "invalid-session-resumable": lambda fake: fake.send_invalid_session(resumable=True),
    "reconnect-op7": lambda fake: fake.send_reconnect(),
}


@pytest.mark.parametrize("disruption", list(DISRUPTIONS))
async def test_disrupted_connection_resumes_and_replays(fake: FakeDiscord, disruption: str) -> None:
    client = make_client()
    messages: asyncio.Queue[discord.Message] = asyncio.Queue()
    resumed = asyncio.Event()

    @client.event
    async def on_message(message: discord.Message) -> None:
        await messages.put(message)

    @client.event
    async def on_resumed() -> None:
        resumed.set()

    async with connected(client):
        mark = fake.gateway_log.mark()
        assert await DISRUPTIONS[disruption](fake) == 1
        # dispatched while the client may still be reconnecting: buffered, then replayed on RESUME
        first = fake.make_message(f"{fake.bot_mention} during the outage", mention_bot=True)
        await fake.dispatch("MESSAGE_CREATE", first)

        resume = await fake.wait_for_op(6, since=mark)
        assert resume.d["session_id"] == fake.sessions[0].session_id
        await asyncio.wait_for(resumed.wait(), TIMEOUT)
        connect = await fake.wait_for_gateway(lambda f: f.direction == "connect", since=mark)
        assert connect.url is not None and connect.url.startswith("/gateway-resume?")

        second = fake.make_message(f"{fake.bot_mention} after the resume", mention_bot=True)
        await fake.dispatch("MESSAGE_CREATE", second)
        got = [await asyncio.wait_for(messages.get(), TIMEOUT) for _ in range(2)]
        assert [m.content for m in got] == [first["content"], second["content"]]

        assert len(fake.gateway_log.filter(lambda f: f.direction == "in" and f.op == 2)) == 1  # no re-IDENTIFY
        replayed = fake.gateway_log.filter(lambda f: f.replayed, since=mark)
        assert [f.d["content"] for f in replayed] == [first["content"]]
        seqs = [f.s for f in fake.gateway_log.filter(lambda f: f.direction == "out" and f.t is not None)]
        assert seqs == sorted(seqs)


async def test_invalid_session_not_resumable_reidentifies(fake: FakeDiscord) -> None:
    client = make_client()
    ready_count = 0
    second_ready = asyncio.Event()

    @client.event
    async def on_ready() -> None:
        nonlocal ready_count
        ready_count += 1
        if ready_count == 2:
            second_ready.set()

    async with connected(client):
        old_session = fake.sessions[0].session_id
        assert await fake.send_invalid_session(resumable=False) == 1
        await asyncio.wait_for(second_ready.wait(), TIMEOUT)
        identifies = fake.gateway_log.filter(lambda f: f.direction == "in" and f.op == 2)
        assert len(identifies) == 2
        assert [s.session_id for s in fake.live_sessions()] != [old_session]


async def test_rate_limited_send_is_retried(fake: FakeDiscord) -> None:
    async with connected(make_client()) as client:
        channel = client.get_channel(fake.guilds[0].text_channel.id)
        assert isinstance(channel, discord.TextChannel)
        fault = fake.rate_limit_next("POST", r"/channels/\d+/messages", retry_after=0.2)
        mark = fake.calls.mark()
        start = time.monotonic()
        sent = await asyncio.wait_for(channel.send("418 I'm a teapot"), TIMEOUT)
        assert time.monotonic() - start >= 0.2
        posts = fake.calls.filter(lambda c: c.method == "POST" and c.api_path.endswith("/messages"), since=mark)
        assert [c.status for c in posts] == [429, 200]
        assert posts[0].response == {"message": "You are being rate limited.", "retry_after": 0.2, "global": False}
        assert posts[1].json["content"] == "418 I'm a teapot"
        assert sent.id == int(posts[1].response["id"]) and fault.count == 0
        assert fake.messages[sent.id]["content"] == "418 I'm a teapot"
        edited = await sent.edit(content="418 I'm a teapot (RFC 2324)")  # PATCH /channels/{id}/messages/{mid}
        assert edited.content == fake.messages[sent.id]["content"] == "418 I'm a teapot (RFC 2324)"


async def test_server_error_is_retried(fake: FakeDiscord) -> None:
    async with connected(make_client()) as client:
        channel = client.get_channel(fake.guilds[1].text_channel.id)
        assert isinstance(channel, discord.TextChannel)
        fake.fail_next("POST", r"/channels/\d+/messages", status=500)
        sent = await asyncio.wait_for(channel.send("503 Service Unavailable"), TIMEOUT)  # retried after 1 s
        posts = fake.calls.filter(lambda c: c.api_path == f"/channels/{channel.id}/messages")
        assert [c.status for c in posts] == [500, 200] and sent.content == "503 Service Unavailable"


async def test_message_content_intent_is_enforced(fake: FakeDiscord) -> None:
    plain = fake.make_message("GET /teapot returned 418")
    for intents, expected in ((discord.Intents.default(), ""), (discord.Intents.all(), plain["content"])):
        client = make_client(intents=intents)
        received: asyncio.Queue[discord.Message] = asyncio.Queue()

        @client.event
        async def on_message(message: discord.Message, received: asyncio.Queue[discord.Message] = received) -> None:
            await received.put(message)

        async with connected(client):
            await fake.dispatch("MESSAGE_CREATE", plain)
            message = await asyncio.wait_for(received.get(), TIMEOUT)
            assert message.content == expected
            assert message.author.id == fake.guilds[0].members[0].id and not message.author.bot


async def test_autosharded_client_uses_gateway_bot() -> None:
    async with FakeDiscord(tokens={TOKEN}, recommended_shards=2) as fake:
        with redirect_discord_py(fake):
            async with connected(make_client(FastShardedClient)) as client:
                assert isinstance(client, discord.AutoShardedClient)
                assert client.shard_count == 2
                assert {g.id for g in client.guilds} == {g.id for g in fake.guilds}
                assert {g.shard_id for g in client.guilds} == {0, 1}
                assert any(c.api_path == "/gateway/bot" for c in fake.calls)
                assert sorted(s.shard_id for s in fake.live_sessions()) == [0, 1]


async def test_raw_gateway_without_compression(fake: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as http, http.ws_connect(fake.gateway_url + "?v=10&encoding=json") as ws:
        hello = await ws.receive_json(timeout=TIMEOUT)
        assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] == fake.heartbeat_interval_ms
        await ws.send_json({"op": 1, "d": None})
        assert (await ws.receive_json(timeout=TIMEOUT))["op"] == 11
        await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 0, "properties": {}}})
        closing = await ws.receive(timeout=TIMEOUT)
        assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 4004


async def test_zlib_stream_frames_end_with_sync_flush(fake: FakeDiscord) -> None:
    url = fake.gateway_url + "?v=10&encoding=json&compress=zlib-stream"
    async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
        inflate = zlib.decompressobj()
        msg = await ws.receive(timeout=TIMEOUT)
        assert msg.type is aiohttp.WSMsgType.BINARY and msg.data.endswith(b"\x00\x00\xff\xff")
        assert json.loads(inflate.decompress(msg.data))["op"] == 10
        await ws.send_json({"op": 2, "d": {"token": TOKEN, "intents": 0, "properties": {}}})
        ready = json.loads(inflate.decompress((await ws.receive(timeout=TIMEOUT)).data))
        assert ready["t"] == "READY" and ready["s"] == 1
        assert ready["d"]["resume_gateway_url"] == fake.resume_gateway_url
        creates = [json.loads(inflate.decompress((await ws.receive(timeout=TIMEOUT)).data)) for _ in fake.guilds]
        assert [c["s"] for c in creates] == list(range(2, 2 + len(fake.guilds)))


async def test_rejects_invalid_messages_like_discord(fake: FakeDiscord) -> None:
    async with connected(make_client()) as client:
        channel = client.get_channel(fake.guilds[0].text_channel.id)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.HTTPException) as too_long:
            await channel.send("x" * 2001)
        assert too_long.value.code == 50035 and "content" in too_long.value.text
        with pytest.raises(discord.NotFound):
            await client.http.send_message(1, params=discord.http.MultipartParameters({"content": "hi"}, None, None))


def test_fake_in_a_thread_serves_another_loop() -> None:
    with FakeDiscordThread(tokens={TOKEN}) as fake, redirect_discord_py(fake):

        async def scenario() -> str:
            client = make_client(intents=discord.Intents.all())
            got: asyncio.Future[str] = asyncio.get_running_loop().create_future()

            @client.event
            async def on_message(message: discord.Message) -> None:
                if not got.done():
                    got.set_result(message.content)

            async with connected(client):
                payload = fake.make_message("hello from another thread")
                assert await asyncio.to_thread(fake.dispatch, "MESSAGE_CREATE", payload) == 1
                return await asyncio.wait_for(got, TIMEOUT)

        assert asyncio.run(scenario()) == "hello from another thread"
        call = fake.wait_for_call(lambda c: c.api_path == "/oauth2/applications/@me", timeout=1)
        assert call.status == 200
        assert fake.wait_for_op(2, timeout=1).d["token"] == TOKEN


async def test_raw_frames_and_message_payload_fields(fake: FakeDiscord) -> None:
    client = make_client(intents=discord.Intents.all())
    received: asyncio.Queue[discord.Message] = asyncio.Queue()

    @client.event
    async def on_message(message: discord.Message) -> None:
        await received.put(message)

    async with connected(client):
        # an event discord.py does not know is ignored; the session keeps working
        assert await fake.send_raw({"op": 0, "t": "SOME_FUTURE_EVENT", "s": None, "d": {}}) == 1
        bob = fake.guilds[0].members[1]
        # a user discord.py has not cached yet (it keeps the bot flag of cached users)
        outsider = FakeUser(snowflake(300_000_000_000, 5), "ci-runner")
        payload = fake.make_message(
            f"{bob.mention} {fake.bot_mention} status?",
            author=outsider,
            author_bot=True,
            mentions=[bob],
            mention_bot=True,
        )
        await fake.dispatch("MESSAGE_CREATE", payload)
        message = await asyncio.wait_for(received.get(), TIMEOUT)
        assert message.author.id == outsider.id and message.author.bot
        assert {u.id for u in message.mentions} == {bob.id, fake.bot_user.id}
        assert client.user is not None and client.user.mentioned_in(message)
        assert isinstance(message.author, discord.Member) and message.guild is not None

        dm = fake.make_message("hi in DM", dm=True)
        assert "guild_id" not in dm
        await fake.dispatch("MESSAGE_CREATE", dm)
        message = await asyncio.wait_for(received.get(), TIMEOUT)
        assert message.guild is None and message.content == "hi in DM"


def test_subprocess_client_via_env() -> None:
    """The pattern for running a bot as a subprocess: the fake runs in a thread, the child
    calls patch_discord_py_from_env() with fake.env() before starting discord.py."""
    child = textwrap.dedent(
        """
        import asyncio, sys
        import discord
        from tests.e2e.fakediscord import patch_discord_py_from_env

        assert patch_discord_py_from_env()

        class Client(discord.Client):
            async def on_ready(self):
                print("READY", len(self.guilds), flush=True)
                await self.close()

        asyncio.run(Client(intents=discord.Intents.default(), guild_ready_timeout=0.1).start(sys.argv[1]))
        """
    )
    with FakeDiscordThread(tokens={TOKEN}) as fake:
        env = {**os.environ, **fake.env(), "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, "-c", child, TOKEN], env=env, cwd=ROOT, capture_output=True, text=True, timeout=20
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"READY {len(fake.guilds)}"
        assert fake.wait_for_op(2, timeout=1).d["token"] == TOKEN
        # Client.close() asks aiohttp for close(1000), but discord.py's poll loop wins the race with
        # close(4000), so Discord (and the fake) keep the session resumable.
        assert fake.wait_for_gateway(lambda f: f.direction == "disconnect", timeout=2).close_code in (1000, 4000)
