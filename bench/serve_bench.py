"""Signed /http interactions per second through `statusbot serve`, beside a minimal aiohttp handler that checks
the same Ed25519 signature and returns a fixed JSON body, in the same run.

    .venv/bin/python bench/serve_bench.py [--n 3000] [--concurrency 16]

Both servers and the client share one event loop pinned to one core, so the client's own cost is in both figures
alike: read the ratio (goal >= 0.5), not the absolute rate. The questions are a mix of codes, names, Korean and
log lines (the answers come from the answer cache after their first time, as a busy server's would).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import ClientSession, TCPConnector, web
from nacl.signing import SigningKey

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.adapters.interactions import Verifier  # noqa: E402
from bot.adapters.serve import create_app  # noqa: E402
from bot.registry import get_registry  # noqa: E402
from bot.resolver import get_resolver  # noqa: E402
from bot.settings_store import SettingsStore  # noqa: E402

KEY = SigningKey(bytes(range(32)))
QUESTIONS = ["503", "504", "gateway timeout", "게이트웨이 타임아웃", "401 vs 403", "rate limited", "업로드 용량 초과",
             '10.0.0.7 - - [12/Mar/2025:10:00:00 +0000] "GET /api HTTP/1.1" 502 157 "-" "curl/8.0"', "418", "5xx"]


def minimal_app(public_key: str) -> web.Application:
    verifier = Verifier(public_key)
    fixed = json.dumps({"type": 4, "data": {"content": "ok", "allowed_mentions": {"parse": []}}}).encode()

    async def handler(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        if not verifier.verify(request.headers.get("X-Signature-Ed25519"),
                               request.headers.get("X-Signature-Timestamp"), body):
            return web.Response(status=401)
        json.loads(body)
        return web.Response(body=fixed, content_type="application/json")

    app = web.Application()
    app.router.add_post("/interactions", handler)
    return app


async def start(app: web.Application) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, runner.addresses[0][1]


async def drive(port: int, bodies: list[bytes], concurrency: int) -> float:
    queue = list(reversed(bodies))
    async with ClientSession(connector=TCPConnector(limit=concurrency)) as session:
        async def worker() -> None:
            while queue:
                body = queue.pop()
                stamp = str(int(time.time()))
                headers = {"X-Signature-Ed25519": KEY.sign(stamp.encode() + body).signature.hex(),
                           "X-Signature-Timestamp": stamp, "Content-Type": "application/json"}
                async with session.post(f"http://127.0.0.1:{port}/interactions", data=body, headers=headers) as r:
                    assert r.status == 200, r.status
                    await r.read()

        start_time = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - start_time


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    public = KEY.verify_key.encode().hex()
    with tempfile.TemporaryDirectory() as work:
        store = SettingsStore(Path(work) / "db.sqlite3")
        await store.open()
        registry, resolver = get_registry(), get_resolver()
        serve_runner, serve_port = await start(create_app(registry, resolver, store, public))
        minimal_runner, minimal_port = await start(minimal_app(public))
        bodies = [json.dumps({"type": 2, "id": str(i), "token": "t", "guild_id": "1", "locale": "en-US",
                              "data": {"name": "http", "type": 1, "options": [
                                  {"name": "query", "type": 3, "value": QUESTIONS[i % len(QUESTIONS)]}]}}).encode()
                  for i in range(args.n)]
        await drive(serve_port, bodies[:200], args.concurrency)  # warm-up: analyser, caches, connections
        await drive(minimal_port, bodies[:200], args.concurrency)
        minimal = await drive(minimal_port, bodies, args.concurrency)
        serve = await drive(serve_port, bodies, args.concurrency)
        print(f"minimal signed handler: {args.n / minimal:8,.0f} requests/s")
        print(f"statusbot serve /http:  {args.n / serve:8,.0f} requests/s")
        print(f"ratio (serve / minimal): {minimal / serve:.2f}  (goal >= 0.5)")
        await serve_runner.cleanup()
        await minimal_runner.cleanup()
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())
