"""Load benchmark: one real `statusbot run` process answering N interactions from the fake Discord.

    .venv/bin/python bench/load_bench.py [--n 10000] [--window 8] [--warmup 200] [--no-echo] [--profile FILE]

Starts tests/e2e/fakediscord.py on 127.0.0.1 (in this process, on this event loop) and one bot subprocess
pointed at it through DISCORD_API_BASE / DISCORD_GATEWAY_URL, waits for on_ready, then drives N
INTERACTION_CREATE events (a fixed mix: codes, names, Korean, log lines via /http and the context menu,
classes, headers, comparisons, autocomplete) through the gateway as fast as the bot answers, keeping at
most --window of them unanswered at any time.  Latency is from just before the fake sends the event to
the moment the fake has handled the bot's POST .../callback.  Prints figures; asserts nothing.

    .venv/bin/python bench/load_bench.py --burst 3000,6000 [--sustained 3000]

Burst mode: statusbot and bench/trivial_bot.py (a discord.py bot answering a one-line embed), both running, each
with its own fake on this event loop, get a warm-up and a sustained run of /http questions (--sustained of them,
window 8) taken in --rounds rounds that alternate between the two bots (so that what else the shared host does
falls on both; the ratio printed is over the whole run, with the median and range of the rounds'), and then, one
bot after the other, every burst of the list sent at once (all frames queued, then one flush). The fake enforces
Discord's rule that an interaction must be answered within 3 s of its creation (its snowflake, minted when the burst is
built); a later answer gets 404 Unknown interaction. Printed per bot: answered in time, answered too late, never
answered (the bot let it go), peak RSS; and the ratios to the trivial bot.

Every public answer is echoed back to the bot as MESSAGE_CREATE, as Discord does, so the bot also parses
and ignores one message per public answer (--no-echo turns that off).  The warm-up interactions are not
counted.  The fake shares this process, so its garbage collector is frozen/relaxed here (--harness-gc
leaves it alone); the bot process runs unmodified.  The machine's load average is printed because other
work on the same cores moves these figures a lot.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.fakediscord import FakeDiscord, RestCall  # noqa: E402

TOKEN = "bench.c3RhdHVzYm90LWxvYWQtYmVuY2g.Tok3n-bench"
TARGETS = {"rate": 1000.0, "p99_ms": 50.0, "rss_mb": 80.0}

MIX: dict[str, list[str]] = {
    "code": ["404", "503", "418", "500", "HTTP 502", "what does 429 mean", "301", "200", "422", "451", "308", "520"],
    "name": ["gateway timeout", "gateway timout", "not found", "too many requests", "rate limited", "teapot",
             "file upload too big", "service unavailable", "unauthorized", "bad gateway"],
    "korean": ["게이트웨이 타임아웃이 뭐야", "404 에러", "서비스이용불가", "오백삼 에러", "요청 한도 초과", "권한 없음",
               "찾을 수 없음"],
    "log": ['"GET /api HTTP/1.1" 502 157 "-" "curl/8.0"', "HTTP/1.1 502 Bad Gateway",
            "AxiosError: Request failed with status code 401", "status=504 path=/api/orders",
            "upstream timed out (110: Connection timed out) while reading response header from upstream"],
    # situations described without a number: these load the Korean analyser and the description ranker
    "scenario": ["업로드하다가 용량 초과라고 뜨면서 끊겨요", "롤링 배포 중에 LB에서 bad gateway 간간이 나요",
                 "이미 있는 아이디로 가입 요청 오면 몇 번 줘야 돼?", "로그인은 됐는데 관리자 페이지만 막혀요",
                 "what code when someone signs up with an email that's taken",
                 "requests die at exactly 60 s with a gateway error",
                 "deployment scaled to zero, what does ingress return"],
    "class": ["5xx", "4xx errors", "2xx 상태 코드", "3xx", "1xx"],
    "header": ["Retry-After", "WWW-Authenticate", "Location", "Cache-Control"],
    "compare": ["401 vs 403", "502와 504 차이", "301 vs 308", "500 vs 503"],
    "autocomplete": ["", "5", "50", "503", "4", "gat", "gate", "bad g", "not f", "too m", "게이", "게이트", "서비",
                     "teap", "timeout"],
}
# share of each kind in the run (sums to 1)
WEIGHTS = {"code": 0.20, "name": 0.12, "korean": 0.10, "scenario": 0.08, "log": 0.12, "class": 0.06,
           "header": 0.06, "compare": 0.08, "autocomplete": 0.18}


@dataclass
class Item:
    kind: str
    payload: dict[str, Any]
    path: str
    sent: float = 0.0
    answered: float = 0.0
    ok: int = 0
    errors: list[int] = field(default_factory=list)


def build_items(fake: FakeDiscord, n: int, seed: int) -> list[Item]:
    rng = random.Random(seed)
    kinds = list(WEIGHTS)
    weights = [WEIGHTS[k] for k in kinds]
    guilds = [g.id for g in fake.guilds]
    items: list[Item] = []
    for _ in range(n):
        kind = rng.choices(kinds, weights)[0]
        text = rng.choice(MIX[kind])
        guild_id = rng.choice(guilds)
        locale = "ko" if kind == "korean" or rng.random() < 0.2 else "en-US"
        if kind == "autocomplete":
            payload = fake.make_autocomplete("http", {"query": text}, focused="query", guild_id=guild_id,
                                             locale=locale)
        elif kind == "log" and rng.random() < 0.5:
            payload = fake.make_message_command("Explain status codes", text, guild_id=guild_id, locale=locale)
        else:
            payload = fake.make_slash_command("http", {"query": text}, guild_id=guild_id, locale=locale)
        items.append(Item(kind, payload, f"/interactions/{payload['id']}/{payload['token']}/callback"))
    return items


def proc_status(pid: int) -> dict[str, int]:
    """VmHWM / VmRSS in kB from /proc (psutil is not installed)."""
    out: dict[str, int] = {}
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(value.split()[0])
    return out


def proc_cpu_seconds(pid: int) -> float:
    with contextlib.suppress(OSError), open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return float("nan")


def pct(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


class Tracker:
    """Hooks the fake's REST call log: every POST .../callback is matched to its interaction."""

    def __init__(self, fake: FakeDiscord, window: int) -> None:
        self.by_path: dict[str, Item] = {}
        self.unknown: list[str] = []
        self.slots = asyncio.Semaphore(window)
        self.pending = 0
        self.idle = asyncio.Event()
        self.idle.set()
        original = fake.calls.append

        def append(call: RestCall) -> None:
            original(call)
            if call.api_path.endswith("/callback"):
                self._on_callback(call)

        fake.calls.append = append  # type: ignore[method-assign]

    def track(self, item: Item) -> None:
        self.by_path[item.path] = item
        self.pending += 1
        self.idle.clear()

    def reset_window(self, window: int) -> None:
        self.slots = asyncio.Semaphore(window)
        self.pending = 0
        self.idle.set()

    def _on_callback(self, call: RestCall) -> None:  # runs on the fake's loop (this loop)
        now = time.perf_counter()
        item = self.by_path.get(call.api_path)
        if item is None:
            self.unknown.append(call.api_path)
            return
        first = not item.ok and not item.errors
        if call.status >= 300:
            item.errors.append(call.status)
        else:
            item.ok += 1
            if item.ok == 1:
                item.answered = now
        if first:  # answered or refused, it no longer holds a place in the window
            self.pending -= 1
            self.slots.release()
            if self.pending == 0:
                self.idle.set()


def restamp(fake: FakeDiscord, item: Item) -> None:
    """A new id for an interaction about to be sent: Discord mints it when the user acts, and the 3 s to answer
    run from there (items are built in advance)."""
    item.payload["id"] = str(fake.new_snowflake())
    item.path = f"/interactions/{item.payload['id']}/{item.payload['token']}/callback"


async def drive(fake: FakeDiscord, tracker: Tracker, items: list[Item], stall: float) -> float:
    """Send every item, at most `window` unanswered; returns wall seconds until the last answer."""
    start = time.perf_counter()
    for item in items:
        try:
            await asyncio.wait_for(tracker.slots.acquire(), stall)
        except TimeoutError:
            print(f"  ! no answer for {stall:.0f} s with a full window; sending the rest anyway", file=sys.stderr)
        restamp(fake, item)
        tracker.track(item)
        item.sent = time.perf_counter()
        await fake.dispatch("INTERACTION_CREATE", item.payload)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(tracker.idle.wait(), stall)
    last = max((i.answered for i in items if i.answered), default=time.perf_counter())
    return last - start


async def wait_ready(proc: subprocess.Popen[bytes], err_path: Path, timeout: float,
                     marker: str = "statusbot: Ready as ") -> None:
    deadline = time.monotonic() + timeout
    while marker not in err_path.read_text("utf-8", errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the bot did not become ready:\n" + err_path.read_text("utf-8", errors="replace"))
        await asyncio.sleep(0.05)


def stop(proc: subprocess.Popen[bytes]) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    return proc.returncode


async def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="statusbot-bench-", ignore_cleanup_errors=True) as tmp:
        return await run_in(args, Path(tmp))


async def run_in(args: argparse.Namespace, workdir: Path) -> int:
    load_before = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    async with FakeDiscord(tokens={TOKEN}, echo_messages=not args.no_echo) as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "STATUSBOT_", "FAKEDISCORD_"))}
        env.update(DISCORD_TOKEN=TOKEN, DISCORD_API_BASE=fake.api_base, DISCORD_GATEWAY_URL=fake.gateway_url,
                   STATUSBOT_DB=str(workdir / "bench.sqlite3"), STATUSBOT_HEARTBEAT=str(workdir / "heartbeat"),
                   STATUSBOT_LOG_LEVEL="INFO", PYTHONUNBUFFERED="1")
        err_path = workdir / "bot.stderr"
        with err_path.open("wb") as err, (workdir / "bot.stdout").open("wb") as out:
            started = time.perf_counter()
            profile = ["-m", "cProfile", "-o", str(Path(args.profile).resolve())] if args.profile else []
            proc = subprocess.Popen([sys.executable, *profile, "-m", "bot", "run"], env=env, cwd=ROOT,
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=err)
            try:
                await wait_ready(proc, err_path, 60)
                ready_s = time.perf_counter() - started
                rss_ready = proc_status(proc.pid).get("VmRSS", 0)
                if not args.harness_gc:
                    # The fake keeps every call and frame: keep its garbage collector from stalling the
                    # harness loop (the bot process is not touched).
                    gc.collect()
                    gc.freeze()
                    gc.set_threshold(100_000, 50, 1000)
                tracker = Tracker(fake, args.window)
                warm = build_items(fake, args.warmup, args.seed + 1)
                await drive(fake, tracker, warm, args.stall)
                items = build_items(fake, args.n, args.seed)
                cpu_before, own_before = proc_cpu_seconds(proc.pid), time.process_time()
                wall = await drive(fake, tracker, items, args.stall)
                await asyncio.sleep(args.settle)  # catch late duplicates
                cpu_bot = proc_cpu_seconds(proc.pid) - cpu_before
                cpu_fake = time.process_time() - own_before
                mem = proc_status(proc.pid)
                alive = proc.poll() is None
            finally:
                code = stop(proc)
    report(args, items, wall, ready_s, rss_ready, mem, cpu_bot, cpu_fake, alive, code, tracker, err_path,
           load_before)
    return 0


def report(args: argparse.Namespace, items: list[Item], wall: float, ready_s: float, rss_ready: int,
           mem: dict[str, int], cpu_bot: float, cpu_fake: float, alive: bool, code: int, tracker: Tracker,
           err_path: Path, load_before: str) -> None:
    answered = [i for i in items if i.ok]
    lost = [i for i in items if not i.ok]
    doubled = [i for i in items if i.ok + len(i.errors) > 1]  # a second callback, accepted or not
    refused = Counter(s for i in items for s in i.errors)
    lat = [(i.answered - i.sent) * 1000 for i in answered]
    rate = len(answered) / wall if wall > 0 else float("nan")
    p50, p99 = (statistics.median(lat) if lat else float("nan")), pct(lat, 0.99)
    hwm_mb = mem.get("VmHWM", 0) / 1024
    by_kind: dict[str, list[float]] = defaultdict(list)
    for i in answered:
        by_kind[i.kind].append((i.answered - i.sent) * 1000)
    stderr = err_path.read_text("utf-8", errors="replace")
    expected = ("voice will NOT be supported", "without the message content intent")
    problems = sum(1 for line in stderr.splitlines()
                   if (" ERROR " in line or " WARNING " in line) and not any(e in line for e in expected))

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    print("=" * 72)
    print(f"statusbot load benchmark  n={args.n} window={args.window} warmup={args.warmup} seed={args.seed} "
          f"echo={'off' if args.no_echo else 'on'}")
    print(f"machine                {os.cpu_count()} cores, load average before the run {load_before}")
    print("-" * 72)
    print(f"bot ready after        {ready_s:6.2f} s   (RSS at ready {rss_ready / 1024:.1f} MB)")
    print(f"wall time              {wall:6.2f} s   bot CPU {cpu_bot:.2f} s, bench+fake CPU {cpu_fake:.2f} s")
    print(f"throughput             {rate:8.0f} interactions/s   target >= {TARGETS['rate']:.0f}   "
          f"{verdict(rate >= TARGETS['rate'])}")
    print(f"latency p50 / p99      {p50:6.1f} / {p99:.1f} ms (max {max(lat, default=float('nan')):.1f})   "
          f"target p99 <= {TARGETS['p99_ms']:.0f}   {verdict(p99 <= TARGETS['p99_ms'])}")
    print(f"peak RSS (VmHWM)       {hwm_mb:6.1f} MB   (VmRSS at end {mem.get('VmRSS', 0) / 1024:.1f} MB)   "
          f"target <= {TARGETS['rss_mb']:.0f}   {verdict(hwm_mb <= TARGETS['rss_mb'])}")
    print(f"answers                {len(answered)}/{len(items)} answered, lost {len(lost)}, "
          f"doubled {len(doubled)}, refused callbacks {dict(refused) or 0}, unmatched {len(tracker.unknown)}   "
          f"target lost = 0   {verdict(not lost and not doubled)}")
    print(f"bot process            {'still running' if alive else 'DIED during the run'}, exit code "
          f"{code} after SIGTERM, {problems} warning/error log lines")
    if answered:
        fifth = len(items) // 5 or 1
        spans = []
        for k in range(0, len(items), fifth):
            chunk = [i for i in items[k:k + fifth] if i.ok]
            span = max(i.answered for i in chunk) - min(i.sent for i in chunk) if chunk else 0
            spans.append(f"{len(chunk) / span:.0f}" if span > 0 else "-")
        print(f"throughput by fifth    {' / '.join(spans)} interactions/s")
    print("-" * 72)
    print(f"{'kind':<13}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}")
    for kind in WEIGHTS:
        samples = by_kind.get(kind, [])
        print(f"{kind:<13}{len(samples):>7}{statistics.median(samples) if samples else float('nan'):>9.1f}"
              f"{pct(samples, 0.99):>9.1f}")
    print("=" * 72)
    if lost:
        print("first lost:", ", ".join(f"{i.kind}:{i.payload['data'].get('options') or i.payload['data']['name']}"
                                       for i in lost[:5]))

# ----- burst mode -----------------------------------------------------------------------------------------------

HTTP_KINDS = [kind for kind in WEIGHTS if kind != "autocomplete"]  # the trivial bot has /http only


def build_http_items(fake: FakeDiscord, n: int, seed: int) -> list[Item]:
    """/http questions of the mix (no autocomplete, no context menu), so that both bots get the same events."""
    rng = random.Random(seed)
    weights = [WEIGHTS[k] for k in HTTP_KINDS]
    guilds = [g.id for g in fake.guilds]
    items = []
    for _ in range(n):
        kind = rng.choices(HTTP_KINDS, weights)[0]
        locale = "ko" if kind == "korean" or rng.random() < 0.2 else "en-US"
        payload = fake.make_slash_command("http", {"query": rng.choice(MIX[kind])}, guild_id=rng.choice(guilds),
                                          locale=locale)
        items.append(Item(kind, payload, f"/interactions/{payload['id']}/{payload['token']}/callback"))
    return items


@dataclass
class BurstResult:
    size: int
    in_time: int
    late: int  # answered after the 3 s: work spent on an answer Discord refused
    never: int  # no answer at all: let go by the bot (or lost)
    doubled: int
    p50_ms: float
    p99_ms: float
    rss_mb: float


@dataclass
class BotRun:
    name: str
    sustained_rate: float = float("nan")
    sustained_p99_ms: float = float("nan")
    sustained_cpu_ms: float = float("nan")  # the bot's CPU per sustained answer
    harness_cpu_ms: float = float("nan")  # this process's (fake Discord and driver) CPU per sustained answer
    bursts: list[BurstResult] = field(default_factory=list)
    rss_ready_mb: float = 0.0
    rss_peak_mb: float = 0.0
    alive: bool = True
    log_problems: int = 0


async def burst(fake: FakeDiscord, tracker: Tracker, items: list[Item], wait: float) -> None:
    for item in items:
        restamp(fake, item)
        tracker.track(item)
    sent = time.perf_counter()
    for item in items:
        item.sent = sent
    await fake.dispatch_many("INTERACTION_CREATE", [item.payload for item in items])
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(tracker.idle.wait(), wait)


@dataclass
class RunningBot:
    """One bot process with its own fake, kept alive for the whole comparison."""

    name: str
    fake: FakeDiscord
    proc: subprocess.Popen[bytes]
    tracker: Tracker
    err_path: Path
    result: BotRun
    answered: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    harness_cpu: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    round_rates: list[float] = field(default_factory=list)


async def start_bot(args: argparse.Namespace, fake: FakeDiscord, name: str, cmd: list[str], env: dict[str, str],
                    marker: str, workdir: Path) -> RunningBot:
    err_path = workdir / f"{name}.stderr"
    with err_path.open("wb") as err, (workdir / f"{name}.stdout").open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    running = RunningBot(name, fake, proc, Tracker(fake, args.window), err_path, BotRun(name))
    try:
        await wait_ready(proc, err_path, 60, marker)
    except BaseException:
        stop(proc)
        raise
    running.result.rss_ready_mb = proc_status(proc.pid).get("VmRSS", 0) / 1024
    await drive(fake, running.tracker, build_http_items(fake, args.warmup, args.seed + 1), args.stall)
    return running


async def sustained_round(args: argparse.Namespace, bot: RunningBot, size: int, seed: int) -> None:
    """One round of the sustained run: `size` /http questions, at most --window unanswered."""
    items = build_http_items(bot.fake, size, seed)
    cpu_before, harness_before = proc_cpu_seconds(bot.proc.pid), time.process_time()
    wall = await drive(bot.fake, bot.tracker, items, args.stall)
    answered = [i for i in items if i.ok]
    bot.answered += len(answered)
    bot.wall += wall
    bot.cpu += proc_cpu_seconds(bot.proc.pid) - cpu_before
    bot.harness_cpu += time.process_time() - harness_before
    bot.latencies_ms += [(i.answered - i.sent) * 1000 for i in answered]
    bot.round_rates.append(len(answered) / wall if wall > 0 else float("nan"))


async def bursts_of(args: argparse.Namespace, bot: RunningBot) -> None:
    fake, tracker, result = bot.fake, bot.tracker, bot.result
    for size in args.burst:
        await asyncio.sleep(args.settle)
        tracker.reset_window(args.window)
        items = build_http_items(fake, size, args.seed + size)
        await burst(fake, tracker, items, wait=fake.interaction_deadline + 5.0 if fake.interaction_deadline else 10.0)
        await asyncio.sleep(args.settle)  # late duplicates
        lat = [(i.answered - i.sent) * 1000 for i in items if i.ok]
        result.bursts.append(BurstResult(
            size, in_time=sum(1 for i in items if i.ok), late=sum(1 for i in items if not i.ok and i.errors),
            never=sum(1 for i in items if not i.ok and not i.errors),
            doubled=sum(1 for i in items if i.ok + len(i.errors) > 1),
            p50_ms=statistics.median(lat) if lat else float("nan"), p99_ms=pct(lat, 0.99),
            rss_mb=proc_status(bot.proc.pid).get("VmHWM", 0) / 1024))


def finish(bot: RunningBot) -> BotRun:
    result = bot.result
    result.sustained_rate = bot.answered / bot.wall if bot.wall > 0 else float("nan")
    # What each answer cost the bot itself, and the harness (the fake, which also builds every echo): with 8 in
    # flight on two shared cores, the rate can be the harness's limit rather than the bot's.
    result.sustained_cpu_ms = bot.cpu * 1000 / max(1, bot.answered)
    result.harness_cpu_ms = bot.harness_cpu * 1000 / max(1, bot.answered)
    result.sustained_p99_ms = pct(bot.latencies_ms, 0.99)
    result.rss_peak_mb = proc_status(bot.proc.pid).get("VmHWM", 0) / 1024
    result.alive = bot.proc.poll() is None
    stop(bot.proc)
    stderr = bot.err_path.read_text("utf-8", errors="replace")
    result.log_problems = sum(1 for line in stderr.splitlines() if " ERROR " in line or "Traceback" in line)
    kept = Path(tempfile.gettempdir()) / f"load_bench-{bot.name}.stderr"
    kept.write_text(stderr, encoding="utf-8")  # for a look after the run; the work folder is removed
    return result


async def run_bursts(args: argparse.Namespace) -> int:
    load_before = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    runs: list[BotRun] = []
    ratios: list[float] = []
    with tempfile.TemporaryDirectory(prefix="statusbot-burst-", ignore_cleanup_errors=True) as tmp:
        workdir = Path(tmp)
        # A fake per bot (nothing one run leaves behind weighs on the other), both bots running at once: the
        # sustained run alternates between them in rounds, so that whatever else the shared host does at a
        # moment falls on both, and the ratio is the median of the rounds'.
        async with FakeDiscord(tokens={TOKEN}, echo_messages=not args.no_echo) as ours_fake, \
                FakeDiscord(tokens={TOKEN}, echo_messages=not args.no_echo) as anchor_fake:
            if not args.harness_gc:
                gc.collect()
                gc.freeze()
                gc.set_threshold(100_000, 50, 1000)
            bots: list[RunningBot] = []
            try:
                for name, fake in (("statusbot", ours_fake), ("trivial", anchor_fake)):
                    env = {k: v for k, v in os.environ.items()
                           if not k.startswith(("DISCORD_", "STATUSBOT_", "FAKEDISCORD_"))}
                    env.update(DISCORD_TOKEN=TOKEN, DISCORD_API_BASE=fake.api_base,
                               DISCORD_GATEWAY_URL=fake.gateway_url, STATUSBOT_DB=str(workdir / f"{name}.sqlite3"),
                               STATUSBOT_HEARTBEAT=str(workdir / f"{name}.hb"), STATUSBOT_LOG_LEVEL="INFO",
                               PYTHONUNBUFFERED="1")
                    if name == "statusbot":
                        cmd, marker = [sys.executable, "-m", "bot", "run"], "statusbot: Ready as "
                    else:
                        cmd, marker = [sys.executable, str(ROOT / "bench" / "trivial_bot.py")], "trivial: Ready as"
                    bots.append(await start_bot(args, fake, name, cmd, env, marker, workdir))
                ours, anchor = bots
                size = max(1, args.sustained // args.rounds)
                for r in range(args.rounds):
                    order = (ours, anchor) if r % 2 == 0 else (anchor, ours)
                    for bot in order:
                        await sustained_round(args, bot, size, args.seed + 100 + r)
                    ratios.append(ours.round_rates[-1] / anchor.round_rates[-1])
                for bot in bots:
                    await bursts_of(args, bot)
            finally:
                runs = [finish(bot) for bot in bots]
    ours, anchor = runs
    print("=" * 78)
    print(f"statusbot burst benchmark  bursts={','.join(map(str, args.burst))} sustained={args.sustained} "
          f"window={args.window} seed={args.seed} echo={'off' if args.no_echo else 'on'}")
    print(f"machine {os.cpu_count()} cores, load average before the run {load_before}; Discord's deadline 3 s")
    print("-" * 78)
    print(f"{'':<28}{'statusbot':>14}{'trivial bot':>14}{'ratio':>9}")
    print(f"{'sustained /http, per s':<28}{ours.sustained_rate:>14.0f}{anchor.sustained_rate:>14.0f}"
          f"{ours.sustained_rate / anchor.sustained_rate:>9.2f}")
    if ratios:
        print(f"{f'  {len(ratios)} rounds, ratio median':<28}{'':>14}{'':>14}{statistics.median(ratios):>9.2f}"
              f"  ({min(ratios):.2f}–{max(ratios):.2f})")
    print(f"{'sustained p99, ms':<28}{ours.sustained_p99_ms:>14.1f}{anchor.sustained_p99_ms:>14.1f}")
    print(f"{'  bot CPU per answer, ms':<28}{ours.sustained_cpu_ms:>14.2f}{anchor.sustained_cpu_ms:>14.2f}"
          f"{anchor.sustained_cpu_ms / ours.sustained_cpu_ms:>9.2f}")
    print(f"{'  harness CPU per answer, ms':<28}{ours.harness_cpu_ms:>14.2f}{anchor.harness_cpu_ms:>14.2f}")
    for mine, theirs in zip(ours.bursts, anchor.bursts, strict=True):
        label = f"burst {mine.size}: in 3 s"
        ratio = mine.in_time / theirs.in_time if theirs.in_time else float("nan")
        print(f"{label:<28}{mine.in_time:>14}{theirs.in_time:>14}{ratio:>9.2f}")
        print(f"{'  late / never answered':<28}{f'{mine.late} / {mine.never}':>14}"
              f"{f'{theirs.late} / {theirs.never}':>14}")
        print(f"{'  p50 / p99 of in-time, ms':<28}{f'{mine.p50_ms:.0f} / {mine.p99_ms:.0f}':>14}"
              f"{f'{theirs.p50_ms:.0f} / {theirs.p99_ms:.0f}':>14}")
        print(f"{'  doubled':<28}{mine.doubled:>14}{theirs.doubled:>14}")
        print(f"{'  peak RSS so far, MB':<28}{mine.rss_mb:>14.1f}{theirs.rss_mb:>14.1f}")
    print(f"{'RSS at ready / peak, MB':<28}{f'{ours.rss_ready_mb:.0f} / {ours.rss_peak_mb:.0f}':>14}"
          f"{f'{anchor.rss_ready_mb:.0f} / {anchor.rss_peak_mb:.0f}':>14}")
    print(f"{'process':<28}{'alive' if ours.alive else 'DIED':>14}{'alive' if anchor.alive else 'DIED':>14}")
    print(f"{'error lines / tracebacks':<28}{ours.log_problems:>14}{anchor.log_problems:>14}")
    print("=" * 78)
    return 0



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=10_000, help="interactions to send (default 10000)")
    parser.add_argument("--window", type=int, default=8, help="most unanswered interactions at once (default 8)")
    parser.add_argument("--no-echo", action="store_true",
                        help="do not echo public answers back to the bot as MESSAGE_CREATE (Discord does)")
    parser.add_argument("--warmup", type=int, default=200, help="interactions sent first and not counted")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--stall", type=float, default=30.0, help="give up waiting after this many idle seconds")
    parser.add_argument("--profile", metavar="FILE", help="run the bot under cProfile, write the stats to FILE")
    parser.add_argument("--harness-gc", action="store_true", help="leave this process's GC at its defaults")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds to watch for duplicate answers")
    parser.add_argument("--burst", type=lambda v: [int(x) for x in v.split(",")], default=None,
                        metavar="N[,N…]", help="burst mode: send each of these many at once, beside the trivial bot")
    parser.add_argument("--rounds", type=int, default=6,
                        help="burst mode: the sustained run alternates between the two bots in this many rounds")
    parser.add_argument("--sustained", type=int, default=3000,
                        help="burst mode: /http questions in the sustained run before the bursts (default 3000)")
    args = parser.parse_args()
    try:
        return asyncio.run(run_bursts(args) if args.burst else run(args))
    except RuntimeError as exc:
        print(f"load_bench: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
