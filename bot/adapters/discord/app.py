"""The Discord bot: /http, the message context menu, /http-config and opt-in free-text answers.

Everything it says comes from the resolver and the payload renderer; this module only wires
Discord events to them, keeps each event's failure to itself and never pings anyone.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import json
import logging
import math
import os
import re
import time
import zlib
from collections.abc import Awaitable
from typing import Any, TypeVar

import aiohttp
import discord
import discord.gateway
import discord.http
import msgspec
from discord import app_commands
from discord.ext import commands

from bot.adapters.discord.convert import message_kwargs
from bot.adapters.discord.translator import KnowledgeTranslator, text
from bot.adapters.discord.views import DetailToggle, LanguageToggle, RelatedSelect
from bot.config import Settings
from bot.cooldown import Cooldowns
from bot.deadline import START_BY, Counters, InteractionClock
from bot.language import choose_lang
from bot.metrics import BotMetrics
from bot.models import Lang
from bot.pictures import picture_url
from bot.registry import Registry, code_class
from bot.render.discord_payload import answer_payload, answer_plain_text, cut, escape
from bot.render.scan import scan_embed
from bot.resolver.autocomplete import Autocompleter
from bot.resolver.gate import is_status_question
from bot.resolver.resolve import Answer, Resolver
from bot.resolver.text import MAX_PASTE_CHARS
from bot.scan import (
    ATTACHMENT_LINES,
    ATTACHMENT_MAX,
    ATTACHMENT_TIMEOUT,
    LOG_LINES_MIN,
    LOG_SUFFIXES,
    is_log_block,
    scan_bytes,
    scan_text,
)
from bot.settings_store import (
    DETAILS,
    NOTE_MAX,
    SettingsBackend,
    SettingsStore,
    SettingsUnavailable,
    open_store_for,
)

log = logging.getLogger("statusbot")
T = TypeVar("T")

MAX_QUERY = 400  # characters of a slash-command query; the resolver caps anything longer anyway
HEARTBEAT_SECONDS = 15.0
MAX_RATELIMIT_WAIT = 30.0  # the longest 429 any request waits out (see StatusBot.__init__)
SYNC_RETRY_FIRST = 60.0  # a failed command sync is tried again after this, four times longer each time,
SYNC_RETRY_MAX = 3600.0  # up to an hour (or whatever retry_after Discord gave, if longer)
Notes = tuple[tuple[int, str], ...]  # a server's notes on the codes of one answer
PAYLOAD_CACHE_SIZE = 2048
# /http and its autocomplete are answered by this many workers from one queue, each with one request in flight.
# Enough to hide the round trip to Discord (64 in flight at ~30 ms each is ~2,000 answers/s, more than one process
# renders), few enough that a burst never opens thousands of connections or holds thousands of bodies at once.
ANSWER_WORKERS = 64
# Unanswered /http interactions waiting for a worker. At the rate one process answers (~1,000–2,000/s, see
# bench/load_bench.py) more than this could not be answered within Discord's 3 s anyway: the rest are let go
# (and counted) at once, so memory stays bounded.
ANSWER_QUEUE = 6000
COUNTERS_LOG_SECONDS = 60.0
# A settings write takes milliseconds; one still running after this waits on a database locked by another
# process (busy_timeout is 5 s), so the reply is deferred first: that leaves 2 of Discord's 3 s for the defer.
DEFER_WRITE_AFTER = 1.0
RETRY_SERVER_ERROR_AFTER = 1.0  # a 5xx on the callback is tried again after this, as discord.py does
_EMBED_LINKS = 1 << 14
_OUTCOME_OF = {"too_old": "dropped_too_old", "queue_full": "dropped_queue_full", "refused_late": "refused_late",
               "failed": "failed"}
_JSON = {"Content-Type": "application/json"}


def intents_for(settings: Settings) -> discord.Intents:
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.message_content = settings.message_content
    return intents


class StatusBot(commands.AutoShardedBot):
    def __init__(self, settings: Settings, registry: Registry, resolver: Resolver, store: SettingsBackend,
                 *, auto_sync: bool = True, shard_count: int | None = None,
                 shard_ids: list[int] | None = None, answer_workers: int = ANSWER_WORKERS) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,  # no prefix commands; mentions are handled in on_message
            help_command=None,
            intents=intents_for(settings),
            allowed_mentions=discord.AllowedMentions.none(),
            shard_count=shard_count,
            shard_ids=shard_ids,
            max_messages=None,  # the bot never needs old messages; keeps memory flat
            # A 429 longer than this is raised instead of waited out: an answer later than Discord's 3 s is of
            # no use, and a daily command-sync limit (retry_after ~40,000 s) must not hold anything up.
            max_ratelimit_timeout=MAX_RATELIMIT_WAIT,
            chunk_guilds_at_startup=False,
        )
        self.settings = settings
        self.registry = registry
        self.resolver = resolver
        self.store = store
        self.auto_sync = auto_sync
        self.autocompleter = Autocompleter(registry, resolver)
        self.cooldowns = Cooldowns(settings.user_cooldown, settings.channel_burst, settings.channel_window)
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._sync_task: asyncio.Task[None] | None = None
        self._payload_cache: dict[tuple[Answer, bool, bool, Notes], dict[str, Any]] = {}
        self._body_cache: dict[tuple[Answer, bool, bool, bool, bool, Notes], bytes] = {}
        self.clock = InteractionClock()
        self.counters = Counters()
        self.metrics = BotMetrics(lambda: self.latency, lambda: sum(
            1 for shard in self.shards.values() if not shard.is_closed()))
        self._metrics_runner: Any = None  # (an aiohttp AppRunner while STATUSBOT_METRICS_PORT is served)
        self._answer_queue: asyncio.Queue[dict[str, Any]] | None = None
        self._answer_workers: list[asyncio.Task[None]] = []
        # 0: every interaction goes through discord.py (simcord's behaviour tests drive discord.py's objects)
        self._answer_worker_count = answer_workers
        self._callback_session: aiohttp.ClientSession | None = None
        ui = registry.ui
        # the names as registered (and so as Discord sends them back), not their translations
        self._http_name = str(text("http.name", ui))
        self._http_options = (str(text("http.query.name", ui)), str(text("http.lang.name", ui)),
                              str(text("http.private.name", ui)), str(text("http.detail.name", ui)))
        self._guard_gateway_parsers()
        add_commands(self)

    def _guard_gateway_parsers(self) -> None:
        """discord.py ends the whole client when a gateway event parser raises (a malformed event
        stopped the bot with exit 1): log and drop that one event instead."""
        parsers = self._connection.parsers  # the dict each gateway websocket looks parsers up in
        for event, parse in list(parsers.items()):
            parsers[event] = _guarded_parser(event, parse)
        message_create = parsers["MESSAGE_CREATE"]

        def own_messages_dropped(data: Any) -> None:
            # Discord echoes every public answer back as MESSAGE_CREATE; building a discord.Message (embeds and
            # all) only for on_message to ignore it was a fifth of the work per answer under load.
            author = data.get("author") if isinstance(data, dict) else None
            if isinstance(author, dict) and self.user is not None and author.get("id") == str(self.user.id):
                return
            message_create(data)

        parsers["MESSAGE_CREATE"] = own_messages_dropped
        interaction = parsers["INTERACTION_CREATE"]
        parsers["INTERACTION_CREATE"] = lambda data: self._interaction_created(strict_permissions(data), interaction)

    def _interaction_created(self, data: Any, parse: Any) -> None:
        """Every interaction passes here first. One too old to be answered in time is let go before any work;
        /http and its autocomplete go to the answer queue as plain data (no discord.py objects, no task each:
        a burst of thousands costs a dict each, not an Interaction, a task and a connection each); the rest
        (buttons, selects, the context menu, /http-config) to discord.py."""
        if not isinstance(data, dict):
            parse(data)  # malformed: the guarded parser logs and drops it
            return
        try:
            snowflake = int(data["id"])
        except (KeyError, TypeError, ValueError):
            parse(data)
            return
        if not self.clock.can_start(snowflake):
            self._count("too_old")
            return
        if self._answer_queue is not None and self._is_http(data):
            try:
                self._answer_queue.put_nowait(data)
            except asyncio.QueueFull:
                self._count("queue_full")
            return
        parse(data)

    def _count(self, what: str) -> None:
        """An interaction not answered normally: in the minute's log line and in the metrics."""
        setattr(self.counters, what, getattr(self.counters, what) + 1)
        self.metrics.interactions.labels("http", _OUTCOME_OF[what]).inc()

    def _is_http(self, data: dict[str, Any]) -> bool:
        inner = data.get("data")
        return (data.get("type") in (2, 4) and isinstance(inner, dict) and inner.get("name") == self._http_name
                and inner.get("type", 1) == 1 and isinstance(data.get("token"), str))

    # ----- /http and its autocomplete, answered from plain data -----

    async def _answer_worker(self) -> None:
        queue = self._answer_queue
        assert queue is not None
        while True:
            data = await queue.get()
            try:
                if not self.clock.can_start(int(data["id"])):  # it waited too long in the queue
                    self._count("too_old")
                    continue
                body, lang = self._http_body(data)
                await self._post_callback(int(data["id"]), data["token"], body, lang)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # one bad interaction never stops a worker
                self._count("failed")
                log.error("Could not answer interaction %s: %r", data.get("id"), exc)

    def _http_body(self, data: dict[str, Any]) -> tuple[bytes, str]:
        """The callback body for /http (type 4) or its autocomplete (type 8) from the raw interaction, and the
        language of the answer."""
        inner = data["data"]
        query_name, lang_name, private_name, detail_name = self._http_options
        options = {o.get("name"): o for o in inner.get("options") or () if isinstance(o, dict)}
        guild_id = _snowflake_or_none(data.get("guild_id"))
        locale = data.get("locale")
        if data.get("type") == 4:
            focused = options.get(query_name)
            if not (focused and focused.get("focused")):  # nothing to complete: Discord takes only choices here
                return msgspec.json.encode({"type": 8, "data": {"choices": []}}), "en"
            current = str(focused.get("value") or "")[:MAX_QUERY]
            lang = self.language(None, guild_id, locale, current)
            choices = [{"name": cut(label, 100), "value": f"{code:03d}"}
                       for code, label in self.autocompleter.suggest(current, lang)[:25]]
            return msgspec.json.encode({"type": 8, "data": {"choices": choices}}), lang
        query = str((options.get(query_name) or {}).get("value") or "")[:MAX_QUERY]
        explicit = (options.get(lang_name) or {}).get("value")
        private = (options.get(private_name) or {}).get("value") is True
        full = self.full_answer((options.get(detail_name) or {}).get("value"), guild_id)
        chosen = self.language(explicit if isinstance(explicit, str) else None, guild_id, locale, query)
        started = time.perf_counter()
        answer = self.resolver.resolve(query, chosen)
        self.metrics.resolve_seconds.observe(time.perf_counter() - started)
        self.metrics.answers.labels(code_class(answer.codes[0]) or "other" if answer.codes else "none").inc()
        permissions = data.get("app_permissions")
        embed_links = not (guild_id is not None and isinstance(permissions, str) and permissions.isdigit()
                           and not int(permissions) & _EMBED_LINKS)
        pictures = self.store.guild(guild_id).pictures
        # The query shows only in a "no answer" message and in the plain-text form: other answers to different
        # wordings of the same question share one body.
        key = (answer if answer.kind == "none" or not embed_links else _without_query(answer),
               pictures, embed_links, private, full, self.notes_for(answer, guild_id))
        body = self._body_cache.get(key)
        if body is None:
            message = self.message_data_for(answer, guild_id, embed_links, pictures, full)
            if private:
                message = {**message, "flags": 64}
            body = msgspec.json.encode({"type": 4, "data": message})
            if len(self._body_cache) >= PAYLOAD_CACHE_SIZE:
                self._body_cache.pop(next(iter(self._body_cache)))
            self._body_cache[key] = body
        return body, chosen

    async def _post_callback(self, snowflake: int, token: str, body: bytes, lang: str) -> None:
        """POST the first response. A 429, a server error or a lost connection is tried once more, and a body
        Discord refuses (400) is replaced once by a short private error reply, but only while an answer can
        still arrive in time; anything else is one log line (never the URL: it holds the interaction's token)."""
        session = self._callback_session
        assert session is not None
        url = f"{discord.http.Route.BASE}/interactions/{snowflake}/{token}/callback"
        for attempt in (1, 2):
            status, raw = 0, b""
            try:
                async with session.post(url, data=body, headers=_JSON) as response:
                    status = response.status
                    if status < 300:
                        self.metrics.interactions.labels("http", "answered").inc()
                        self.metrics.answer_seconds.observe(max(0.0, self.clock.age(snowflake)))
                        return
                    raw = await response.read()
            except (aiohttp.ClientError, TimeoutError) as exc:
                raw = type(exc).__name__.encode()
            detail = _json_or_empty(raw)
            code = detail.get("code")
            if status == 404 and code == 10062:
                self._count("refused_late")  # too late after all: counted, not logged one by one
                return
            if status == 400 and code == 40060:
                log.warning("Interaction %s was already answered", snowflake)
                return
            if attempt == 1:
                wait = -1.0
                if status == 429:
                    wait = _retry_after(detail)
                elif status == 0 or status >= 500:
                    wait = RETRY_SERVER_ERROR_AFTER
                elif status == 400:
                    log.error("Command http failed: Discord refused the answer to interaction %s (HTTP 400 %s)",
                              snowflake, code or "")
                    body, wait = self._error_body(lang), 0.0
                if wait >= 0 and self.clock.age(snowflake) + wait <= START_BY:
                    await asyncio.sleep(wait)
                    continue
            self._count("failed")
            log.warning("Could not answer interaction %s: HTTP %s %s", snowflake,
                        status or raw.decode(errors="replace"), code or "")
            return

    def _error_body(self, lang: str) -> bytes:
        return msgspec.json.encode({"type": 4, "data": {"content": self.reply_text("error", lang), "flags": 64,
                                                        "allowed_mentions": {"parse": []}}})

    # ----- start-up -----

    async def setup_hook(self) -> None:
        guard_gateway_frames()
        await self.store.open()
        self.add_dynamic_items(LanguageToggle, DetailToggle, RelatedSelect)
        await self.tree.set_translator(KnowledgeTranslator(self.registry.ui))
        if not self.settings.message_content:
            log.warning("Running without the message content intent: answers to mentions, replies, /http and the "
                        "context menu work, but free-text answers in opted-in channels need "
                        "STATUSBOT_MESSAGE_CONTENT=1 and the intent enabled in the Developer Portal.")
        if self.auto_sync:
            # Going online never waits for the sync: Discord keeps the commands it has, and the new ones follow.
            self._sync_task = asyncio.create_task(self._sync_in_background(), name="statusbot-sync")
        self._heartbeat_task = asyncio.create_task(self._heartbeat(), name="statusbot-heartbeat")
        if self._answer_worker_count > 0:
            self._start_answer_workers()
        if self.settings.metrics_port:
            await self._serve_metrics(self.settings.metrics_port)

    async def _serve_metrics(self, port: int) -> None:
        """GET /metrics in Prometheus's text format, on 0.0.0.0:port (a scraper on another host reads it)."""
        from aiohttp import web
        from prometheus_client import generate_latest
        from prometheus_client.exposition import CONTENT_TYPE_LATEST

        async def page(request: web.Request) -> web.StreamResponse:
            return web.Response(body=generate_latest(self.metrics.registry),
                                headers={"Content-Type": CONTENT_TYPE_LATEST})

        app = web.Application()
        app.router.add_get("/metrics", page)
        self._metrics_runner = web.AppRunner(app, access_log=None)
        await self._metrics_runner.setup()
        try:
            await web.TCPSite(self._metrics_runner, "0.0.0.0", port).start()
            log.info("Metrics on port %d (GET /metrics)", port)
        except OSError as exc:
            log.error("Cannot serve metrics on port %d: %s", port, exc.strerror or exc)

    def _start_answer_workers(self) -> None:
        self._callback_session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._answer_worker_count),
            timeout=aiohttp.ClientTimeout(total=5.0),
            headers={"User-Agent": self.http.user_agent},
        )
        self._answer_queue = asyncio.Queue(ANSWER_QUEUE)
        self._answer_workers = [asyncio.create_task(self._answer_worker(), name=f"statusbot-answer-{i}")
                                for i in range(self._answer_worker_count)]

    async def command_tree_hash(self) -> str:
        """A hash of exactly what a sync would upload (names, options, translations)."""
        translator = self.tree.translator
        payload: list[Any] = []
        for command in sorted(self.tree.get_commands(), key=lambda c: (c.name, type(c).__name__)):
            if translator is not None:
                payload.append(await command.get_translated_payload(self.tree, translator))
            else:
                payload.append(command.to_dict(self.tree))
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()

    async def sync_commands(self, guild_id: int | None = None) -> int:
        """Upload the command tree (globally, or to one guild for instant testing) and remember its hash."""
        guild = discord.Object(id=guild_id) if guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        await self.store.set_meta(f"sync:{guild_id or 'global'}", await self.command_tree_hash())
        return len(synced)

    async def _sync_in_background(self) -> None:
        """Sync the command tree, retrying later when Discord rate-limits or fails it: one line per attempt."""
        delay = SYNC_RETRY_FIRST
        while not self.is_closed():
            try:
                await self.sync_if_changed()
                return
            except discord.RateLimited as exc:
                wait = max(float(exc.retry_after), delay)
                log.warning("Command sync rate-limited by Discord for %.0f s: answering with the commands Discord "
                            "already has; retrying in %.0f s.", exc.retry_after, wait)
            except discord.HTTPException as exc:
                wait = delay
                log.warning("Command sync failed (%s %s): answering with the commands Discord already has; "
                            "retrying in %.0f s.", exc.status, exc.text[:200], wait)
            except Exception as exc:  # never let the sync take the bot down
                wait = delay
                log.warning("Command sync failed (%r); retrying in %.0f s.", exc, wait)
            delay = min(delay * 4, SYNC_RETRY_MAX)
            await asyncio.sleep(wait)

    async def sync_if_changed(self) -> bool:
        current = await self.command_tree_hash()
        if await self.store.get_meta("sync:global") == current:
            log.info("Command tree unchanged since the last sync; not syncing.")
            return False
        count = await self.sync_commands()
        log.info("Command tree changed: synced %d global commands.", count)
        return True

    async def _heartbeat(self) -> None:
        path = self.settings.heartbeat_path
        path.parent.mkdir(parents=True, exist_ok=True)
        last_counts = time.monotonic()
        while not self.is_closed():
            if self.is_ready():
                tmp = path.with_suffix(".tmp")
                tmp.write_text(f"{time.time():.0f}\n", encoding="ascii")
                os.replace(tmp, path)
            if time.monotonic() - last_counts >= COUNTERS_LOG_SECONDS:
                last_counts = time.monotonic()
                self._log_counters()
            await asyncio.sleep(HEARTBEAT_SECONDS)

    def _log_counters(self) -> None:
        """One line for the interactions that were not answered normally since the last line (none: silent)."""
        counts = self.counters.take()
        if counts.total():
            log.warning("Not answered in the last %.0f s: %d too old to answer in time, %d refused as late by "
                        "Discord, %d over the queue limit, %d failed", COUNTERS_LOG_SECONDS, counts.too_old,
                        counts.refused_late, counts.queue_full, counts.failed)

    async def close(self) -> None:
        if self._metrics_runner is not None:
            with contextlib.suppress(Exception):
                await self._metrics_runner.cleanup()
            self._metrics_runner = None
        if self._sync_task is not None:
            self._sync_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._sync_task
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._heartbeat_task
        for worker in self._answer_workers:
            worker.cancel()
        for worker in self._answer_workers:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await worker
        self._answer_workers = []
        if self._callback_session is not None:
            await self._callback_session.close()
        self._log_counters()
        await super().close()

    async def on_ready(self) -> None:
        log.info("Ready as %s (id %s) on shards %s, %d guilds.", self.user, getattr(self.user, "id", "?"),
                 self.shard_ids or "all", len(self.guilds))

    # ----- rendering -----

    def reply_text(self, key: str, lang: str, /, **values: object) -> str:
        # `lang` is positional-only and the template is filled here, because a reply may itself have a {lang}
        # placeholder (replies.show): passing it through UiFile.text(..., lang, **values) was a TypeError.
        template = self.registry.ui.text("replies", key, "ko" if lang == "ko" else "en")
        return template.format(**values) if values else template

    def full_answer(self, asked: object, guild_id: int | None) -> bool:
        """Whether to show the full answer: as asked (/http detail:), else the server's default (compact)."""
        if asked in DETAILS:
            return asked == "full"
        return self.store.guild(guild_id).detail == "full"

    def message_kwargs_for(self, answer: Answer, guild_id: int | None,
                           permissions: discord.Permissions | None = None, full: bool = False) -> dict[str, Any]:
        """The reply for an answer as discord.py keyword arguments: embeds and buttons, or plain text where
        embeds are not allowed."""
        # Only a server channel can take Embed Links away; in DMs the interaction may carry no permissions.
        embed_links = guild_id is None or permissions is None or permissions.embed_links
        data = self.message_data_for(answer, guild_id, embed_links, self.store.guild(guild_id).pictures, full)
        if "embeds" not in data:
            return {"content": data["content"], "allowed_mentions": discord.AllowedMentions.none()}
        return message_kwargs(data)

    def notes_for(self, answer: Answer, guild_id: int | None) -> Notes:
        """The server's notes on the codes of an answer (part of what the answer's caches are keyed by)."""
        notes = self.store.guild(guild_id).notes
        return tuple((code, notes[code]) for code in answer.codes if code in notes) if notes else ()

    def message_data_for(self, answer: Answer, guild_id: int | None, embed_links: bool,
                         pictures: bool, full: bool = False) -> dict[str, Any]:
        """The reply for an answer as Discord's message JSON (what /http sends as it is)."""
        notes = self.notes_for(answer, guild_id)
        if not embed_links:
            return {"content": answer_plain_text(answer, self.registry, full=full, notes=dict(notes)),
                    "allowed_mentions": {"parse": []}}
        data = self._payload(answer, pictures, full, notes)
        if answer.kind == "code" and full and len(answer.codes) > len(data["embeds"]):
            data = {**data, "content": self.registry.ui.text("notes", "too_many", answer.lang,
                                                             count=len(answer.codes), shown=len(data["embeds"]))}
        return data

    def _payload(self, answer: Answer, pictures: bool, full: bool, notes: Notes = ()) -> dict[str, Any]:
        """The rendered message for an answer. Answers repeat all day (502, 504), so the data is cached; it is
        never mutated after rendering, and discord.py objects are still built fresh for every send."""
        key = (answer, pictures, full, notes)
        payload = self._payload_cache.get(key)
        if payload is None:
            thumbnails = {}
            if pictures:
                thumbnails = {c: url for c in answer.codes if (url := picture_url(c, self.settings.picture_base))}
            payload = answer_payload(answer, self.registry, thumbnails, full, dict(notes))
            if len(self._payload_cache) >= PAYLOAD_CACHE_SIZE:
                self._payload_cache.pop(next(iter(self._payload_cache)))
            self._payload_cache[key] = payload
        return payload

    def language(self, explicit: str | None, guild_id: int | None, locale: object, query: str) -> Lang:
        server = self.store.guild(guild_id).lang
        return choose_lang(explicit, server, str(locale) if locale else None, query)

    # ----- free text -----

    async def on_message(self, message: discord.Message) -> None:
        try:
            await self._on_message(message)
        except Exception:
            log.exception("Failed to handle message %s in channel %s", message.id, message.channel.id)

    async def _on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None or self.user is None:
            return
        if message.author.id == self.user.id:
            return
        mentioned = any(user.id == self.user.id for user in message.mentions)
        # A direct message is addressed to the bot as much as a mention is.
        replied = self._is_reply_to_me(message) or message.guild is None
        content = message.content or ""
        if not (mentioned or replied):
            if not self.store.is_free_text_channel(message.guild.id if message.guild else None, message.channel.id):
                return
            if not content or not is_status_question(content, self.resolver):
                return
        query = content.replace(f"<@{self.user.id}>", " ").replace(f"<@!{self.user.id}>", " ").strip()
        if not self.cooldowns.allow(message.author.id, message.channel.id):
            log.debug("Cooldown: not answering %s in %s", message.author.id, message.channel.id)
            return
        guild_id = message.guild.id if message.guild else None
        lang = self.language(None, guild_id, None, query)
        answer = self.resolver.resolve(query, lang)
        permissions = None
        if message.guild is not None and isinstance(message.channel, discord.abc.GuildChannel):
            permissions = message.channel.permissions_for(message.guild.me)
        kwargs = self.message_kwargs_for(answer, guild_id, permissions)
        try:
            await message.channel.send(reference=message.to_reference(fail_if_not_exists=False),
                                       mention_author=False, **kwargs)
        except discord.Forbidden:
            log.warning("No permission to answer in channel %s (guild %s)", message.channel.id, guild_id)
        except discord.NotFound:
            log.warning("Channel %s or message %s vanished before the answer", message.channel.id, message.id)
        except discord.HTTPException as exc:
            log.warning("Discord refused the answer in channel %s: %s %s", message.channel.id, exc.status, exc.text)

    def _is_reply_to_me(self, message: discord.Message) -> bool:
        reference = message.reference
        if reference is None or self.user is None:
            return False
        resolved = reference.resolved
        return isinstance(resolved, discord.Message) and resolved.author.id == self.user.id

    # ----- errors -----

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        log.exception("Unhandled error in %s", event_method)


def _connection_gone(exc: BaseException) -> bool:
    """A failure of the connection itself (closed session, reset socket, closed gateway), not of the command."""
    if isinstance(exc, (aiohttp.ClientError, ConnectionError, discord.ConnectionClosed)):
        return True
    return isinstance(exc, RuntimeError) and "Session is closed" in str(exc)


# One gateway frame, decompressed, is refused above this size: twice aiohttp's own default limit for one websocket
# message (4 MiB), which discord.py turns off. A bigger frame is a broken or hostile gateway, not a guild.
MAX_GATEWAY_FRAME = 8 * 1024 * 1024
_FRAME_ERRORS = (ValueError, TypeError, AttributeError, KeyError, IndexError, zlib.error)


def guard_gateway_frames() -> None:
    """A malformed gateway frame (not JSON, an invalid escape, `[1,2,3]`, `null`, broken zlib data, HELLO with
    `d: null`) or an oversized one ends a shard in discord.py. Drop it, log one line, and reconnect the shard
    (RESUME, with a fresh decompressor) instead. Installed once per process."""
    from discord.gateway import DiscordWebSocket, ReconnectWebSocket

    original = DiscordWebSocket.received_message
    if getattr(original, "_statusbot_guarded", False):
        return

    async def received_message(self: Any, msg: Any, /) -> None:
        if isinstance(msg, (bytes, str)) and len(msg) > MAX_GATEWAY_FRAME:
            log.warning("Dropped a gateway frame of %d bytes (over %d): reconnecting shard %s", len(msg),
                        MAX_GATEWAY_FRAME, self.shard_id)
            await _close_quietly(self)
            raise ReconnectWebSocket(self.shard_id)
        try:
            await original(self, msg)
        except _FRAME_ERRORS as exc:
            log.warning("Dropped a malformed gateway frame (%s): reconnecting shard %s", type(exc).__name__,
                        self.shard_id)
            await _close_quietly(self)
            raise ReconnectWebSocket(self.shard_id) from None

    received_message._statusbot_guarded = True  # type: ignore[attr-defined]
    DiscordWebSocket.received_message = received_message  # type: ignore[method-assign]
    discord.gateway.KeepAliveHandler = AckWatchingKeepAlive  # type: ignore[misc]


class AckWatchingKeepAlive(discord.gateway.KeepAliveHandler):
    """discord.py reconnects a shard only after 60 s without any frame; Discord asks for a reconnect (and
    RESUME) as soon as a heartbeat is due while the previous one has no ACK: a zombied connection would
    otherwise swallow a minute of questions. The check discord.py runs before each heartbeat reads
    `heartbeat_timeout`; it reads as "already over" while an ACK is owed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._awaiting_ack = False
        super().__init__(*args, **kwargs)

    @property  # type: ignore[override]
    def heartbeat_timeout(self) -> float:
        return -math.inf if self._awaiting_ack else self._timeout

    @heartbeat_timeout.setter
    def heartbeat_timeout(self, value: float) -> None:
        self._timeout = value

    def get_payload(self) -> Any:
        self._awaiting_ack = True  # every heartbeat sent, by the timer or on Discord's request, is owed an ACK
        return super().get_payload()

    def ack(self) -> None:
        self._awaiting_ack = False
        super().ack()


async def _close_quietly(ws: Any) -> None:
    """Close a shard's websocket with 4000 (as discord.py does on RECONNECT): the session stays resumable."""
    try:
        await ws.close(code=4000)
    except Exception as exc:  # a socket already gone is what a reconnect is for
        log.debug("Closing a shard's websocket: %r", exc)


_PERMISSIONS = re.compile(r"[0-9]{1,20}")


def _permission_bits(value: Any) -> str:
    """A permissions field as Discord sends it: a non-negative decimal string in ASCII that fits in 64 bits.
    Anything else ("-1", " 32 ", Arabic-Indic digits, 2**64 + 32), which `int()` would take, grants nothing."""
    if isinstance(value, str) and _PERMISSIONS.fullmatch(value) and int(value) < 2**64:
        return value
    log.warning("Refused a malformed permissions value %r in an interaction: treated as no permissions",
                str(value)[:40])
    return "0"


def strict_permissions(data: Any) -> Any:
    """The interaction payload with its permission fields checked (see _permission_bits)."""
    if not isinstance(data, dict):
        return data
    member = data.get("member")
    if isinstance(member, dict) and "permissions" in member:
        member["permissions"] = _permission_bits(member["permissions"])
    if "app_permissions" in data:
        data["app_permissions"] = _permission_bits(data["app_permissions"])
    return data


def _guarded_parser(event: str, parse: Any) -> Any:
    def guarded(data: Any) -> None:
        try:
            parse(data)
        except Exception:
            log.exception("Dropped a malformed %s event from the gateway", event)

    return guarded


def _snowflake_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else None


def _without_query(answer: Answer) -> Answer:
    return dataclasses.replace(answer, query="", confidence=0.0)


def _json_or_empty(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _retry_after(detail: dict[str, Any]) -> float:
    """Seconds a 429 asks to wait; a body without a usable retry_after waits one second."""
    value = detail.get("retry_after")
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 3600:
        return float(value)
    return 1.0


def create_bot(settings: Settings | None = None, *, db_path: str | None = None, auto_sync: bool = True,
               shard_count: int | None = None, shard_ids: list[int] | None = None,
               answer_workers: int = ANSWER_WORKERS) -> StatusBot:
    """A ready-to-start bot on the process-wide registry and resolver (the settings database opens on start)."""
    from bot.registry import get_registry
    from bot.resolver.resolve import get_resolver

    settings = settings or Settings.from_env(require_token=False)
    store = SettingsStore(db_path) if db_path else open_store_for(settings.db_path, settings.database_url)
    return StatusBot(settings, get_registry(), get_resolver(), store, auto_sync=auto_sync,
                     shard_count=shard_count, shard_ids=shard_ids, answer_workers=answer_workers)


def add_commands(bot: StatusBot) -> None:
    """Register /http, the context menu and /http-config on the bot's tree."""
    ui = bot.registry.ui
    tree = bot.tree

    lang_choices = [app_commands.Choice(name=text(f"choice.{v}", ui), value=v) for v in ("auto", "en", "ko")]
    detail_choices = [app_commands.Choice(name=text(f"choice.{v}", ui), value=v) for v in DETAILS]

    @app_commands.command(name=text("http.name", ui), description=text("http.description", ui))
    @app_commands.rename(query=text("http.query.name", ui), lang=text("http.lang.name", ui),
                         private=text("http.private.name", ui), detail=text("http.detail.name", ui))
    @app_commands.describe(query=text("http.query.description", ui), lang=text("http.lang.description", ui),
                           private=text("http.private.description", ui),
                           detail=text("http.detail.description", ui))
    @app_commands.choices(lang=lang_choices, detail=detail_choices)
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def http(interaction: discord.Interaction[StatusBot], query: app_commands.Range[str, 1, MAX_QUERY],
                   lang: app_commands.Choice[str] | None = None, private: bool = False,
                   detail: app_commands.Choice[str] | None = None) -> None:
        chosen = bot.language(lang.value if lang else None, interaction.guild_id, interaction.locale, query)
        answer = bot.resolver.resolve(query, chosen)
        full = bot.full_answer(detail.value if detail else None, interaction.guild_id)
        kwargs = bot.message_kwargs_for(answer, interaction.guild_id, interaction.app_permissions, full)
        await interaction.response.send_message(ephemeral=private, **kwargs)

    @http.autocomplete("query")
    async def http_autocomplete(interaction: discord.Interaction[StatusBot], current: str
                                ) -> list[app_commands.Choice[str]]:
        lang = bot.language(None, interaction.guild_id, interaction.locale, current)
        return [app_commands.Choice(name=cut(label, 100), value=f"{code:03d}")
                for code, label in bot.autocompleter.suggest(current, lang)[:25]]

    async def explain_message(interaction: discord.Interaction[StatusBot], message: discord.Message) -> None:
        attachment = next((a for a in message.attachments if a.filename.lower().endswith(LOG_SUFFIXES)), None)
        if attachment is not None:
            await summarise_attachment(interaction, attachment)
            return
        parts = [message.content or ""]
        for embed in message.embeds:  # alerts from other bots usually come as embeds
            parts += [embed.title or "", embed.description or ""]
            parts += [f"{field.name} {field.value}" for field in embed.fields]
        body = "\n".join(p for p in parts if p)
        lang = bot.language(None, interaction.guild_id, interaction.locale, body)
        if body.count("\n") + 1 >= LOG_LINES_MIN:
            summary = scan_text(body[:MAX_PASTE_CHARS]).to_data()
            if is_log_block(summary):  # a pasted block of log lines: its summary, not one answer per code
                await interaction.response.send_message(**message_kwargs(scan_embed(summary, bot.registry, lang)))
                return
        answer = bot.resolver.explain_message(body, lang)
        if answer.kind == "none" or not answer.codes:
            await interaction.response.send_message(bot.reply_text("no_codes_in_message", lang), ephemeral=True,
                                                    allowed_mentions=discord.AllowedMentions.none())
            return
        kwargs = bot.message_kwargs_for(answer, interaction.guild_id, interaction.app_permissions)
        await interaction.response.send_message(**kwargs)

    async def summarise_attachment(interaction: discord.Interaction[StatusBot], attachment: discord.Attachment
                                   ) -> None:
        """A .log/.txt/.gz attachment: deferred first (a download can outlast Discord's 3 s), downloaded within
        ATTACHMENT_TIMEOUT, scanned off the event loop, summarised."""
        lang = bot.language(None, interaction.guild_id, interaction.locale, "")
        if attachment.size > ATTACHMENT_MAX:
            await interaction.response.send_message(
                bot.reply_text("log_too_big", lang, size=f"{attachment.size / 1024 / 1024:.1f}",
                               limit=f"{ATTACHMENT_MAX // 1024 // 1024}"),
                ephemeral=True, allowed_mentions=discord.AllowedMentions.none())
            return
        await interaction.response.defer(thinking=True)
        try:
            content = await asyncio.wait_for(attachment.read(), ATTACHMENT_TIMEOUT)
            summary = await asyncio.to_thread(scan_bytes, content, attachment.filename, ATTACHMENT_LINES)
        except (TimeoutError, discord.HTTPException, OSError, EOFError, zlib.error) as exc:
            log.warning("Could not read attachment %s: %r", attachment.id, exc)
            await interaction.followup.send(bot.reply_text("log_unreadable", lang), ephemeral=True,
                                            allowed_mentions=discord.AllowedMentions.none())
            return
        data = summary.to_data()
        if not data["codes"]:
            await interaction.followup.send(bot.reply_text("no_codes_in_message", lang), ephemeral=True,
                                            allowed_mentions=discord.AllowedMentions.none())
            return
        await interaction.followup.send(**message_kwargs(scan_embed(data, bot.registry, lang, attachment.filename)))

    menu = app_commands.ContextMenu(name=text("menu.explain", ui), callback=explain_message,
                                    allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True,
                                                                                    private_channel=True),
                                    allowed_installs=app_commands.AppInstallationType(guild=True, user=True))

    config = app_commands.Group(name=text("config.name", ui), description=text("config.description", ui),
                                guild_only=True, default_permissions=discord.Permissions(manage_guild=True))

    def guild_id_of(interaction: discord.Interaction[StatusBot]) -> int:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        return interaction.guild_id

    def reply_lang(interaction: discord.Interaction[StatusBot]) -> str:
        return bot.language(None, interaction.guild_id, interaction.locale, "")

    async def say(interaction: discord.Interaction[StatusBot], key: str, **values: object) -> None:
        await reply(interaction, bot.reply_text(key, reply_lang(interaction), **values))

    async def reply(interaction: discord.Interaction[StatusBot], message: str) -> None:
        none = discord.AllowedMentions.none()
        if interaction.response.is_done():  # deferred while a settings write waited
            await interaction.followup.send(message, ephemeral=True, allowed_mentions=none)
        else:
            await interaction.response.send_message(message, ephemeral=True, allowed_mentions=none)

    async def stored(interaction: discord.Interaction[StatusBot], write: Awaitable[T]) -> T:
        """A settings write, deferred first when it is slow (see DEFER_WRITE_AFTER)."""
        task = asyncio.ensure_future(write)
        done, _ = await asyncio.wait({task}, timeout=DEFER_WRITE_AFTER)
        if not done and not interaction.response.is_done():
            try:
                await interaction.response.defer(ephemeral=True, thinking=True)
            except discord.HTTPException as exc:
                log.warning("Could not defer a settings reply: %s", exc)
        return await task

    manage = app_commands.checks.has_permissions(manage_guild=True)

    @config.command(name=text("config.language.name", ui), description=text("config.language.description", ui))
    @app_commands.rename(value=text("config.value.name", ui))
    @app_commands.describe(value=text("config.value.description", ui))
    @app_commands.choices(value=lang_choices)
    @manage
    async def config_language(interaction: discord.Interaction[StatusBot], value: app_commands.Choice[str]) -> None:
        await stored(interaction, bot.store.set_lang(guild_id_of(interaction), value.value))
        await say(interaction, "config_lang", value=value.value)

    @config.command(name=text("config.channel_add.name", ui), description=text("config.channel_add.description", ui))
    @app_commands.rename(channel=text("config.channel.name", ui))
    @app_commands.describe(channel=text("config.channel.description", ui))
    @manage
    async def config_channel_add(interaction: discord.Interaction[StatusBot],
                                 channel: discord.TextChannel | None = None) -> None:
        channel_id = channel.id if channel else interaction.channel_id or 0
        added = await stored(interaction, bot.store.add_channel(guild_id_of(interaction), channel_id))
        message = bot.reply_text("channel_added" if added else "channel_already", reply_lang(interaction),
                                 channel=f"<#{channel_id}>")
        if not bot.settings.message_content:
            message += "\n" + bot.reply_text("intent_missing", reply_lang(interaction))
        await reply(interaction, message)

    @config.command(name=text("config.channel_remove.name", ui),
                    description=text("config.channel_remove.description", ui))
    @app_commands.rename(channel=text("config.channel.name", ui))
    @app_commands.describe(channel=text("config.channel.description", ui))
    @manage
    async def config_channel_remove(interaction: discord.Interaction[StatusBot],
                                    channel: discord.TextChannel | None = None) -> None:
        channel_id = channel.id if channel else interaction.channel_id or 0
        removed = await stored(interaction, bot.store.remove_channel(guild_id_of(interaction), channel_id))
        await say(interaction, "channel_removed" if removed else "channel_missing", channel=f"<#{channel_id}>")

    @config.command(name=text("config.channels.name", ui), description=text("config.channels.description", ui))
    @manage
    async def config_channels(interaction: discord.Interaction[StatusBot]) -> None:
        channels = sorted(bot.store.guild(guild_id_of(interaction)).channels)
        if not channels:
            await say(interaction, "channels_none")
        else:
            await say(interaction, "channels_list", channels=", ".join(f"<#{c}>" for c in channels))

    @config.command(name=text("config.pictures.name", ui), description=text("config.pictures.description", ui))
    @app_commands.rename(enabled=text("config.enabled.name", ui))
    @app_commands.describe(enabled=text("config.enabled.description", ui))
    @manage
    async def config_pictures(interaction: discord.Interaction[StatusBot], enabled: bool) -> None:
        await stored(interaction, bot.store.set_pictures(guild_id_of(interaction), enabled))
        lang = reply_lang(interaction)
        await say(interaction, "pictures", value=bot.reply_text("on" if enabled else "off", lang))

    @config.command(name=text("config.detail.name", ui), description=text("config.detail.description", ui))
    @app_commands.rename(value=text("config.value.name", ui))
    @app_commands.describe(value=text("config.detail_value.description", ui))
    @app_commands.choices(value=detail_choices)
    @manage
    async def config_detail(interaction: discord.Interaction[StatusBot], value: app_commands.Choice[str]) -> None:
        await stored(interaction, bot.store.set_detail(guild_id_of(interaction), value.value))
        await say(interaction, "config_detail", value=bot.reply_text(f"detail_{value.value}", reply_lang(interaction)))

    note = app_commands.Group(name=text("config.note.name", ui), description=text("config.note.description", ui),
                              parent=config)

    @note.command(name=text("config.note_add.name", ui), description=text("config.note_add.description", ui))
    @app_commands.rename(code=text("config.code.name", ui), note_text=text("config.note_text.name", ui))
    @app_commands.describe(code=text("config.code.description", ui),
                           note_text=text("config.note_text.description", ui))
    @manage
    async def config_note_add(interaction: discord.Interaction[StatusBot], code: app_commands.Range[int, 0, 999],
                              note_text: app_commands.Range[str, 1, NOTE_MAX]) -> None:
        if code not in bot.registry.codes:
            await say(interaction, "note_unknown_code", code=f"{code:03d}")
            return
        await stored(interaction, bot.store.set_note(guild_id_of(interaction), code, note_text))
        await say(interaction, "note_added", code=f"{code:03d}")

    @note.command(name=text("config.note_remove.name", ui), description=text("config.note_remove.description", ui))
    @app_commands.rename(code=text("config.code.name", ui))
    @app_commands.describe(code=text("config.code.description", ui))
    @manage
    async def config_note_remove(interaction: discord.Interaction[StatusBot],
                                 code: app_commands.Range[int, 0, 999]) -> None:
        removed = await stored(interaction, bot.store.remove_note(guild_id_of(interaction), code))
        await say(interaction, "note_removed" if removed else "note_missing", code=f"{code:03d}")

    @note.command(name=text("config.note_list.name", ui), description=text("config.note_list.description", ui))
    @manage
    async def config_note_list(interaction: discord.Interaction[StatusBot]) -> None:
        notes = bot.store.guild(guild_id_of(interaction)).notes
        if not notes:
            await say(interaction, "notes_none")
            return
        listed = "\n".join(f"**{code:03d}**: {escape(notes[code], NOTE_MAX)}" for code in sorted(notes))
        await reply(interaction, cut(listed, 2000))

    @config.command(name=text("config.show.name", ui), description=text("config.show.description", ui))
    @manage
    async def config_show(interaction: discord.Interaction[StatusBot]) -> None:
        settings = bot.store.guild(guild_id_of(interaction))
        lang = reply_lang(interaction)
        channels = ", ".join(f"<#{c}>" for c in sorted(settings.channels)) or "-"
        await say(interaction, "show", lang=settings.lang, channels=channels,
                  pictures=bot.reply_text("on" if settings.pictures else "off", lang),
                  detail=bot.reply_text(f"detail_{settings.detail}", lang))

    @tree.error
    async def on_app_command_error(interaction: discord.Interaction[StatusBot],
                                   error: app_commands.AppCommandError) -> None:
        if interaction.type is discord.InteractionType.autocomplete:
            # An autocomplete with no focused option (discord.py raises before our handler runs): Discord
            # accepts only choices (type 8) here, never a message, so the answer is no choices.
            log.warning("Autocomplete without a focused option: answered with no choices")
            try:
                await interaction.response.autocomplete([])
            except discord.HTTPException as exc:
                log.warning("Could not answer an autocomplete: %s", exc)
            return
        lang = reply_lang(interaction)
        if isinstance(error, app_commands.MissingPermissions):
            key = "need_manage_server"
        elif isinstance(error, app_commands.NoPrivateMessage):
            key = "guild_only"
        elif isinstance(getattr(error, "original", None), SettingsUnavailable):
            key = "settings_busy"
            bot.metrics.database_errors.inc()
            log.warning("A settings write was refused by the database: %s", error.original)  # type: ignore[attr-defined]
        elif bot.is_closed() or _connection_gone(getattr(error, "original", error)):
            # Shutting down, or the connection to Discord went away mid-answer: no reply can reach anyone, and a
            # traceback would say nothing the one line does not.
            command = interaction.command.qualified_name if interaction.command else "?"
            log.warning("Command %s not answered: the connection to Discord is gone (%s)", command,
                        getattr(error, "original", error))
            return
        else:
            key = "error"
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("Command %s failed: %r", command, error, exc_info=error)
        message = bot.reply_text(key, lang)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(message, ephemeral=True,
                                                allowed_mentions=discord.AllowedMentions.none())
            else:
                await interaction.response.send_message(message, ephemeral=True,
                                                        allowed_mentions=discord.AllowedMentions.none())
        except Exception as exc:  # a lost connection as much as an HTTP error: one line, never a traceback
            log.warning("Could not report a command error: %s", exc)

    tree.add_command(http)
    tree.add_command(menu)
    tree.add_command(config)


__all__ = ["StatusBot", "add_commands", "create_bot", "escape", "intents_for"]
