"""`statusbot run`, `statusbot serve`, `statusbot sync` and `statusbot health`.

discord is imported only when one of these runs, so `statusbot ask` starts fast and needs no token.
Exit codes: 0 fine, 1 Discord refused (bad token, missing intent) or the bot failed, 2 bad configuration.
"""

from __future__ import annotations

import argparse
import gc
import io
import logging
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any, TextIO

from bot.config import ConfigError, Settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
SHUTDOWN_SECONDS = 8.0  # graceful close must finish well inside the 10 s a supervisor gives us
HEALTHY_WITHIN = 90.0  # seconds since the last heartbeat


class TokenRedactor(logging.Filter):
    """Belt and braces: if the token ever reaches a log record, it is replaced before output."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token and len(self.token) >= 8:
            message = record.getMessage()
            if self.token in message:
                record.msg, record.args = message.replace(self.token, "[token]"), None
        return True


def add_bot_commands(sub: Any) -> None:
    run = sub.add_parser("run", help="run the Discord bot (DISCORD_TOKEN from the environment)")
    run.add_argument("--shard-count", type=int, default=None, metavar="N", help="total number of shards")
    run.add_argument("--shard-ids", type=_shard_ids, default=None, metavar="IDS",
                     help="comma-separated shard ids this process runs, e.g. 0,1 (needs --shard-count)")
    run.set_defaults(bot_command=cmd_run)

    sync = sub.add_parser("sync", help="upload the slash commands to Discord (globally, or to one guild)")
    sync.add_argument("--guild", type=int, default=None, metavar="ID", help="sync to this guild only (instant)")
    sync.set_defaults(bot_command=cmd_sync)

    health = sub.add_parser("health", help="exit 0 if the running bot's heartbeat is fresh (Docker HEALTHCHECK)")
    health.set_defaults(bot_command=cmd_health)

    serve = sub.add_parser(
        "serve", help="answer interactions over HTTP (Discord's Interactions Endpoint URL): POST /interactions",
        description="Answer Discord interactions delivered over HTTP: POST /interactions (Ed25519-signed), "
                    "GET /healthz, GET /metrics (Prometheus). Reads DISCORD_PUBLIC_KEY (hex, from the Developer "
                    "Portal) and the settings database of STATUSBOT_DB; no token needed. With "
                    "DISCORD_APPLICATION_ID set, a log attachment on the context menu is answered later through the "
                    "interaction's webhook. Free text (mentions, opted-in channels) still needs the gateway: run "
                    "`statusbot run` beside it.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8080, help="port to listen on (default 8080)")
    serve.set_defaults(bot_command=cmd_serve)


def _port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535, not {value!r}")
    return int(value)


def cmd_serve(args: argparse.Namespace) -> int:
    import asyncio
    import os

    try:
        settings = Settings.from_env(require_token=False)
    except ConfigError as exc:
        return _fail(str(exc), EXIT_USAGE)
    key = os.environ.get("DISCORD_PUBLIC_KEY", "").strip()
    if len(key) != 64 or any(c not in "0123456789abcdefABCDEF" for c in key):
        return _fail("DISCORD_PUBLIC_KEY must be the application's public key: 64 hex characters (Developer "
                     "Portal → General Information)", EXIT_USAGE)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    core = _load_core()
    if isinstance(core, int):
        return core
    _warm_up(core)
    try:
        return asyncio.run(_serve(settings, core, key, args.host, args.port))
    except KeyboardInterrupt:
        return EXIT_OK


async def _serve(settings: Settings, core: tuple[Any, Any], key: str, host: str, port: int) -> int:
    import asyncio
    import os
    import signal

    from aiohttp import web

    from bot.adapters.serve import WebhookFollowUp, create_app

    registry, resolver = core
    store = await _open_store(settings)
    if isinstance(store, int):
        return store
    application_id = os.environ.get("DISCORD_APPLICATION_ID", "").strip()
    follow_up = None
    if application_id.isdigit():  # deferred answers (log attachments) are sent through the interaction webhook
        follow_up = WebhookFollowUp(application_id, settings.api_base or "https://discord.com/api/v10")
    runner = web.AppRunner(create_app(registry, resolver, store, key, follow_up), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        await store.close()
        return _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", EXIT_FAILED)
    logging.getLogger("statusbot").info("Serving interactions on http://%s:%d/interactions", host, port)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    await stopping.wait()
    await runner.cleanup()
    await store.close()
    return EXIT_OK


def _shard_ids(value: str) -> list[int]:
    try:
        ids = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"shard ids must be numbers separated by commas, not {value!r}") from None
    if not ids or any(i < 0 for i in ids):
        raise argparse.ArgumentTypeError("give at least one shard id, each 0 or more")
    return ids


def _intents_refused(settings: Settings) -> str:
    """Close 4014: a privileged intent the bot asked for is not enabled for it. Only the message content intent is
    privileged among ours, and only when STATUSBOT_MESSAGE_CONTENT asks for it."""
    if settings.message_content:
        return ("Discord refused the message content intent (close 4014): enable it for the bot in the Developer "
                "Portal (Bot → Privileged Gateway Intents), or unset STATUSBOT_MESSAGE_CONTENT")
    return ("Discord refused a privileged intent (close 4014) although statusbot asked for none: check the "
            "application's intents in the Developer Portal")


def _fail(message: str, code: int) -> int:
    print(f"statusbot: {message}", file=sys.stderr)
    return code


class RedactingStream(io.TextIOBase):
    """stdout or stderr with the token taken out of everything written to it: exit messages, exception text and
    tracebacks too, not only log records (a proxy's error page can echo the Authorization header back)."""

    def __init__(self, inner: TextIO, secrets: list[str]) -> None:
        super().__init__()
        self.inner = inner
        self.secrets = sorted(secrets, key=len, reverse=True)

    def write(self, text: str) -> int:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, "[token]")
        return self.inner.write(text)

    def flush(self) -> None:
        self.inner.flush()

    def fileno(self) -> int:
        return self.inner.fileno()

    def isatty(self) -> bool:
        return self.inner.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.inner.encoding


def token_secrets(token: str) -> list[str]:
    """The token and the parts of it that are secrets on their own (its signature), as text might show them."""
    if len(token) < 8:
        return []
    parts = [token, *(part for part in token.split(".") if len(part) >= 20)]
    return list(dict.fromkeys([*parts, *(urllib.parse.quote(p, safe="") for p in parts)]))


def redact_output(token: str) -> None:
    secrets = token_secrets(token)
    if secrets and not isinstance(sys.stderr, RedactingStream):
        sys.stdout = RedactingStream(sys.stdout, secrets)
        sys.stderr = RedactingStream(sys.stderr, secrets)


def _settings() -> Settings | int:
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        return _fail(str(exc), EXIT_USAGE)
    redact_output(settings.token)  # before anything can print it
    return settings


def _setup_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(TokenRedactor(settings.token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # discord.py's gateway chatter is useful at DEBUG only.
    logging.getLogger("discord").setLevel(max(settings.log_level, logging.INFO))
    # The bot never joins voice: discord.py's warnings about missing voice libraries would only alarm people.
    from discord.voice_client import VoiceClient

    VoiceClient.warn_nacl = False
    VoiceClient.warn_dave = False


def point_at_discord(settings: Settings) -> None:
    """DISCORD_API_BASE / DISCORD_GATEWAY_URL: test and proxy settings, read once at start-up."""
    import discord.gateway
    import discord.http
    import yarl

    if settings.api_base:
        discord.http.Route.BASE = settings.api_base.rstrip("/")
    if settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


def _load_core() -> tuple[Any, Any] | int:
    from bot.registry import KnowledgeError, get_registry
    from bot.resolver.resolve import get_resolver

    try:
        return get_registry(), get_resolver()
    except KnowledgeError as exc:
        return _fail(f"knowledge error: {exc}", EXIT_FAILED)


async def _open_store(settings: Settings) -> Any:
    """The settings store of the configuration, opened; or the exit code, with one line, when it cannot be."""
    from bot.settings_store import open_store_for

    store = open_store_for(settings.db_path, settings.database_url)
    try:
        await store.open()
    except Exception as exc:  # a locked, unreadable or corrupt database file, a database that refuses us
        where = "the PostgreSQL database" if settings.database_url else str(settings.db_path)
        return _fail(f"cannot open the settings database ({where}): {exc}", EXIT_FAILED)
    return store


def _warm_up(core: tuple[Any, Any]) -> None:
    """Have the search index ready before answering (the first question should not wait for it), and the
    description ranker with the Korean analyser (about 50 ms), then move the knowledge, which lives as long as the
    process, out of the cycle collector's way: a full collection would otherwise walk its hundreds of thousands of
    objects again and again."""
    _build_caches_apart(core[0])
    core[1].index  # noqa: B018 - loads it
    core[1].resolve(_WARM_UP_QUESTION)
    gc.collect()
    gc.freeze()


_WARM_UP_QUESTION = "업로드하다가 용량 초과라고 끊겨요"  # a described situation: it needs the index and the ranker


def _build_caches_apart(registry: Any) -> None:
    """When the index or the ranker of this knowledge is not cached yet (a new release, an edited knowledge
    folder), build them in a child process that writes the caches and exits: the build peaks at about twice the
    memory the bot needs to answer (200 MB against 95 MB, measured under bench/load_bench.py), and a process
    keeps its high-water mark. If the child cannot (no writable cache folder, a crash), the bot builds them itself
    as before."""
    import os
    import subprocess

    from bot.resolver.index import index_cache_path
    from bot.resolver.ranker import ranker_cache_path

    paths = [index_cache_path(registry), ranker_cache_path(registry)]
    if any(path is None for path in paths) or all(path is not None and path.exists() for path in paths):
        return
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-m", "bot", "ask", "--format", "json", _WARM_UP_QUESTION],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=300, env=os.environ.copy(), check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        logging.getLogger("statusbot").warning("could not build the search caches in a child process (%s); "
                                               "building them here", exc)
        return
    logging.getLogger("statusbot").info("search caches built in a child process in %.1f s (exit %d)",
                                        time.monotonic() - started, done.returncode)


def _prepare() -> tuple[Settings, tuple[Any, Any]] | int:
    """Settings, logging, knowledge and the Discord endpoints: what run and sync both need, or an exit code."""
    settings = _settings()
    if isinstance(settings, int):
        return settings
    _setup_logging(settings)
    core = _load_core()
    if isinstance(core, int):
        return core
    point_at_discord(settings)
    return settings, core


def cmd_run(args: argparse.Namespace) -> int:
    import asyncio

    if args.shard_count is not None and args.shard_count < 1:
        return _fail(f"--shard-count must be 1 or more, not {args.shard_count}", EXIT_USAGE)
    if args.shard_ids is not None and args.shard_count is None:
        return _fail("--shard-ids needs --shard-count", EXIT_USAGE)
    if args.shard_ids and args.shard_count and max(args.shard_ids) >= args.shard_count:
        return _fail("every shard id must be below --shard-count", EXIT_USAGE)
    prepared = _prepare()
    if isinstance(prepared, int):
        return prepared
    settings, core = prepared
    _warm_up(core)  # (`sync` needs none of it)
    try:
        try:
            import uvloop  # a faster event loop where available (Linux, macOS)
        except ImportError:
            return asyncio.run(_run(settings, core, args.shard_count, args.shard_ids))
        return uvloop.run(_run(settings, core, args.shard_count, args.shard_ids))
    except KeyboardInterrupt:
        return EXIT_OK


async def _run(settings: Settings, core: tuple[Any, Any], shard_count: int | None,
               shard_ids: list[int] | None) -> int:
    import asyncio
    import signal

    import discord

    from bot.adapters.discord.app import StatusBot

    log = logging.getLogger("statusbot")
    registry, resolver = core
    store = await _open_store(settings)
    if isinstance(store, int):
        return store
    bot = StatusBot(settings, registry, resolver, store, shard_count=shard_count, shard_ids=shard_ids)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()

    def request_stop(signame: str) -> None:
        if not stopping.is_set():
            log.info("%s received: closing.", signame)
            stopping.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, request_stop, sig.name)

    runner = asyncio.create_task(bot.start(settings.token), name="statusbot-client")
    waiter = asyncio.create_task(stopping.wait())
    exit_code = EXIT_OK
    try:
        await asyncio.wait({runner, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if runner.done():
            failure = runner.exception()
            close_code = getattr(failure, "code", None) if isinstance(failure, discord.ConnectionClosed) else None
            if isinstance(failure, discord.LoginFailure):
                exit_code = _fail("Discord rejected the token (401 Unauthorized): check DISCORD_TOKEN", EXIT_FAILED)
            elif close_code == 4004:  # the gateway's "authentication failed", after the REST login worked
                exit_code = _fail("Discord rejected the token: check DISCORD_TOKEN (gateway close 4004)", EXIT_FAILED)
            elif isinstance(failure, discord.PrivilegedIntentsRequired) or close_code == 4014:
                exit_code = _fail(_intents_refused(settings), EXIT_FAILED)
            elif isinstance(failure, discord.RateLimited):
                exit_code = _fail(f"Discord rate-limits this bot for {failure.retry_after:.0f} s (429 while "
                                  "logging in): start it again after that", EXIT_FAILED)
            elif close_code == 4013:
                exit_code = _fail("Discord refused the gateway intents as invalid (close 4013): this statusbot "
                                  "build asks for intents Discord does not know; update discord.py or statusbot",
                                  EXIT_FAILED)
            elif failure is not None:
                exit_code = _fail(f"the bot stopped: {type(failure).__name__}: {failure}", EXIT_FAILED)
    finally:
        waiter.cancel()
        try:
            await asyncio.wait_for(bot.close(), SHUTDOWN_SECONDS)
        except (TimeoutError, Exception) as exc:
            log.warning("Closing the Discord connection did not finish cleanly: %r", exc)
        if not runner.done():
            runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        await store.close()
    log.info("Stopped.")
    return exit_code


def cmd_sync(args: argparse.Namespace) -> int:
    import asyncio

    prepared = _prepare()
    if isinstance(prepared, int):
        return prepared
    settings, core = prepared
    return asyncio.run(_sync(settings, core, args.guild))


async def _sync(settings: Settings, core: tuple[Any, Any], guild_id: int | None) -> int:
    import discord

    from bot.adapters.discord.app import StatusBot
    from bot.settings_store import open_store_for

    registry, resolver = core
    store = open_store_for(settings.db_path, settings.database_url)
    await store.open()
    bot = StatusBot(settings, registry, resolver, store, auto_sync=False, answer_workers=0)
    try:
        await bot.login(settings.token)
        count = await bot.sync_commands(guild_id)
        where = f"guild {guild_id}" if guild_id else "all servers (may take up to an hour to appear)"
        print(f"synced {count} commands to {where}")
        return EXIT_OK
    except discord.LoginFailure:
        return _fail("Discord rejected the token (401 Unauthorized): check DISCORD_TOKEN", EXIT_FAILED)
    except discord.HTTPException as exc:
        return _fail(f"Discord refused the sync: {exc.status} {exc.text}", EXIT_FAILED)
    finally:
        await bot.close()
        await store.close()


def cmd_health(args: argparse.Namespace) -> int:
    del args
    try:
        settings = Settings.from_env(require_token=False)
    except ConfigError as exc:
        return _fail(str(exc), EXIT_USAGE)
    return check_heartbeat(settings.heartbeat_path)


def check_heartbeat(path: Path, now: float | None = None) -> int:
    try:
        beat = float(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return _fail(f"unhealthy: no heartbeat at {path}", EXIT_FAILED)
    age = (time.time() if now is None else now) - beat
    if age > HEALTHY_WITHIN:
        return _fail(f"unhealthy: last heartbeat {age:.0f} s ago", EXIT_FAILED)
    print(f"healthy: last heartbeat {max(age, 0):.0f} s ago")
    return EXIT_OK
