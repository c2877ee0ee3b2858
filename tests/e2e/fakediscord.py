"""A small fake Discord (REST API v10 + gateway) for end-to-end tests of discord.py 2.7.1 bots.

It is a real aiohttp server on 127.0.0.1 (ephemeral port), so the bot under test runs its own,
unmodified HTTP and websocket code against it.  Test-only code.

Quick start (async)::

    async with FakeDiscord(tokens={"good-token"}) as fake:
        with redirect_discord_py(fake):  # a plain (sync) context manager
            client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.1)
            ...  # login + connect, wait for on_ready
            payload = fake.make_slash_command("status", {"code": 404}, locale="ko")
            await fake.dispatch("INTERACTION_CREATE", payload)
            call = await fake.wait_for_interaction_response(payload)  # the POST .../callback
            assert call.json["type"] == 4

From synchronous code (e.g. a test that runs the bot as a subprocess) use ``FakeDiscordThread``:
it runs the same server on its own event loop in a daemon thread and exposes blocking wrappers.

Pointing discord.py at the fake (what ``redirect_discord_py`` does):

* REST: ``discord.http.Route.BASE`` is a class attribute read whenever a ``Route`` is built, so
  setting it to ``fake.api_base`` redirects every REST call, including the interaction/webhook
  ones in ``discord.webhook.async_`` (they build ``Route`` objects too).
* Gateway: in 2.7.1 ``Client.connect`` never asks ``GET /gateway``; it connects straight to the
  class attribute ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` (also used after a
  non-resumable INVALID_SESSION and by ``AutoShardedClient`` when ``shard_count`` is given), so
  that attribute is set to ``yarl.URL(fake.gateway_url)``.  ``AutoShardedClient`` without a
  ``shard_count`` uses the URL from ``GET /gateway/bot``, which the fake also serves.  After READY,
  discord.py resumes on ``resume_gateway_url``, which the fake points at ``/gateway-resume`` (same
  handler) so tests can see which URL a reconnect used.
* For a subprocess: ``fake.env()`` gives ``FAKEDISCORD_API_BASE``/``FAKEDISCORD_GATEWAY``, and the
  child calls ``patch_discord_py_from_env()`` before starting the bot.

Behaviour worth knowing (mirrors real Discord / discord.py 2.7.1):

* discord.py connects with ``?v=10&encoding=json&compress=zlib-stream`` (``zstd-stream`` if
  ``zstandard`` or ``compression.zstd`` is importable); the fake compresses accordingly, one
  Z_SYNC_FLUSH-terminated chunk per gateway message.
* JSON replies carry ``Content-Type: application/json`` exactly: discord.py compares the header
  with ``==`` and otherwise treats the body as text.
* 429 replies carry ``Via``: without it discord.py assumes a Cloudflare ban and raises instead of
  retrying.  A 500 makes discord.py sleep ``1 + 2 * try`` seconds before retrying (1 s for one).
* ``enforce_intents`` (default on): MESSAGE_* events need GUILD_MESSAGES / DIRECT_MESSAGES, guild
  message content is blanked without MESSAGE_CONTENT unless the bot is mentioned or the author,
  and GUILD_CREATE lists only the bot as member without GUILD_PRESENCES (discord.py then chunks
  the guild with op 8 if the members intent is on; the fake answers with GUILD_MEMBERS_CHUNK).
* ``echo_messages`` (default on): messages the bot creates over REST (channel messages and
  non-ephemeral interaction responses / followups) come back as MESSAGE_CREATE, as on Discord.
* on_ready fires ``guild_ready_timeout`` (discord.py default 2 s) after the last GUILD_CREATE:
  pass ``guild_ready_timeout=0.1`` to the client in tests.  ``Client.before_identify_hook``
  sleeps 5 s before every non-initial IDENTIFY (re-identify after INVALID_SESSION(false), second
  shard of an AutoShardedClient): override it in tests that go there.
* A client close with 1000/1001 ends the session; any other code (or a dropped TCP connection)
  keeps it resumable.  Note discord.py's ``Client.close()`` reaches the gateway as 4000, not 1000:
  aiohttp's ``close(1000)`` first wakes the pending ``receive()``, and discord.py's poll loop
  answers that with ``close(4000)``, which is sent first.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import inspect
import itertools
import json
import math
import os
import re
import secrets
import threading
import time
import uuid
import zlib
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import discord.gateway
import discord.http
import yarl
from aiohttp import WSMsgType, web

try:  # the fake stands in for Discord's servers, whose CPU is not on this machine: spend as little of it as we can
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a dependency of the bot
    _orjson = None


def _encode_frame(item: Any) -> bytes:
    """A gateway frame as UTF-8 JSON (orjson when it can: ~5x cheaper than json.dumps for the same bytes)."""
    if _orjson is not None:
        try:
            return _orjson.dumps(item, option=_orjson.OPT_NON_STR_KEYS)
        except TypeError:  # an int past 64 bits, which only a test sends on purpose
            pass
    return json.dumps(item, ensure_ascii=False).encode()


def _decode(text: str | bytes) -> Any:
    """json.loads, through orjson when it is there (raises ValueError on bad JSON either way)."""
    if _orjson is not None:
        return _orjson.loads(text)
    return json.loads(text)


__all__ = [
    "FakeChannel",
    "FakeDiscord",
    "FakeDiscordThread",
    "FakeGuild",
    "FakeUser",
    "Fault",
    "GatewayFrame",
    "GatewaySession",
    "RestCall",
    "default_guilds",
    "patch_discord_py_from_env",
    "redirect_discord_py",
    "snowflake",
]

DISCORD_EPOCH_MS = 1_420_070_400_000
API_PREFIX = "/api/v10"

# Gateway intents (https://discord.com/developers/docs/events/gateway#gateway-intents)
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15

# Permission bits a normal member / the bot gets by default: view channel, send messages, embed
# links, attach files, read history, add reactions, use external emojis, use application commands.
DEFAULT_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 6) | (1 << 18) | (1 << 31)

MESSAGE_FLAG_EPHEMERAL = 1 << 6
MESSAGE_FLAG_LOADING = 1 << 7
MESSAGE_FLAG_COMPONENTS_V2 = 1 << 15

ENV_API_BASE = "FAKEDISCORD_API_BASE"
ENV_GATEWAY = "FAKEDISCORD_GATEWAY"


# --------------------------------------------------------------------------------------------
# ids and small helpers
# --------------------------------------------------------------------------------------------


def snowflake(ms_since_discord_epoch: int, increment: int = 0) -> int:
    """A Discord snowflake for the given timestamp (ms since 2015-01-01) and increment."""
    return (ms_since_discord_epoch << 22) | (increment & 0xFFF)


def shard_for(guild_id: int, shard_count: int) -> int:
    """The shard Discord routes a guild to."""
    return (guild_id >> 22) % shard_count


def _iso(ms_since_discord_epoch: int | None = None) -> str:
    ms = time.time() * 1000 if ms_since_discord_epoch is None else ms_since_discord_epoch + DISCORD_EPOCH_MS
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


def _iso_of(snowflake_id: int) -> str:
    return _iso(snowflake_id >> 22)


INTERACTION_DEADLINE = 3.0  # seconds Discord waits for the first response to an interaction


class _SnowflakeFactory:
    """Thread-safe, strictly increasing snowflakes based on the current time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def __call__(self) -> int:
        with self._lock:
            value = snowflake(int(time.time() * 1000) - DISCORD_EPOCH_MS)
            self._last = value if value > self._last else self._last + 1
            return self._last


# --------------------------------------------------------------------------------------------
# configuration model
# --------------------------------------------------------------------------------------------


@dataclass
class FakeUser:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass
class FakeChannel:
    id: int
    name: str
    type: int = 0  # 0 = GUILD_TEXT
    position: int = 0

    def payload(self, guild_id: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [],
            "parent_id": None,
            "topic": None,
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        return data


@dataclass
class FakeGuild:
    id: int
    name: str
    channels: list[FakeChannel]
    members: list[FakeUser]
    owner_id: int | None = None
    preferred_locale: str = "en-US"

    @property
    def text_channel(self) -> FakeChannel:
        return next(c for c in self.channels if c.type == 0)


def default_users() -> list[FakeUser]:
    base = 280_000_000_000
    return [
        FakeUser(snowflake(base, 1), "alice", global_name="Alice"),
        FakeUser(snowflake(base, 2), "bob", global_name="Bob"),
        FakeUser(snowflake(base, 3), "helper-bot", bot=True),
    ]


def default_guilds(count: int = 4, members: Sequence[FakeUser] | None = None) -> list[FakeGuild]:
    """``count`` guilds whose timestamps alternate parity: with ``shard_count=2`` even indexes land
    on shard 0 and odd ones on shard 1 (guild 0 and 2 -> shard 0, guild 1 and 3 -> shard 1)."""
    people = list(members) if members is not None else default_users()
    guilds = []
    for i in range(count):
        ms = 290_000_000_000 + i
        gid = snowflake(ms)
        channels = [
            FakeChannel(snowflake(ms, 10), "general", position=0),
            FakeChannel(snowflake(ms, 11), "bot-commands", position=1),
        ]
        guilds.append(FakeGuild(gid, f"Guild {i}", channels, list(people), owner_id=people[0].id))
    return guilds


# --------------------------------------------------------------------------------------------
# records, logs and faults
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestCall:
    """One REST request the fake received (the Authorization header is not kept)."""

    index: int
    method: str
    path: str  # full path, e.g. /api/v10/channels/1/messages
    api_path: str  # path below /api/v10, e.g. /channels/1/messages
    query: dict[str, str]
    json: Any  # parsed JSON body (payload_json for multipart), else None
    body: str  # raw body text ('' for multipart)
    headers: dict[str, str]
    authorized: bool  # carried a valid "Bot <token>"
    status: int  # status the fake answered with
    response: Any  # JSON the fake answered with (None for 204)
    files: tuple[str, ...] = ()  # uploaded file names (multipart)
    route: str | None = None  # matched route template, e.g. "POST /channels/{channel_id}/messages"
    fault: bool = False  # answered by an injected fault

    def __str__(self) -> str:
        return f"#{self.index} {self.method} {self.api_path} -> {self.status}"


@dataclass(frozen=True)
class GatewayFrame:
    """One gateway event: direction is "in" (client -> fake), "out" (fake -> client),
    "connect" or "disconnect"."""

    index: int
    direction: str
    conn_id: int
    op: int | None = None
    t: str | None = None
    s: int | None = None
    d: Any = None
    session_id: str | None = None
    shard_id: int | None = None
    url: str | None = None  # connect: path and query the client used
    close_code: int | None = None  # disconnect
    replayed: bool = False  # out: resent on RESUME

    def __str__(self) -> str:
        what = self.t or (f"op={self.op}" if self.op is not None else self.url or f"code={self.close_code}")
        return f"#{self.index} {self.direction} conn={self.conn_id} shard={self.shard_id} {what}"


T = TypeVar("T")


@dataclass
class _Waiter(Generic[T]):
    predicate: Callable[[T], bool]
    since: int
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[T]


def _settle(future: asyncio.Future[Any], item: Any = None, exc: BaseException | None = None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(item)


class EventLog(Generic[T]):
    """Append-only, thread-safe record list with async (any loop) and blocking waits."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._items: list[T] = []
        self._cond = threading.Condition()
        self._waiters: list[_Waiter[T]] = []

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return iter(self.snapshot())

    def __getitem__(self, index: int) -> T:
        with self._cond:
            return self._items[index]

    def snapshot(self) -> list[T]:
        with self._cond:
            return list(self._items)

    def mark(self) -> int:
        """Current length; pass as ``since=`` to only consider later records."""
        return len(self)

    def filter(self, predicate: Callable[[T], bool], since: int = 0) -> list[T]:
        return [item for item in self.snapshot()[since:] if predicate(item)]

    def append(self, item: T) -> None:
        with self._cond:
            index = len(self._items)
            self._items.append(item)
            self._cond.notify_all()
            for waiter in list(self._waiters):
                if index < waiter.since:
                    continue
                try:
                    matched = waiter.predicate(item)
                except Exception as exc:
                    self._waiters.remove(waiter)
                    waiter.loop.call_soon_threadsafe(_settle, waiter.future, None, exc)
                    continue
                if matched:
                    self._waiters.remove(waiter)
                    with contextlib.suppress(RuntimeError):  # waiter's loop already closed
                        waiter.loop.call_soon_threadsafe(_settle, waiter.future, item)

    def _find(self, predicate: Callable[[T], bool], since: int) -> T | None:
        return next((item for item in self._items[since:] if predicate(item)), None)

    def _timeout_error(self, timeout: float) -> TimeoutError:
        recent = "\n  ".join(str(item) for item in self.snapshot()[-15:]) or "(nothing)"
        return TimeoutError(f"no matching {self._what} within {timeout}s; last recorded:\n  {recent}")

    async def wait_for(self, predicate: Callable[[T], bool], timeout: float = 5.0, since: int = 0) -> T:
        """First record (at index >= since, possibly already recorded) matching ``predicate``."""
        loop = asyncio.get_running_loop()
        with self._cond:
            found = self._find(predicate, since)
            if found is not None:
                return found
            waiter = _Waiter(predicate, since, loop, loop.create_future())
            self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(waiter.future, timeout)
        except TimeoutError:
            raise self._timeout_error(timeout) from None
        finally:
            with self._cond:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)

    def wait_for_sync(self, predicate: Callable[[T], bool], timeout: float = 5.0, since: int = 0) -> T:
        """Blocking variant of ``wait_for`` for threads without a running loop."""
        with self._cond:
            found = self._cond.wait_for(lambda: self._find(predicate, since), timeout)
        if found is None:
            raise self._timeout_error(timeout)
        return found


@dataclass
class Fault:
    """Injected REST failure: the next ``count`` requests matching method + path regex get it."""

    method: str | None
    path_regex: str
    status: int
    count: int
    retry_after: float = 0.2
    is_global: bool = False
    body: Any = None
    hits: list[str] = field(default_factory=list)

    def matches(self, method: str, api_path: str) -> bool:
        return (
            self.count > 0
            and (self.method is None or self.method.upper() == method)
            and re.fullmatch(self.path_regex, api_path) is not None
        )

    def response(self, bucket: str) -> web.Response:
        if self.status == 429:
            body = self.body or {
                "message": "You are being rate limited.",
                "retry_after": self.retry_after,
                "global": self.is_global,
            }
            headers = {
                "Retry-After": str(max(1, math.ceil(self.retry_after))),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + self.retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{self.retry_after:.3f}",
                "X-RateLimit-Bucket": bucket,
                "X-RateLimit-Scope": "global" if self.is_global else "user",
                "Via": "1.1 google",  # discord.py treats a 429 without Via as a Cloudflare ban
            }
            if self.is_global:
                headers["X-RateLimit-Global"] = "true"
            return _json(body, 429, headers)
        if self.status >= 500:
            return _json(self.body or {"message": f"{self.status}: Internal Server Error", "code": 0}, self.status)
        return _json(self.body or {"message": f"{self.status}: Injected fault", "code": 0}, self.status)


_JSON_KEY = web.ResponseKey("fakediscord_json", object)  # the JSON a response carried, for RestCall


def _json(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    # Content-Type must be exactly "application/json" (no charset): discord.py compares with ==.
    resp = web.Response(
        body=json.dumps(data, ensure_ascii=False).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    resp[_JSON_KEY] = data
    return resp


def _no_content() -> web.Response:
    resp = web.Response(status=204)
    resp[_JSON_KEY] = None
    return resp


def _error(status: int, message: str, code: int = 0, errors: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"message": message, "code": code}
    if errors:
        body["errors"] = errors
    return _json(body, status)


# --------------------------------------------------------------------------------------------
# request validation (the limits that commonly bite bots)
# --------------------------------------------------------------------------------------------

_Problem = tuple[tuple[str, ...], str, str]  # (path, code, message)
_COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")


def _too_long(path: tuple[str, ...], value: Any, limit: int) -> list[_Problem]:
    if isinstance(value, str) and len(value) > limit:
        return [(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")]
    return []


def _message_problems(body: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> list[_Problem]:
    problems = _too_long((*prefix, "content"), body.get("content"), 2000)
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        problems.append(((*prefix, "embeds"), "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length."))
    total = 0
    for i, embed in enumerate(embeds):
        at = (*prefix, "embeds", str(i))
        for key, limit in (("title", 256), ("description", 4096)):
            problems += _too_long((*at, key), embed.get(key), limit)
            total += len(embed.get(key) or "")
        for key, limit in (("author", 256), ("footer", 2048)):
            part = embed.get(key) or {}
            text_key = "name" if key == "author" else "text"
            problems += _too_long((*at, key, text_key), part.get(text_key), limit)
            total += len(part.get(text_key) or "")
        fields = embed.get("fields") or []
        if len(fields) > 25:
            problems.append(((*at, "fields"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
        for j, fld in enumerate(fields):
            for key, limit in (("name", 256), ("value", 1024)):
                value = fld.get(key)
                if not value:
                    problems.append(((*at, "fields", str(j), key), "BASE_TYPE_REQUIRED", "This field is required"))
                problems += _too_long((*at, "fields", str(j), key), value, limit)
                total += len(value or "")
    if total > 6000:
        problems.append(((*prefix, "embeds"), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"))
    components = body.get("components") or []
    if not (body.get("flags") or 0) & MESSAGE_FLAG_COMPONENTS_V2 and len(components) > 5:
        problems.append(((*prefix, "components"), "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."))
    return problems


def _is_empty_message(body: Mapping[str, Any], files: Sequence[str] = ()) -> bool:
    keys = ("content", "embeds", "components", "attachments", "sticker_ids", "poll")
    return not files and not any(body.get(k) for k in keys)


def _option_problems(options: Sequence[Mapping[str, Any]], at: tuple[str, ...]) -> list[_Problem]:
    problems: list[_Problem] = []
    if len(options) > 25:
        problems.append((at, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
    seen_optional = False
    for i, opt in enumerate(options):
        here = (*at, str(i))
        name = opt.get("name") or ""
        if not _COMMAND_NAME.match(name) or name != name.lower():
            problems.append(((*here, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"))
        if not 1 <= len(opt.get("description") or "") <= 100:
            problems.append(((*here, "description"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."))
        if len(opt.get("choices") or []) > 25:
            problems.append(((*here, "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
        if opt.get("type") in (1, 2):
            problems += _option_problems(opt.get("options") or [], (*here, "options"))
        elif opt.get("required"):
            if seen_optional:
                problems.append(
                    (
                        here,
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
                )
        else:
            seen_optional = True
    return problems


def _command_problems(commands: Sequence[Mapping[str, Any]]) -> list[_Problem]:
    problems: list[_Problem] = []
    seen: set[tuple[str, int]] = set()
    for i, cmd in enumerate(commands):
        at = (str(i),)
        kind = cmd.get("type", 1)
        name = cmd.get("name") or ""
        if kind == 1:
            if not _COMMAND_NAME.match(name) or name != name.lower():
                problems.append(((*at, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"))
            if not 1 <= len(cmd.get("description") or "") <= 100:
                problems.append(((*at, "description"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."))
            problems += _option_problems(cmd.get("options") or [], (*at, "options"))
        elif not 1 <= len(name) <= 32:
            problems.append(((*at, "name"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length."))
        if (name, kind) in seen:
            problems.append(
                ((*at, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
            )
        seen.add((name, kind))
    return problems


def _invalid_form_body(problems: list[_Problem]) -> web.Response:
    errors: dict[str, Any] = {}
    for path, code, message in problems:
        node = errors
        for part in path:
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return _error(400, "Invalid Form Body", 50035, errors)


# --------------------------------------------------------------------------------------------
# gateway plumbing
# --------------------------------------------------------------------------------------------


def _zstd_compressor() -> Callable[[bytes], bytes] | None:
    """Streaming zstd compressor matching discord.py's zstd-stream decompressor, if available."""
    try:
        import zstandard  # type: ignore[import-not-found]
    except ImportError:
        try:
            from compression import zstd  # type: ignore[import-not-found]
        except ImportError:
            return None
        compressor = zstd.ZstdCompressor()
        return lambda data: compressor.compress(data, mode=zstd.ZstdCompressor.FLUSH_BLOCK)
    cobj = zstandard.ZstdCompressor().compressobj()
    return lambda data: cobj.compress(data) + cobj.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)


@dataclass
class _Close:
    code: int
    message: bytes = b""


class _Connection:
    """One websocket. Outgoing frames go through a FIFO queue so sequence order and the shared
    compression stream stay consistent no matter who enqueues."""

    def __init__(self, conn_id: int, request: web.Request, ws: web.WebSocketResponse) -> None:
        self.id = conn_id
        self.request = request
        self.ws = ws
        self.session: GatewaySession | None = None
        self.server_close: int | None = None
        self.dead = False
        self.compress = request.query.get("compress")
        self._queue: asyncio.Queue[dict[str, Any] | str | bytes | _Close] = asyncio.Queue()
        self._compress: Callable[[bytes], bytes] | None = None
        if self.compress == "zlib-stream":
            # Level 1: the bot inflates the same stream whatever the level, and the fake's CPU is the bot's loss
            # on a 2-core machine (level 6 cost the fake ~3x more per frame for a few % fewer bytes on loopback).
            zobj = zlib.compressobj(1)
            self._compress = lambda data: zobj.compress(data) + zobj.flush(zlib.Z_SYNC_FLUSH)
        elif self.compress == "zstd-stream":
            self._compress = _zstd_compressor()
        self._writer = asyncio.create_task(self._write_loop(), name=f"fakediscord-ws-{conn_id}")

    def enqueue(self, item: dict[str, Any] | str | bytes | _Close) -> None:
        if not self.dead:
            self._queue.put_nowait(item)

    async def flush(self, timeout: float = 5.0) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._queue.join(), timeout)

    def abort(self) -> None:
        """Kill the TCP connection without a close frame (client sees close code 1006)."""
        self.dead = True
        transport = self.request.transport
        if transport is not None:
            transport.abort()

    async def stop(self) -> None:
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._writer

    async def _write_loop(self) -> None:
        while True:
            item = await self._queue.get()
            try:
                if self.dead:
                    continue
                if isinstance(item, _Close):
                    self.server_close = item.code
                    await self.ws.close(code=item.code, message=item.message)
                    self.dead = True
                elif isinstance(item, bytes):
                    await self.ws.send_bytes(item)
                else:
                    # (a str is sent as written: a test's malformed frame)
                    data = item.encode() if isinstance(item, str) else _encode_frame(item)
                    if self._compress is None:
                        await self.ws.send_str(item if isinstance(item, str) else data.decode())
                    else:
                        await self.ws.send_bytes(self._compress(data))
            except Exception:
                self.dead = True
            finally:
                self._queue.task_done()


@dataclass
class GatewaySession:
    """A gateway session (survives reconnects until invalidated)."""

    session_id: str
    token: str
    shard_id: int
    shard_count: int
    intents: int
    seq: int = 0
    alive: bool = True
    resumes: int = 0
    history: list[dict[str, Any]] = field(default_factory=list, repr=False)
    conn: _Connection | None = field(default=None, repr=False)

    @property
    def connected(self) -> bool:
        return self.conn is not None and not self.conn.dead

    def owns_guild(self, guild_id: int) -> bool:
        return shard_for(guild_id, self.shard_count) == self.shard_id


_HISTORY_LIMIT = 5000


@dataclass
class _Interaction:
    id: int
    token: str
    payload: dict[str, Any]
    responded: bool = False
    response_type: int | None = None
    original: dict[str, Any] | None = None
    followups: list[int] = field(default_factory=list)


@dataclass
class _Route:
    method: str
    regex: re.Pattern[str]
    handler: Callable[[_Ctx], Awaitable[web.Response]]
    auth: bool = True

    @property
    def template(self) -> str:
        return f"{self.method} " + re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", self.regex.pattern)


@dataclass
class _Ctx:
    method: str
    api_path: str
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    files: tuple[str, ...]


# --------------------------------------------------------------------------------------------
# the fake
# --------------------------------------------------------------------------------------------

_AUTO = object()


class FakeDiscord:
    """Fake Discord REST API + gateway on 127.0.0.1.  Use ``async with FakeDiscord() as fake``.

    Everything async must be awaited on the loop that started the fake (use FakeDiscordThread
    from other threads).  ``make_*`` builders, fault injection and the logs are thread-safe.
    """

    def __init__(
        self,
        *,
        tokens: Sequence[str] = ("fake-bot-token",),
        bot_user: FakeUser | None = None,
        application_id: int | None = None,
        application_flags: int = 0,
        guilds: Sequence[FakeGuild] | None = None,
        recommended_shards: int = 1,
        heartbeat_interval_ms: int = 41_250,
        enforce_intents: bool = True,
        echo_messages: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        interaction_deadline: float | None = INTERACTION_DEADLINE,
    ) -> None:
        self.tokens: set[str] = set(tokens)
        # Discord accepts the first response to an interaction only within 3 s of the interaction's creation (its
        # snowflake's time); later it answers 404 Unknown interaction. None turns the check off.
        self.interaction_deadline = interaction_deadline
        self.expired_callbacks = 0
        self.ack_heartbeats = True  # False: a zombied gateway that takes heartbeats and never acknowledges them
        self.callback_delay = 0.0  # seconds every interaction callback takes (a slow Discord), 0 for none
        self.bot_user = bot_user or FakeUser(snowflake(270_000_000_000, 7), "statusbot", bot=True)
        self.application_id = application_id or self.bot_user.id
        self.application_flags = application_flags
        self.owner = FakeUser(snowflake(260_000_000_000, 1), "owner")
        self.guilds: list[FakeGuild] = list(guilds) if guilds is not None else default_guilds()
        self.recommended_shards = recommended_shards
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.enforce_intents = enforce_intents
        self.echo_messages = echo_messages
        self.host = host
        self._requested_port = port
        self.port = 0

        self.calls: EventLog[RestCall] = EventLog("REST call")
        self.gateway_log: EventLog[GatewayFrame] = EventLog("gateway frame")
        self.messages: dict[int, dict[str, Any]] = {}  # every message the fake knows, by id
        self._lock = threading.RLock()
        self._new_id = _SnowflakeFactory()
        self._faults: list[Fault] = []
        self._interactions: dict[int, _Interaction] = {}
        self._interaction_tokens: dict[str, _Interaction] = {}
        self._commands: dict[int | None, list[dict[str, Any]]] = {}  # guild id (None = global)
        self._dm_channels: dict[int, FakeUser] = {}
        self._sessions: dict[str, GatewaySession] = {}
        self._conns: dict[int, _Connection] = {}
        self._conn_ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._routes = self._build_routes()
        self.attachment_files: dict[str, bytes] = {}  # "channel/message/name" -> bytes (see attach)

    # ---- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._ws_handler)
        app.router.add_get("/gateway/", self._ws_handler)
        app.router.add_get("/gateway-resume", self._ws_handler)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest_handler)
        app.router.add_get("/attachments/{tail:.*}", self._attachment_handler)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._requested_port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        for conn in list(self._conns.values()):
            conn.enqueue(_Close(1001, b"fake shutting down"))
        for conn in list(self._conns.values()):
            await conn.flush(1.0)
            conn.abort()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- addresses -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """Value for ``DiscordWebSocket.DEFAULT_GATEWAY`` (and what GET /gateway returns)."""
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway-resume"

    def env(self) -> dict[str, str]:
        """Environment for a subprocess that calls ``patch_discord_py_from_env()``."""
        return {ENV_API_BASE: self.api_base, ENV_GATEWAY: self.gateway_url}

    # ---- state accessors -------------------------------------------------------------------

    @property
    def sessions(self) -> list[GatewaySession]:
        return list(self._sessions.values())

    def live_sessions(self, shard_id: int | None = None) -> list[GatewaySession]:
        return [s for s in self._sessions.values() if s.alive and (shard_id is None or s.shard_id == shard_id)]

    def guild(self, guild_id: int) -> FakeGuild:
        return next(g for g in self.guilds if g.id == guild_id)

    def guilds_for_shard(self, shard_id: int, shard_count: int) -> list[FakeGuild]:
        return [g for g in self.guilds if shard_for(g.id, shard_count) == shard_id]

    def commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(c) for c in self._commands.get(guild_id, [])]

    def interaction_state(self, interaction_id: int | str) -> _Interaction | None:
        with self._lock:
            return self._interactions.get(int(interaction_id))

    @property
    def bot_mention(self) -> str:
        return self.bot_user.mention

    # ---- waiting ---------------------------------------------------------------------------

    async def wait_for_call(
        self, predicate: Callable[[RestCall], bool], timeout: float = 5.0, since: int = 0
    ) -> RestCall:
        return await self.calls.wait_for(predicate, timeout, since)

    async def wait_for_gateway(
        self, predicate: Callable[[GatewayFrame], bool], timeout: float = 5.0, since: int = 0
    ) -> GatewayFrame:
        return await self.gateway_log.wait_for(predicate, timeout, since)

    async def wait_for_op(
        self, op: int, *, shard_id: int | None = None, timeout: float = 5.0, since: int = 0
    ) -> GatewayFrame:
        """Wait for an opcode sent by a client (2 IDENTIFY, 6 RESUME, 1 HEARTBEAT, ...)."""
        return await self.gateway_log.wait_for(
            lambda f: f.direction == "in" and f.op == op and (shard_id is None or f.shard_id == shard_id),
            timeout,
            since,
        )

    async def wait_for_interaction_response(self, interaction: Mapping[str, Any], timeout: float = 5.0) -> RestCall:
        """The POST .../callback answering the interaction payload (built by a make_* helper)."""
        suffix = f"/interactions/{interaction['id']}/{interaction['token']}/callback"
        return await self.calls.wait_for(lambda c: c.api_path == suffix and c.status < 300, timeout)

    # ---- fault injection -------------------------------------------------------------------

    def inject_fault(
        self,
        method: str | None,
        path_regex: str,
        *,
        status: int,
        count: int = 1,
        retry_after: float = 0.2,
        is_global: bool = False,
        body: Any = None,
    ) -> Fault:
        """Answer the next ``count`` requests whose API path (below /api/v10) fully matches
        ``path_regex`` (and method, None = any) with ``status``."""
        fault = Fault(method, path_regex, status, count, retry_after, is_global, body)
        with self._lock:
            self._faults.append(fault)
        return fault

    def fail_next(self, method: str | None, path_regex: str, *, status: int = 500, count: int = 1) -> Fault:
        return self.inject_fault(method, path_regex, status=status, count=count)

    def rate_limit_next(
        self, method: str | None, path_regex: str, *, count: int = 1, retry_after: float = 0.2, is_global: bool = False
    ) -> Fault:
        return self.inject_fault(
            method, path_regex, status=429, count=count, retry_after=retry_after, is_global=is_global
        )

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, method: str, api_path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, api_path):
                    fault.count -= 1
                    fault.hits.append(f"{method} {api_path}")
                    return fault
        return None

    # ---- gateway controls ------------------------------------------------------------------

    async def dispatch(self, event: str, data: Mapping[str, Any], shard_id: int | None = None) -> int:
        """Send a DISPATCH event; returns how many sessions got it.

        Routing when ``shard_id`` is None: events with a ``guild_id`` go to the session whose
        shard owns that guild; others (DMs, ...) to shard 0, as Discord does.  Sessions that are
        currently disconnected buffer the event and get it replayed on RESUME."""
        targets = self._broadcast(event, dict(data), shard_id)
        await self._flush([s.conn for s in targets if s.conn is not None])
        return len(targets)

    def new_snowflake(self) -> int:
        """A fresh id from the current time, as Discord mints for a new interaction or message."""
        return self._new_id()

    async def dispatch_many(self, event: str, payloads: Sequence[Mapping[str, Any]]) -> int:
        """Send many DISPATCH events at once, as a burst: every frame is queued first and the sockets are
        flushed once, so the last event is not held back by the sending of the first. Returns the sessions
        that got at least one."""
        reached: dict[int, GatewaySession] = {}
        for data in payloads:
            for session in self._broadcast(event, dict(data), None):
                reached[id(session)] = session
        await self._flush([s.conn for s in reached.values() if s.conn is not None])
        return len(reached)

    async def drop_connection(self, shard_id: int | None = None, *, code: int | None = None) -> int:
        """Cut gateway connections (all, or the given shard's).  ``code=None`` aborts the TCP
        connection without a close frame (client sees 1006 and RESUMEs); otherwise a close frame
        with ``code`` is sent (e.g. 4000 resumable, 4004 auth failed, 4014 disallowed intents)."""
        conns = self._select_conns(shard_id)
        for conn in conns:
            if code is None:
                conn.abort()
            else:
                conn.enqueue(_Close(code))
        await self._flush(conns)
        return len(conns)

    async def send_invalid_session(self, resumable: bool = False, shard_id: int | None = None) -> int:
        """Send op 9.  Non-resumable also kills the session, so a RESUME would fail."""
        conns = self._select_conns(shard_id)
        for conn in conns:
            if not resumable and conn.session is not None:
                conn.session.alive = False
            self._send_op(conn, {"op": 9, "d": resumable, "s": None, "t": None})
        await self._flush(conns)
        return len(conns)

    async def send_reconnect(self, shard_id: int | None = None) -> int:
        """Send op 7 RECONNECT (client closes and RESUMEs)."""
        conns = self._select_conns(shard_id)
        for conn in conns:
            self._send_op(conn, {"op": 7, "d": None, "s": None, "t": None})
        await self._flush(conns)
        return len(conns)

    async def send_raw(self, payload: Mapping[str, Any] | str | bytes, shard_id: int | None = None) -> int:
        """Send anything as-is: a dict (JSON-encoded, sequence untouched), a str (sent through
        the compression stream, may be malformed JSON) or bytes (sent verbatim, uncompressed)."""
        conns = self._select_conns(shard_id)
        for conn in conns:
            item = dict(payload) if isinstance(payload, Mapping) else payload
            conn.enqueue(item)
            self._log_out(conn, item if isinstance(item, dict) else {"d": item})
        await self._flush(conns)
        return len(conns)

    def _select_conns(self, shard_id: int | None) -> list[_Connection]:
        return [
            c
            for c in self._conns.values()
            if not c.dead and (shard_id is None or (c.session is not None and c.session.shard_id == shard_id))
        ]

    @staticmethod
    async def _flush(conns: Sequence[_Connection]) -> None:
        await asyncio.gather(*(c.flush() for c in conns))

    def _broadcast(self, event: str, data: dict[str, Any], shard_id: int | None) -> list[GatewaySession]:
        if event == "INTERACTION_CREATE":
            self._register_interaction(data)
        elif event in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and "id" in data:
            with self._lock:
                known = self.messages.get(int(data["id"]))
                if known is None:
                    self.messages[int(data["id"])] = data
                elif event == "MESSAGE_UPDATE" and known is not data:
                    known.update(data)
        guild_id = data.get("guild_id")
        targets = []
        for session in self.live_sessions():
            if shard_id is not None:
                if session.shard_id != shard_id:
                    continue
            elif guild_id is not None:
                if not session.owns_guild(int(guild_id)):
                    continue
            elif session.shard_id != 0:
                continue
            adapted = self._adapt_for_intents(session, event, data)
            if adapted is not None:
                self._send_dispatch(session, event, adapted)
                targets.append(session)
        return targets

    def _adapt_for_intents(self, session: GatewaySession, event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        if not self.enforce_intents or not event.startswith("MESSAGE_") or event.startswith("MESSAGE_REACTION"):
            return data
        is_dm = data.get("guild_id") is None
        if not session.intents & (DIRECT_MESSAGES if is_dm else GUILD_MESSAGES):
            return None
        if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and not is_dm and not session.intents & MESSAGE_CONTENT:
            bot_id = str(self.bot_user.id)
            by_bot = (data.get("author") or {}).get("id") == bot_id
            mentioned = any(m.get("id") == bot_id for m in data.get("mentions") or [])
            if not by_bot and not mentioned:
                return {**data, "content": "", "embeds": [], "attachments": [], "components": []}
        return data

    def _send_dispatch(self, session: GatewaySession, event: str, data: Any) -> None:
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.history.append(frame)
        del session.history[:-_HISTORY_LIMIT]
        conn = session.conn
        if conn is not None and not conn.dead:
            conn.enqueue(frame)
            self._log_out(conn, frame)
        else:  # buffered for RESUME
            self.gateway_log.append(
                GatewayFrame(
                    len(self.gateway_log), "out", 0, 0, event, session.seq, data, session.session_id, session.shard_id
                )
            )

    def _send_op(self, conn: _Connection, frame: dict[str, Any]) -> None:
        conn.enqueue(frame)
        self._log_out(conn, frame)

    def _log_out(self, conn: _Connection, frame: Mapping[str, Any], replayed: bool = False) -> None:
        session = conn.session
        self.gateway_log.append(
            GatewayFrame(
                len(self.gateway_log),
                "out",
                conn.id,
                frame.get("op"),
                frame.get("t"),
                frame.get("s"),
                frame.get("d"),
                session.session_id if session else None,
                session.shard_id if session else None,
                replayed=replayed,
            )
        )

    # ---- gateway server --------------------------------------------------------------------

    async def _ws_handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, compress=False, autoping=True)
        await ws.prepare(request)
        conn = _Connection(next(self._conn_ids), request, ws)
        self._conns[conn.id] = conn
        self.gateway_log.append(GatewayFrame(len(self.gateway_log), "connect", conn.id, url=str(request.rel_url)))
        if conn.compress not in (None, "zlib-stream") and conn._compress is None:
            conn.enqueue(_Close(4000, f"unsupported compress={conn.compress}".encode()))
        elif request.query.get("encoding", "json") != "json":
            conn.enqueue(_Close(4002, b"only encoding=json is supported"))
        else:
            self._send_op(
                conn, {"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None, "t": None}
            )
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    self._on_client_frame(conn, msg.data)
                elif msg.type is WSMsgType.BINARY:
                    conn.enqueue(_Close(4002, b"binary (etf) frames are not supported"))
        finally:
            close_code = ws.close_code
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
                # Like Discord: a client close with 1000/1001 ends the session.
                if conn.server_close is None and close_code in (1000, 1001):
                    session.alive = False
            conn.dead = True
            self._conns.pop(conn.id, None)
            self.gateway_log.append(
                GatewayFrame(
                    len(self.gateway_log),
                    "disconnect",
                    conn.id,
                    session_id=session.session_id if session else None,
                    shard_id=session.shard_id if session else None,
                    close_code=close_code,
                )
            )
            await conn.stop()
        return ws

    def _on_client_frame(self, conn: _Connection, text: str) -> None:
        try:
            payload = _decode(text)
            op, d = payload.get("op"), payload.get("d")
        except (ValueError, AttributeError):
            conn.enqueue(_Close(4002, b"Error while decoding payload."))
            return
        session = conn.session
        self.gateway_log.append(
            GatewayFrame(
                len(self.gateway_log),
                "in",
                conn.id,
                op,
                d=d,
                session_id=session.session_id if session else None,
                shard_id=(session.shard_id if session else self._claimed_shard(op, d)),
            )
        )
        if op == 1:
            if self.ack_heartbeats:
                self._send_op(conn, {"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            self._identify(conn, d or {})
        elif op == 6:
            self._resume(conn, d or {})
        elif op in (3, 4):
            if session is None:
                conn.enqueue(_Close(4003, b"Not authenticated."))
        elif op == 8:
            if session is None:
                conn.enqueue(_Close(4003, b"Not authenticated."))
            else:
                self._request_members(session, d or {})
        else:
            conn.enqueue(_Close(4001, b"Unknown opcode."))

    def _claimed_shard(self, op: Any, d: Any) -> int | None:
        if op == 2 and isinstance(d, dict):
            return (d.get("shard") or [0, 1])[0]
        if op == 6 and isinstance(d, dict):
            session = self._sessions.get(d.get("session_id") or "")
            return session.shard_id if session else None
        return None

    def _identify(self, conn: _Connection, d: Mapping[str, Any]) -> None:
        if conn.session is not None:
            conn.enqueue(_Close(4005, b"Already authenticated."))
            return
        token = d.get("token")
        if token not in self.tokens:
            conn.enqueue(_Close(4004, b"Authentication failed."))
            return
        shard_given = d.get("shard")
        shard_id, shard_count = shard_given or (0, 1)
        if not 0 <= shard_id < shard_count:
            conn.enqueue(_Close(4010, b"Invalid shard."))
            return
        for old in self._sessions.values():  # a new IDENTIFY supersedes the shard's old session
            if old.token == token and (old.shard_id, old.shard_count) == (shard_id, shard_count):
                old.alive = False
        session = GatewaySession(uuid.uuid4().hex, str(token), shard_id, shard_count, int(d.get("intents") or 0))
        self._sessions[session.session_id] = session
        session.conn, conn.session = conn, session
        guilds = self.guilds_for_shard(shard_id, shard_count)
        ready: dict[str, Any] = {
            "v": 10,
            "user": {**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "flags": 0, "email": None},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "application": {"id": str(self.application_id), "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": [],
            "guild_join_requests": [],
            "user_settings": {},
            "_trace": ['["fakediscord",{"micros":0}]'],
        }
        if shard_given:
            ready["shard"] = [shard_id, shard_count]
        self._send_dispatch(session, "READY", ready)
        for guild in guilds:
            self._send_dispatch(session, "GUILD_CREATE", self._guild_create_payload(guild, session))

    def _resume(self, conn: _Connection, d: Mapping[str, Any]) -> None:
        if conn.session is not None:
            conn.enqueue(_Close(4005, b"Already authenticated."))
            return
        if d.get("token") not in self.tokens:
            conn.enqueue(_Close(4004, b"Authentication failed."))
            return
        session = self._sessions.get(d.get("session_id") or "")
        seq = d.get("seq") or 0
        missed = [f for f in session.history if f["s"] > seq] if session else []
        complete = session is not None and (not missed or missed[0]["s"] == seq + 1)
        if session is None or not session.alive or session.token != d.get("token") or seq > session.seq or not complete:
            self._send_op(conn, {"op": 9, "d": False, "s": None, "t": None})
            return
        if session.conn is not None and session.conn is not conn:
            session.conn.session = None  # resumed elsewhere: the old socket no longer owns it
        session.conn, conn.session = conn, session
        session.resumes += 1
        for frame in missed:
            conn.enqueue(frame)
            self._log_out(conn, frame, replayed=True)
        self._send_dispatch(session, "RESUMED", {"_trace": ['["fakediscord",{"micros":0}]']})

    def _request_members(self, session: GatewaySession, d: Mapping[str, Any]) -> None:
        guild_ids = d.get("guild_id")
        for gid in guild_ids if isinstance(guild_ids, list) else [guild_ids]:
            guild = next((g for g in self.guilds if str(g.id) == str(gid)), None)
            if guild is None:
                continue
            members = self._all_members(guild)
            if d.get("user_ids"):
                wanted = {str(u) for u in d["user_ids"]}
                members = [m for m in members if m["user"]["id"] in wanted]
            elif d.get("query"):
                members = [m for m in members if m["user"]["username"].startswith(d["query"])]
            if d.get("limit"):
                members = members[: d["limit"]]
            chunk = {"guild_id": str(guild.id), "members": members, "chunk_index": 0, "chunk_count": 1, "not_found": []}
            if d.get("nonce") is not None:
                chunk["nonce"] = d["nonce"]
            self._send_dispatch(session, "GUILD_MEMBERS_CHUNK", chunk)

    # ---- gateway payloads --------------------------------------------------------------------

    def _member_payload(self, user: FakeUser, guild: FakeGuild, with_user: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [],
            "joined_at": _iso_of(guild.id),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
            "premium_since": None,
            "pending": False,
        }
        if with_user:
            data["user"] = user.payload()
        return data

    def _all_members(self, guild: FakeGuild) -> list[dict[str, Any]]:
        users = [self.bot_user, *(u for u in guild.members if u.id != self.bot_user.id)]
        return [self._member_payload(u, guild) for u in users]

    def _guild_create_payload(self, guild: FakeGuild, session: GatewaySession) -> dict[str, Any]:
        members = self._all_members(guild)
        sent = members if not self.enforce_intents or session.intents & GUILD_PRESENCES else members[:1]
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "owner_id": str(guild.owner_id or self.owner.id),
            "roles": [
                {
                    "id": str(guild.id),
                    "name": "@everyone",
                    "permissions": str(DEFAULT_PERMISSIONS),
                    "position": 0,
                    "colors": {"primary_color": 0},
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "channels": [c.payload() for c in guild.channels],
            "members": sent,
            "member_count": len(members),
            "large": False,
            "unavailable": False,
            "joined_at": _iso_of(guild.id),
            "preferred_locale": guild.preferred_locale,
            "features": [],
            "emojis": [],
            "stickers": [],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "system_channel_id": str(guild.text_channel.id),
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_progress_bar_enabled": False,
        }

    # ---- REST server ---------------------------------------------------------------------------

    def _build_routes(self) -> list[_Route]:
        app, guild, token = r"(?P<application_id>\d+)", r"(?P<guild_id>\d+)", r"(?P<webhook_token>[^/]+)"
        table: list[tuple[str, str, Callable[[_Ctx], Awaitable[web.Response]], bool]] = [
            ("GET", r"/users/@me", self._get_me, True),
            ("GET", r"/oauth2/applications/@me", self._get_application, True),
            ("GET", r"/applications/@me", self._get_application, True),
            ("GET", r"/gateway", self._get_gateway, False),
            ("GET", r"/gateway/bot", self._get_gateway_bot, True),
            ("GET", rf"/applications/{app}/commands", self._get_commands, True),
            ("PUT", rf"/applications/{app}/commands", self._put_commands, True),
            ("POST", rf"/applications/{app}/commands", self._post_command, True),
            ("GET", rf"/applications/{app}/guilds/{guild}/commands", self._get_commands, True),
            ("PUT", rf"/applications/{app}/guilds/{guild}/commands", self._put_commands, True),
            ("POST", rf"/applications/{app}/guilds/{guild}/commands", self._post_command, True),
            ("POST", rf"/interactions/(?P<interaction_id>\d+)/{token}/callback", self._interaction_callback, False),
            ("GET", rf"/webhooks/{app}/{token}/messages/(?P<message_id>@original|\d+)", self._get_webhook_msg, False),
            (
                "PATCH",
                rf"/webhooks/{app}/{token}/messages/(?P<message_id>@original|\d+)",
                self._edit_webhook_msg,
                False,
            ),
            (
                "DELETE",
                rf"/webhooks/{app}/{token}/messages/(?P<message_id>@original|\d+)",
                self._del_webhook_msg,
                False,
            ),
            ("POST", rf"/webhooks/{app}/{token}", self._followup, False),
            ("POST", r"/channels/(?P<channel_id>\d+)/messages", self._create_message, True),
            ("GET", r"/channels/(?P<channel_id>\d+)/messages/(?P<message_id>\d+)", self._get_message, True),
            ("PATCH", r"/channels/(?P<channel_id>\d+)/messages/(?P<message_id>\d+)", self._edit_message, True),
            ("DELETE", r"/channels/(?P<channel_id>\d+)/messages/(?P<message_id>\d+)", self._delete_message, True),
            ("POST", r"/channels/(?P<channel_id>\d+)/typing", self._typing, True),
        ]
        return [_Route(m, re.compile(p), h, a) for m, p, h, a in table]

    async def _rest_handler(self, request: web.Request) -> web.Response:
        api_path = "/" + request.match_info["tail"]
        method = request.method
        body, parsed, files = "", None, ()
        if request.content_type == "multipart/form-data":
            form = await request.post()
            parsed = json.loads(str(form["payload_json"])) if "payload_json" in form else None
            files = tuple(getattr(v, "filename", "") for k, v in form.items() if k != "payload_json")
        elif request.can_read_body:
            body = await request.text()
            with contextlib.suppress(ValueError):
                parsed = _decode(body)
        auth = request.headers.get("Authorization", "")
        authorized = auth.startswith("Bot ") and auth[4:] in self.tokens

        route, match = next(
            ((r, m) for r in self._routes if r.method == method and (m := r.regex.fullmatch(api_path))),
            (None, None),
        )
        template = route.template if route else f"{method} {api_path}"
        bucket = hashlib.sha1(template.encode()).hexdigest()[:16]
        fault = self._take_fault(method, api_path)
        if fault is not None:
            resp = fault.response(bucket)
        elif route is None or match is None:
            if any(r.regex.fullmatch(api_path) for r in self._routes):
                resp = _error(405, "405: Method Not Allowed")
            else:
                resp = _error(404, "404: Not Found")
        elif route.auth and not authorized:
            resp = _error(401, "401: Unauthorized")
        else:
            ctx = _Ctx(method, api_path, match.groupdict(), dict(request.query), parsed, files)
            try:
                resp = await route.handler(ctx)
            except Exception as exc:  # a bug in the fake: make it visible in the call log
                resp = _error(500, f"fakediscord handler crashed: {exc!r}")
            if resp.status < 300:
                resp.headers.update(
                    {
                        "X-RateLimit-Limit": "5",
                        "X-RateLimit-Remaining": "4",
                        "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
                        "X-RateLimit-Reset-After": "1.000",
                        "X-RateLimit-Bucket": bucket,
                    }
                )
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        self.calls.append(
            RestCall(
                index=len(self.calls),
                method=method,
                path=request.path,
                api_path=api_path,
                query=dict(request.query),
                json=parsed,
                body=body,
                headers=headers,
                authorized=authorized,
                status=resp.status,
                response=resp.get(_JSON_KEY),
                files=files,
                route=route.template if route else None,
                fault=fault is not None,
            )
        )
        return resp

    # ---- REST: identity -----------------------------------------------------------------------

    async def _get_me(self, ctx: _Ctx) -> web.Response:
        return _json({**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "flags": 0, "email": None})

    async def _get_application(self, ctx: _Ctx) -> web.Response:
        return _json(
            {
                "id": str(self.application_id),
                "name": self.bot_user.username,
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.owner.payload(),
                "team": None,
                "verify_key": "0" * 64,
                "flags": self.application_flags,
                "bot": self.bot_user.payload(),
                "interactions_endpoint_url": None,
                "redirect_uris": [],
                "tags": [],
            }
        )

    async def _get_gateway(self, ctx: _Ctx) -> web.Response:
        return _json({"url": self.gateway_url})

    async def _get_gateway_bot(self, ctx: _Ctx) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        return _json({"url": self.gateway_url, "shards": self.recommended_shards, "session_start_limit": limit})

    # ---- REST: application commands -------------------------------------------------------

    def _check_app(self, ctx: _Ctx) -> web.Response | None:
        if int(ctx.params["application_id"]) != self.application_id:
            return _error(403, "Missing Access", 50001)
        gid = ctx.params.get("guild_id")
        if gid is not None and not any(g.id == int(gid) for g in self.guilds):
            return _error(403, "Missing Access", 50001)
        return None

    def _store_command(
        self, cmd: Mapping[str, Any], guild_id: int | None, old: Sequence[dict[str, Any]]
    ) -> dict[str, Any]:
        kind = cmd.get("type", 1)
        previous = next((c for c in old if c["name"] == cmd.get("name") and c["type"] == kind), None)
        stored: dict[str, Any] = {
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "nsfw": False,
            **cmd,
            "id": previous["id"] if previous else str(self._new_id()),
            "application_id": str(self.application_id),
            "type": kind,
            "version": str(self._new_id()),
        }
        if guild_id is None:
            stored.setdefault("dm_permission", True)
        else:
            stored["guild_id"] = str(guild_id)
        return stored

    async def _get_commands(self, ctx: _Ctx) -> web.Response:
        return self._check_app(ctx) or _json(self.commands(_opt_int(ctx.params.get("guild_id"))))

    async def _put_commands(self, ctx: _Ctx) -> web.Response:
        if (denied := self._check_app(ctx)) is not None:
            return denied
        if not isinstance(ctx.json, list):
            return _error(400, "Invalid Form Body", 50035)
        if problems := _command_problems(ctx.json):
            return _invalid_form_body(problems)
        guild_id = _opt_int(ctx.params.get("guild_id"))
        with self._lock:
            old = self._commands.get(guild_id, [])
            self._commands[guild_id] = [self._store_command(c, guild_id, old) for c in ctx.json]
        return _json(self.commands(guild_id))

    async def _post_command(self, ctx: _Ctx) -> web.Response:
        if (denied := self._check_app(ctx)) is not None:
            return denied
        if problems := _command_problems([ctx.json or {}]):
            return _invalid_form_body(problems)
        guild_id = _opt_int(ctx.params.get("guild_id"))
        with self._lock:
            old = self._commands.get(guild_id, [])
            stored = self._store_command(ctx.json, guild_id, old)
            rest = [c for c in old if c["id"] != stored["id"]]
            self._commands[guild_id] = [*rest, stored]
        return _json(stored, 201)

    # ---- REST: interactions and webhooks ------------------------------------------------------

    def _register_interaction(self, payload: Mapping[str, Any]) -> None:
        with self._lock:
            iid = int(payload["id"])
            if iid not in self._interactions:
                state = _Interaction(iid, str(payload["token"]), dict(payload))
                self._interactions[iid] = state
                self._interaction_tokens[state.token] = state

    async def _interaction_callback(self, ctx: _Ctx) -> web.Response:
        if self.callback_delay > 0:
            await asyncio.sleep(self.callback_delay)
        with self._lock:
            state = self._interactions.get(int(ctx.params["interaction_id"]))
        if state is None or state.token != ctx.params["webhook_token"]:
            return _error(404, "Unknown interaction", 10062)
        if state.responded:
            return _error(400, "Interaction has already been acknowledged.", 40060)
        if self.interaction_deadline is not None:
            age = time.time() - (DISCORD_EPOCH_MS + (state.id >> 22)) / 1000
            if age > self.interaction_deadline:
                with self._lock:
                    self.expired_callbacks += 1
                return _error(404, "Unknown interaction", 10062)
        body = ctx.json or {}
        kind = body.get("type")
        data = body.get("data") or {}
        payload = state.payload
        if kind in (4, 7):
            if problems := _message_problems(data, ("data",)):
                return _invalid_form_body(problems)
            if kind == 4 and _is_empty_message(data, ctx.files):
                return _error(400, "Cannot send an empty message", 50006)
        if kind == 8:
            choices = data.get("choices") or []
            problems: list[_Problem] = []
            if len(choices) > 25:
                problems.append((("data", "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
            for i, choice in enumerate(choices):
                at = ("data", "choices", str(i))
                if not 1 <= len(str(choice.get("name", ""))) <= 100:
                    problems.append(((*at, "name"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."))
                problems += _too_long((*at, "value"), choice.get("value"), 100)
            if problems:
                return _invalid_form_body(problems)
        if kind not in (1, 4, 5, 6, 7, 8, 9, 10, 12):
            return _invalid_form_body([(("type",), "BASE_TYPE_CHOICES", "Value must be one of {1, 4, 5, 6, 7, 8, 9}.")])

        state.responded, state.response_type = True, kind
        message: dict[str, Any] | None = None
        flags = int(data.get("flags") or 0)
        if kind in (4, 5):
            message = self._build_message(
                channel_id=int(payload.get("channel_id") or 0),
                guild_id=_opt_int(payload.get("guild_id")),
                author=self.bot_user,
                body=data if kind == 4 else {"content": "", "flags": flags | MESSAGE_FLAG_LOADING},
                webhook_id=self.application_id,
                interaction=payload,
            )
        elif kind in (6, 7) and payload.get("message"):
            message = dict(payload["message"])
            if kind == 7:
                message.update(_message_fields(data), edited_timestamp=_iso())
        if message is not None:
            state.original = message
            with self._lock:
                self.messages[int(message["id"])] = message
            if kind == 4 and not flags & MESSAGE_FLAG_EPHEMERAL:
                self._echo(message)
        if ctx.query.get("with_response") not in ("1", "true", "True"):
            return _no_content()
        result: dict[str, Any] = {
            "interaction": {
                "id": str(state.id),
                "type": payload.get("type"),
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(flags & MESSAGE_FLAG_EPHEMERAL),
            },
            "resource": {"type": kind},
        }
        if message is not None:
            result["interaction"]["response_message_id"] = message["id"]
            if kind in (4, 7):
                result["resource"]["message"] = message
        return _json(result)

    def _webhook_state(self, ctx: _Ctx) -> _Interaction | None:
        if int(ctx.params["application_id"]) != self.application_id:
            return None
        with self._lock:
            return self._interaction_tokens.get(ctx.params["webhook_token"])

    def _webhook_message(self, state: _Interaction, message_id: str) -> dict[str, Any] | None:
        if message_id == "@original":
            return state.original
        with self._lock:
            return self.messages.get(int(message_id)) if int(message_id) in state.followups else None

    def _webhook_target(self, ctx: _Ctx) -> tuple[_Interaction, dict[str, Any]] | web.Response:
        """The interaction and message a webhook-message route names, or Discord's 404 for whichever is missing."""
        state = self._webhook_state(ctx)
        if state is None:
            return _error(404, "Unknown Webhook", 10015)
        message = self._webhook_message(state, ctx.params["message_id"])
        if message is None:
            return _error(404, "Unknown Message", 10008)
        return state, message

    async def _get_webhook_msg(self, ctx: _Ctx) -> web.Response:
        target = self._webhook_target(ctx)
        return target if isinstance(target, web.Response) else _json(target[1])

    async def _edit_webhook_msg(self, ctx: _Ctx) -> web.Response:
        target = self._webhook_target(ctx)
        if isinstance(target, web.Response):
            return target
        message = target[1]
        body = ctx.json or {}
        if problems := _message_problems(body):
            return _invalid_form_body(problems)
        flags = (int(message.get("flags") or 0) & ~MESSAGE_FLAG_LOADING) | int(body.get("flags") or 0)
        message.update(_message_fields(body), flags=flags, edited_timestamp=_iso())
        return _json(message)

    async def _del_webhook_msg(self, ctx: _Ctx) -> web.Response:
        target = self._webhook_target(ctx)
        if isinstance(target, web.Response):
            return target
        state, message = target
        if ctx.params["message_id"] == "@original":
            state.original = None
        with self._lock:
            self.messages.pop(int(message["id"]), None)
        return _no_content()

    async def _followup(self, ctx: _Ctx) -> web.Response:
        state = self._webhook_state(ctx)
        if state is None or not state.responded:  # followups need an acknowledged interaction
            return _error(404, "Unknown Webhook", 10015)
        body = ctx.json or {}
        if problems := _message_problems(body):
            return _invalid_form_body(problems)
        if _is_empty_message(body, ctx.files):
            return _error(400, "Cannot send an empty message", 50006)
        payload = state.payload
        message = self._build_message(
            channel_id=int(payload.get("channel_id") or 0),
            guild_id=_opt_int(payload.get("guild_id")),
            author=self.bot_user,
            body=body,
            webhook_id=self.application_id,
            interaction=payload,
            files=ctx.files,
        )
        with self._lock:
            self.messages[int(message["id"])] = message
            state.followups.append(int(message["id"]))
        if not int(body.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL:
            self._echo(message)
        return _json(message) if ctx.query.get("wait") in ("1", "true", "True") else _no_content()

    # ---- REST: channel messages -----------------------------------------------------------

    def _channel_guild(self, channel_id: int) -> tuple[bool, int | None]:
        """(known, guild id or None for DMs)."""
        for guild in self.guilds:
            if any(c.id == channel_id for c in guild.channels):
                return True, guild.id
        with self._lock:
            return channel_id in self._dm_channels, None

    async def _create_message(self, ctx: _Ctx) -> web.Response:
        channel_id = int(ctx.params["channel_id"])
        known, guild_id = self._channel_guild(channel_id)
        if not known:
            return _error(404, "Unknown Channel", 10003)
        body = ctx.json or {}
        if problems := _message_problems(body):
            return _invalid_form_body(problems)
        if _is_empty_message(body, ctx.files):
            return _error(400, "Cannot send an empty message", 50006)
        message = self._build_message(
            channel_id=channel_id, guild_id=guild_id, author=self.bot_user, body=body, files=ctx.files
        )
        with self._lock:
            self.messages[int(message["id"])] = message
        self._echo(message)
        return _json(message)

    def _channel_message(self, ctx: _Ctx) -> dict[str, Any] | None:
        with self._lock:
            message = self.messages.get(int(ctx.params["message_id"]))
        return message if message is not None and message["channel_id"] == ctx.params["channel_id"] else None

    async def _get_message(self, ctx: _Ctx) -> web.Response:
        message = self._channel_message(ctx)
        return _json(message) if message is not None else _error(404, "Unknown Message", 10008)

    async def _edit_message(self, ctx: _Ctx) -> web.Response:
        message = self._channel_message(ctx)
        if message is None:
            return _error(404, "Unknown Message", 10008)
        if message["author"]["id"] != str(self.bot_user.id):
            return _error(403, "Cannot edit a message authored by another user", 50005)
        body = ctx.json or {}
        if problems := _message_problems(body):
            return _invalid_form_body(problems)
        message.update(_message_fields(body), edited_timestamp=_iso())
        if self.echo_messages:
            self._broadcast("MESSAGE_UPDATE", dict(message), None)
        return _json(message)

    async def _delete_message(self, ctx: _Ctx) -> web.Response:
        message = self._channel_message(ctx)
        if message is None:
            return _error(404, "Unknown Message", 10008)
        with self._lock:
            self.messages.pop(int(message["id"]), None)
        return _no_content()

    async def _typing(self, ctx: _Ctx) -> web.Response:
        return _no_content()

    def _echo(self, message: dict[str, Any]) -> None:
        if self.echo_messages:
            self._broadcast("MESSAGE_CREATE", dict(message), None)

    # ---- payload builders ------------------------------------------------------------------

    def _build_message(
        self,
        *,
        channel_id: int,
        guild_id: int | None,
        author: FakeUser,
        body: Mapping[str, Any],
        webhook_id: int | None = None,
        interaction: Mapping[str, Any] | None = None,
        files: Sequence[str] = (),
        mentions: Sequence[FakeUser] = (),
    ) -> dict[str, Any]:
        mid = self._new_id()
        guild = next((g for g in self.guilds if g.id == guild_id), None)
        mention_payloads = []
        for user in mentions:
            mp = user.payload()
            if guild is not None:
                mp["member"] = self._member_payload(user, guild, with_user=False)
            mention_payloads.append(mp)
        attachments = [
            {
                "id": str(self._new_id()),
                "filename": name,
                "size": 0,
                "url": f"{self.base_url}/attachments/{channel_id}/{mid}/{name}",
                "proxy_url": f"{self.base_url}/attachments/{channel_id}/{mid}/{name}",
            }
            for name in files
        ]
        message: dict[str, Any] = {
            "id": str(mid),
            "channel_id": str(channel_id),
            "type": 0 if interaction is None or interaction.get("type") != 2 else 20,
            "content": "",
            "author": author.payload(),
            "timestamp": _iso_of(mid),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": mention_payloads,
            "mention_roles": [],
            "attachments": attachments,
            "embeds": [],
            "components": [],
            "pinned": False,
            "flags": 0,
            **_message_fields(body),
        }
        if guild_id is not None:
            message["guild_id"] = str(guild_id)
            if guild is not None:
                message["member"] = self._member_payload(author, guild, with_user=False)
        if webhook_id is not None:
            message["webhook_id"] = str(webhook_id)
            message["application_id"] = str(self.application_id)
        if interaction is not None:
            user = (interaction.get("member") or {}).get("user") or interaction.get("user")
            message["interaction_metadata"] = {
                "id": str(interaction["id"]),
                "type": interaction.get("type"),
                "user": user,
                "authorizing_integration_owners": interaction.get("authorizing_integration_owners", {}),
            }
        if body.get("message_reference"):
            message["message_reference"] = body["message_reference"]
        return message

    def _default_user(self, guild: FakeGuild | None) -> FakeUser:
        people = guild.members if guild is not None else default_users()
        return next(u for u in people if not u.bot and u.id != self.bot_user.id)

    def _dm_channel(self, user: FakeUser) -> int:
        with self._lock:
            for cid, who in self._dm_channels.items():
                if who.id == user.id:
                    return cid
            cid = self._new_id()
            self._dm_channels[cid] = user
            return cid

    def _place(
        self, guild_id: int | None, channel_id: int | None, user: FakeUser | None, dm: bool
    ) -> tuple[FakeGuild | None, int, FakeUser]:
        if dm:
            who = user or self._default_user(None)
            return None, channel_id or self._dm_channel(who), who
        guild = self.guild(guild_id) if guild_id is not None else self.guilds[0]
        if channel_id is None:
            channel_id = guild.text_channel.id
        return guild, channel_id, user or self._default_user(guild)

    def _interaction_base(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        guild_id: int | None,
        channel_id: int | None,
        user: FakeUser | None,
        locale: str,
        dm: bool,
        permissions: int,
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        guild, channel_id, who = self._place(guild_id, channel_id, user, dm)
        iid = self._new_id()
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "token": "fake-" + secrets.token_urlsafe(48),
            "version": 1,
            "locale": locale,
            "app_permissions": str(DEFAULT_PERMISSIONS),
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "channel_id": str(channel_id),
        }
        if guild is not None:
            channel = next((c for c in guild.channels if c.id == channel_id), None)
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
                guild_locale=guild.preferred_locale,
                channel={
                    **(channel or FakeChannel(channel_id, "unknown")).payload(guild.id),
                    "permissions": str(permissions),
                },
                member={**self._member_payload(who, guild), "permissions": str(permissions)},
                authorizing_integration_owners={"0": str(guild.id)},
                context=0,
            )
        else:
            payload.update(
                user=who.payload(),
                channel={"id": str(channel_id), "type": 1, "recipients": [who.payload()], "flags": 0},
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        if message is not None:
            payload["message"] = message
        self._register_interaction(payload)
        return payload

    def _command_ref(self, name: str, kind: int, guild_id: int | None, command_guild_id: Any) -> tuple[str, int | None]:
        """(command id, guild id the command is registered in) from what the bot synced."""
        if command_guild_id is not _AUTO:
            scopes: list[int | None] = [command_guild_id]
        else:
            scopes = [guild_id, None] if guild_id is not None else [None]
        with self._lock:
            for scope in scopes:
                for cmd in self._commands.get(scope, []):
                    if cmd["name"] == name and cmd["type"] == kind:
                        return cmd["id"], scope
        return str(self._new_id()), (scopes[0] if command_guild_id is not _AUTO else None)

    def _command_data(
        self, name: str, kind: int, guild_id: int | None, command_guild_id: Any, dm: bool
    ) -> dict[str, Any]:
        gid = None if dm else (guild_id if guild_id is not None else self.guilds[0].id)
        cmd_id, scope = self._command_ref(name, kind, gid, command_guild_id)
        data: dict[str, Any] = {"id": cmd_id, "name": name, "type": kind}
        if scope is not None:
            data["guild_id"] = str(scope)
        return data

    def make_slash_command(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        *,
        subcommand: str | Sequence[str] | None = None,
        resolved: Mapping[str, Any] | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user: FakeUser | None = None,
        locale: str = "en-US",
        dm: bool = False,
        permissions: int = DEFAULT_PERMISSIONS,
        command_guild_id: Any = _AUTO,
        _focused: str | None = None,
        _kind: int = 2,
    ) -> dict[str, Any]:
        """INTERACTION_CREATE payload (type 2, chat input) for ``/name`` with ``options``
        (a {name: value} mapping, types inferred, or raw option dicts).  ``subcommand`` is a
        name or a [group, name] path.  The command id/guild scope come from what the bot synced
        (override with ``command_guild_id``; None = global)."""
        data = self._command_data(name, 1, guild_id, command_guild_id, dm)
        opts = _options(options, _focused)
        if subcommand is not None:
            path = [subcommand] if isinstance(subcommand, str) else list(subcommand)
            for depth, part in reversed(list(enumerate(path))):
                opts = [{"name": part, "type": 1 if depth == len(path) - 1 else 2, "options": opts}]
        data["options"] = opts
        if resolved:
            data["resolved"] = dict(resolved)
        return self._interaction_base(
            _kind,
            data,
            guild_id=guild_id,
            channel_id=channel_id,
            user=user,
            locale=locale,
            dm=dm,
            permissions=permissions,
        )

    def make_autocomplete(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        *,
        focused: str,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """INTERACTION_CREATE payload (type 4) for autocompleting option ``focused`` of ``/name``;
        the focused value is sent as a string, like Discord does.  Same kwargs as
        ``make_slash_command``."""
        return self.make_slash_command(name, options, _focused=focused, _kind=4, **kwargs)

    def attach(self, message: dict[str, Any], name: str, content: bytes) -> dict[str, Any]:
        """Give a message payload a file, served from this fake as Discord's CDN serves attachments."""
        path = f"{message['channel_id']}/{message['id']}/{name}"
        self.attachment_files[path] = content
        url = f"{self.base_url}/attachments/{path}"
        message["attachments"] = [*message.get("attachments", []), {
            "id": str(self._new_id()), "filename": name, "size": len(content), "url": url, "proxy_url": url}]
        return message

    async def _attachment_handler(self, request: web.Request) -> web.StreamResponse:
        content = self.attachment_files.get(request.match_info["tail"])
        if content is None:
            return web.Response(status=404)
        return web.Response(body=content, content_type="application/octet-stream")

    def make_message_command(
        self,
        name: str,
        target: Mapping[str, Any] | str = "target message",
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user: FakeUser | None = None,
        locale: str = "en-US",
        dm: bool = False,
        permissions: int = DEFAULT_PERMISSIONS,
        command_guild_id: Any = _AUTO,
    ) -> dict[str, Any]:
        """INTERACTION_CREATE payload for a message context-menu command (type 2, data.type 3).
        ``target`` is a message payload (``make_message``) or the content of a new one."""
        guild, channel, who = self._place(guild_id, channel_id, user, dm)
        if isinstance(target, str):
            target = self.make_message(
                target, channel_id=channel, dm=dm, author=self._default_user(guild) if guild else who
            )
        data = self._command_data(name, 3, guild_id, command_guild_id, dm)
        data.update(target_id=target["id"], resolved={"messages": {target["id"]: dict(target)}})
        return self._interaction_base(
            2, data, guild_id=guild_id, channel_id=channel, user=who, locale=locale, dm=dm, permissions=permissions
        )

    def make_component(
        self,
        custom_id: str,
        *,
        component_type: int = 2,
        values: Sequence[str] | None = None,
        message: Mapping[str, Any] | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user: FakeUser | None = None,
        locale: str = "en-US",
        dm: bool = False,
        permissions: int = DEFAULT_PERMISSIONS,
    ) -> dict[str, Any]:
        """INTERACTION_CREATE payload (type 3) for a click on button ``custom_id``
        (component_type 2) or a string-select choice (component_type 3, ``values``).
        ``message`` is the bot message carrying the component; by default one is made."""
        guild, channel, who = self._place(guild_id, channel_id, user, dm)
        if message is None:
            if component_type == 2:
                component: dict[str, Any] = {"type": 2, "style": 1, "label": custom_id, "custom_id": custom_id}
            else:
                opts = [{"label": v, "value": v} for v in values or ["option"]]
                component = {"type": component_type, "custom_id": custom_id, "options": opts}
            message = self._build_message(
                channel_id=channel,
                guild_id=guild.id if guild else None,
                author=self.bot_user,
                body={"content": "pick one", "components": [{"type": 1, "components": [component]}]},
            )
            with self._lock:
                self.messages[int(message["id"])] = message
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if component_type != 2:
            data["values"] = list(values or [])
        return self._interaction_base(
            3,
            data,
            guild_id=guild_id,
            channel_id=channel,
            user=who,
            locale=locale,
            dm=dm,
            permissions=permissions,
            message=dict(message),
        )

    def make_message(
        self,
        content: str,
        *,
        channel_id: int | None = None,
        guild_id: int | None = None,
        author: FakeUser | None = None,
        author_bot: bool | None = None,
        mentions: Sequence[FakeUser] = (),
        mention_bot: bool = False,
        dm: bool = False,
        **extra: Any,
    ) -> dict[str, Any]:
        """MESSAGE_CREATE payload.  ``mention_bot`` adds the bot to ``mentions`` (put
        ``fake.bot_mention`` in ``content`` yourself); ``author_bot`` overrides the author's bot
        flag (discord.py keeps the flag of users it already cached, e.g. guild members from
        GUILD_CREATE, so use it with a new user); ``extra`` fields (embeds, message_reference,
        ...) are merged into the payload."""
        if channel_id is not None and not dm and guild_id is None:
            known, guild_id = self._channel_guild(channel_id)
            dm = known and guild_id is None
        guild, channel, who = self._place(guild_id, channel_id, author, dm)
        if author_bot is not None:
            who = dataclasses.replace(who, bot=author_bot)
        people = [*mentions, self.bot_user] if mention_bot else list(mentions)
        message = self._build_message(
            channel_id=channel,
            guild_id=guild.id if guild else None,
            author=who,
            body={"content": content},
            mentions=people,
        )
        message.update(extra)
        return message


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _message_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("content", "embeds", "components", "tts", "flags", "poll", "sticker_items")
    return {k: body[k] for k in keys if k in body and body[k] is not None}


def _option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    return 3


def _options(
    options: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None, focused: str | None
) -> list[dict[str, Any]]:
    if options is None:
        raw: list[dict[str, Any]] = []
    elif isinstance(options, Mapping):
        raw = [{"name": k, "type": _option_type(v), "value": v} for k, v in options.items()]
    else:
        raw = [dict(o) for o in options]
    if focused is not None:
        for opt in raw:
            if opt["name"] == focused:
                opt["focused"] = True
                opt["value"] = str(opt.get("value", ""))
        if not any(o.get("focused") for o in raw):
            raw.append({"name": focused, "type": 3, "value": "", "focused": True})
    return raw


# --------------------------------------------------------------------------------------------
# running in a thread
# --------------------------------------------------------------------------------------------


class FakeDiscordThread:
    """Runs a FakeDiscord on its own event loop in a daemon thread (for sync tests and tests
    that drive a bot subprocess).  ``start()``/``stop()`` or ``with FakeDiscordThread() as fake``.

    Blocking wrappers: dispatch, drop_connection, send_invalid_session, send_reconnect, send_raw,
    wait_for_call, wait_for_gateway, wait_for_op.  Thread-safe attributes of the underlying fake
    (make_* builders, inject_fault/fail_next/rate_limit_next, calls, gateway_log, commands(),
    api_base, gateway_url, env(), ...) are forwarded; other coroutine methods are wrapped to run
    on the fake's loop and block for the result.
    """

    def __init__(self, **kwargs: Any) -> None:
        self.fake = FakeDiscord(**kwargs)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop_event: asyncio.Event | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None

    def start(self, timeout: float = 10.0) -> FakeDiscordThread:
        self._thread = threading.Thread(target=self._main, name="fakediscord", daemon=True)
        self._thread.start()
        if not self._started.wait(timeout):
            raise TimeoutError("FakeDiscordThread did not start")
        if self._error is not None:
            raise RuntimeError("FakeDiscordThread failed to start") from self._error
        return self

    def _main(self) -> None:
        async def run() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop_event = asyncio.Event()
            try:
                await self.fake.start()
            except BaseException as exc:
                self._error = exc
                self._started.set()
                return
            self._started.set()
            try:
                await self._stop_event.wait()
            finally:
                await self.fake.stop()

        asyncio.run(run())

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None and self._stop_event is not None and self._thread is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop_event.set)
            self._thread.join(timeout)
        self._loop = self._thread = None

    def __enter__(self) -> FakeDiscordThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def run(self, coro_fn: Callable[..., Awaitable[T]], *args: Any, timeout: float = 10.0, **kwargs: Any) -> T:
        """Run ``coro_fn(*args, **kwargs)`` on the fake's loop and block for its result."""
        if self._loop is None:
            raise RuntimeError("FakeDiscordThread is not running")

        async def call() -> T:
            return await coro_fn(*args, **kwargs)

        return asyncio.run_coroutine_threadsafe(call(), self._loop).result(timeout)

    @property
    def port(self) -> int:
        return self.fake.port

    def dispatch(self, event: str, data: Mapping[str, Any], shard_id: int | None = None) -> int:
        return self.run(self.fake.dispatch, event, data, shard_id)

    def drop_connection(self, shard_id: int | None = None, *, code: int | None = None) -> int:
        return self.run(self.fake.drop_connection, shard_id, code=code)

    def send_invalid_session(self, resumable: bool = False, shard_id: int | None = None) -> int:
        return self.run(self.fake.send_invalid_session, resumable, shard_id)

    def send_reconnect(self, shard_id: int | None = None) -> int:
        return self.run(self.fake.send_reconnect, shard_id)

    def send_raw(self, payload: Mapping[str, Any] | str | bytes, shard_id: int | None = None) -> int:
        return self.run(self.fake.send_raw, payload, shard_id)

    def wait_for_call(self, predicate: Callable[[RestCall], bool], timeout: float = 5.0, since: int = 0) -> RestCall:
        return self.fake.calls.wait_for_sync(predicate, timeout, since)

    def wait_for_gateway(
        self, predicate: Callable[[GatewayFrame], bool], timeout: float = 5.0, since: int = 0
    ) -> GatewayFrame:
        return self.fake.gateway_log.wait_for_sync(predicate, timeout, since)

    def wait_for_op(
        self, op: int, *, shard_id: int | None = None, timeout: float = 5.0, since: int = 0
    ) -> GatewayFrame:
        return self.wait_for_gateway(
            lambda f: f.direction == "in" and f.op == op and (shard_id is None or f.shard_id == shard_id),
            timeout,
            since,
        )

    def __getattr__(self, name: str) -> Any:
        if name == "fake":  # not constructed yet (copy/pickle): avoid infinite recursion
            raise AttributeError(name)
        attr = getattr(self.fake, name)
        if inspect.iscoroutinefunction(attr):
            return lambda *args, **kwargs: self.run(attr, *args, **kwargs)
        return attr


# --------------------------------------------------------------------------------------------
# pointing discord.py at the fake
# --------------------------------------------------------------------------------------------


def _apply(api_base: str, gateway_url: str) -> tuple[str, yarl.URL]:
    old = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    return old


@contextlib.contextmanager
def redirect_discord_py(fake: FakeDiscord | FakeDiscordThread) -> Iterator[None]:
    """Point discord.py (in this process) at ``fake`` for the duration of the block."""
    old_base, old_gateway = _apply(fake.api_base, fake.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


def patch_discord_py_from_env() -> bool:
    """For a bot subprocess: apply ``fake.env()`` (FAKEDISCORD_API_BASE / FAKEDISCORD_GATEWAY)
    if set.  Returns whether discord.py was redirected."""
    api_base, gateway = os.environ.get(ENV_API_BASE), os.environ.get(ENV_GATEWAY)
    if not api_base or not gateway:
        return False
    _apply(api_base, gateway)
    return True
