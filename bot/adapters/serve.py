"""`statusbot serve`: Discord interactions over HTTP (POST /interactions), health and Prometheus metrics.

A thin aiohttp layer over bot.adapters.interactions: the body is read up to a cap (413 past it), its signature
checked before anything parses it (401), and the interaction answered inline. No discord.py: every replica is
the same small process, and any of them can answer any interaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import orjson
from aiohttp import ClientError, ClientSession, ClientTimeout, web
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.adapters.interactions import BODY_MAX, Interactions, Verifier
from bot.registry import Registry, code_class
from bot.resolver.resolve import Resolver
from bot.settings_store import SettingsBackend

log = logging.getLogger("statusbot.serve")


class Metrics:
    """What `GET /metrics` shows (its own registry: two servers in one test process do not share counters)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.interactions = Counter("statusbot_interactions", "Interactions by kind and outcome",
                                    ("kind", "outcome"), registry=self.registry)
        self.answer_seconds = Histogram("statusbot_answer_seconds", "Time from request to response body",
                                        buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 3.0),
                                        registry=self.registry)
        self.answers = Counter("statusbot_answers", "Answers by the class of their first code", ("cls",),
                               registry=self.registry)
        self.rejected = Counter("statusbot_requests_rejected", "Requests refused before parsing", ("reason",),
                                registry=self.registry)
        self.database_errors = Counter("statusbot_database_errors", "Settings reads or writes that failed",
                                       registry=self.registry)


METRICS = web.AppKey("metrics", Metrics)


class WebhookFollowUp:
    """Deferred answers through Discord's REST API: POST /webhooks/{application}/{token} (no bot token needed)."""

    def __init__(self, application_id: str, api_base: str = "https://discord.com/api/v10") -> None:
        self.application_id, self.api_base = application_id, api_base.rstrip("/")
        self._session: ClientSession | None = None

    def session(self) -> ClientSession:
        if self._session is None or self._session.closed:
            self._session = ClientSession(timeout=ClientTimeout(total=15))
        return self._session

    async def download(self, url: str, limit: int, timeout: float) -> bytes:
        async with self.session().get(url, timeout=ClientTimeout(total=timeout)) as response:
            response.raise_for_status()
            content = await response.content.read(limit + 1)
        if len(content) > limit:
            raise ValueError("attachment over the size limit")
        return content

    async def send(self, token: str, message: dict[str, Any]) -> None:
        url = f"{self.api_base}/webhooks/{self.application_id}/{token}"
        try:
            async with self.session().post(url, data=orjson.dumps(message),
                                           headers={"Content-Type": "application/json"}) as response:
                if response.status >= 300:
                    log.warning("Discord refused a follow-up: HTTP %s", response.status)
        except (ClientError, TimeoutError) as exc:
            log.warning("Could not send a follow-up: %r", exc)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def create_app(registry: Registry, resolver: Resolver, store: SettingsBackend, public_key_hex: str,
               follow_up: WebhookFollowUp | None = None) -> web.Application:
    verifier = Verifier(public_key_hex)
    core = Interactions(registry, resolver, store, follow_up)
    metrics = Metrics()
    app = web.Application(client_max_size=BODY_MAX)

    def refuse(status: int, reason: str) -> web.Response:
        metrics.rejected.labels(reason).inc()
        return web.Response(status=status, text=reason)

    async def interactions(request: web.Request) -> web.StreamResponse:
        start = time.perf_counter()
        if request.content_length is not None and request.content_length > BODY_MAX:
            return refuse(413, "body too large")
        body = await request.content.read(BODY_MAX + 1)
        if len(body) > BODY_MAX:
            return refuse(413, "body too large")
        if not verifier.verify(request.headers.get("X-Signature-Ed25519"),
                               request.headers.get("X-Signature-Timestamp"), body):
            return refuse(401, "invalid request signature")
        try:
            interaction = orjson.loads(body)
        except orjson.JSONDecodeError:
            return refuse(400, "not JSON")
        if not isinstance(interaction, dict):
            return refuse(400, "not an interaction")
        try:
            outcome = await core.handle(interaction)
        except Exception:  # one bad interaction is one log line and a polite reply, never a dead server
            log.exception("Could not answer interaction %s", interaction.get("id"))
            metrics.interactions.labels("unknown", "failed").inc()
            return web.Response(body=orjson.dumps({"type": 4, "data": {
                "content": "Something went wrong on my side; please try again.", "flags": 64,
                "allowed_mentions": {"parse": []}}}), content_type="application/json")
        metrics.interactions.labels(outcome.kind, outcome.result).inc()
        for embed_code in _first_code(outcome.body):
            metrics.answers.labels(code_class(embed_code) or "other").inc()
        metrics.answer_seconds.observe(time.perf_counter() - start)
        return web.Response(body=orjson.dumps(outcome.body), content_type="application/json")

    async def healthz(request: web.Request) -> web.StreamResponse:
        try:
            await store.schema_version()
        except Exception as exc:  # any failure of the database is "not healthy"
            metrics.database_errors.inc()
            return web.json_response({"ok": False, "database": str(exc)[:200]}, status=503)
        return web.json_response({"ok": True, "codes": len(registry)})

    async def metrics_page(request: web.Request) -> web.StreamResponse:
        return web.Response(body=generate_latest(metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def cleanup(app: web.Application) -> None:
        for task in list(core.pending):  # deferred answers still being made: let them finish, briefly
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 5)
        if follow_up is not None:
            await follow_up.close()

    app.on_cleanup.append(cleanup)
    app.router.add_post("/interactions", interactions)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_page)
    app[METRICS] = metrics
    return app


def _first_code(body: dict[str, Any]) -> list[int]:
    """The code of a code answer's first embed ('503 Service Unavailable · …'), for answers by class."""
    embeds = (body.get("data") or {}).get("embeds") or []
    title = str(embeds[0].get("title") or "") if embeds else ""
    head = title[:3]
    return [int(head)] if head.isdigit() and title[3:4] == " " else []
