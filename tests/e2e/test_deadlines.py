"""End-to-end: Discord's 3 s rule, bursts and failing callbacks, against the real `statusbot run` process.

The fake refuses a first response more than 3 s after the interaction's snowflake (404 Unknown interaction), as
Discord does, and mints snowflakes from the current time.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from .conftest import Launcher
from .fakediscord import DISCORD_EPOCH_MS, FakeDiscordThread, snowflake
from .test_statusbot_process import ANSWER_TIMEOUT, CALLBACK, QUIET, answered_once, ask, callback_path, callbacks

EPHEMERAL = 1 << 6


def aged(payload: dict[str, object], seconds: float) -> dict[str, object]:
    """The same interaction as if Discord had created it `seconds` ago."""
    created = int(time.time() * 1000) - DISCORD_EPOCH_MS - int(seconds * 1000)
    return {**payload, "id": str(snowflake(created, 4000))}


def test_an_interaction_too_old_to_answer_in_time_is_let_go(fake: FakeDiscordThread, launch: Launcher) -> None:
    """An interaction 5 s old can no longer be answered: the bot spends nothing on it (no callback at all),
    counts it in one line, and answers the next fresh one as usual."""
    proc = launch()
    ask(fake, fake.make_slash_command("http", {"query": "404"}))
    old = aged(fake.make_slash_command("http", {"query": "502"}), 5.0)
    assert fake.dispatch("INTERACTION_CREATE", old) == 1
    time.sleep(QUIET)
    assert callbacks(fake, old) == []
    ask(fake, fake.make_slash_command("http", {"query": "418"}))
    proc.stop()
    assert "1 too old to answer in time" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_burst_is_answered_in_time_and_once_each(fake: FakeDiscordThread, launch: Launcher) -> None:
    """300 /http interactions sent in one flush: every one answered within Discord's 3 s, none twice."""
    proc = launch()
    ask(fake, fake.make_slash_command("http", {"query": "503"}))  # warm
    queries = ["503", "502 bad gateway", "게이트웨이 타임아웃", "401 vs 403", "upstream timed out", "5xx",
               "Retry-After"]
    burst = [fake.make_slash_command("http", {"query": queries[i % len(queries)]},
                                     guild_id=fake.guilds[i % len(fake.guilds)].id) for i in range(300)]
    mark = fake.calls.mark()
    fake.dispatch_many("INTERACTION_CREATE", burst)
    deadline = time.monotonic() + 10
    paths = {callback_path(p) for p in burst}
    while time.monotonic() < deadline:
        done = {c.api_path for c in fake.calls.filter(lambda c: c.api_path in paths, mark)}
        if done == paths:
            break
        time.sleep(0.1)
    time.sleep(QUIET)
    calls = fake.calls.filter(lambda c: c.api_path in paths, mark)
    assert sorted(c.status for c in calls) == [204] * 300, "every interaction answered once, in time"
    assert fake.expired_callbacks == 0
    assert proc.running


def test_a_429_without_retry_after_is_retried_once(fake: FakeDiscordThread, launch: Launcher) -> None:
    """A 429 whose body has no retry_after (discord.py raised KeyError on it) waits a second and is tried once
    more; the answer arrives, and nothing is logged as a traceback."""
    proc = launch()
    fake.inject_fault("POST", CALLBACK, status=429, body={"message": "You are being rate limited."})
    payload = fake.make_slash_command("http", {"query": "503"})
    assert fake.dispatch("INTERACTION_CREATE", payload) == 1
    answered_once(fake, payload)
    assert [c.status for c in callbacks(fake, payload)] == [429, 204]
    assert "Traceback" not in proc.stderr and "KeyError" not in proc.stderr


def test_a_callback_that_always_fails_costs_one_retry_and_one_line(fake: FakeDiscordThread,
                                                                   launch: Launcher) -> None:
    """500 on every callback: one more try a second later (still in time), then one warning line; no error
    reply repeating the same failing call, no traceback, and the bot keeps answering once Discord recovers."""
    proc = launch()
    fault = fake.inject_fault("POST", CALLBACK, status=500, count=1000)
    payload = fake.make_slash_command("http", {"query": "503"})
    mark = proc.log_mark()
    assert fake.dispatch("INTERACTION_CREATE", payload) == 1
    proc.wait_for_log(r"Could not answer interaction \d+: HTTP 500", timeout=ANSWER_TIMEOUT, since=mark)
    time.sleep(QUIET)
    assert [c.status for c in callbacks(fake, payload)] == [500, 500]
    assert "Traceback" not in proc.stderr[mark:]
    assert proc.stderr[mark:].count("Could not answer interaction") == 1
    fault.count = 0
    ask(fake, fake.make_slash_command("http", {"query": "404"}))


def test_a_refused_answer_is_replaced_by_a_private_error_reply(fake: FakeDiscordThread, launch: Launcher) -> None:
    fake.inject_fault("POST", CALLBACK, status=400, body={"message": "Invalid Form Body", "code": 50035})
    proc = launch()
    payload = fake.make_slash_command("http", {"query": "503"})
    final = ask(fake, payload)
    assert final.json["data"]["flags"] & EPHEMERAL
    assert final.json["data"]["content"].startswith("Something went wrong")
    assert "Command http failed" in proc.stderr


@pytest.mark.slow
def test_a_settings_write_on_a_locked_database_is_deferred_then_answered_politely(
        fake: FakeDiscordThread, launch: Launcher, tmp_path: Path) -> None:
    """Another process holds the settings database locked: /http-config language is deferred inside Discord's
    3 s ("thinking…"), and after the 5 s busy timeout the follow-up says nothing was changed."""
    db = tmp_path / "locked.sqlite3"
    proc = launch(db=db)
    guild = fake.guilds[0]
    holder = sqlite3.connect(db, timeout=0.1, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        payload = fake.make_slash_command("http-config", {"value": "ko"}, subcommand="language", guild_id=guild.id,
                                          permissions=(1 << 5) | (1 << 14) | (1 << 11))
        started = time.monotonic()
        deferred = ask(fake, payload, timeout=ANSWER_TIMEOUT)
        assert time.monotonic() - started < 3.0
        assert deferred.json["type"] == 5
        followup = fake.wait_for_call(lambda c: c.method == "POST" and c.api_path.startswith("/webhooks/")
                                      and c.status < 300, timeout=ANSWER_TIMEOUT)
        assert "nothing was changed" in followup.json["content"].lower()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # the database is free again: the same command now works at once
    again = ask(fake, fake.make_slash_command("http-config", {"value": "ko"}, subcommand="language",
                                              guild_id=guild.id, permissions=(1 << 5) | (1 << 14) | (1 << 11)))
    assert again.json["type"] == 4
    assert "Traceback" not in proc.stderr


def test_a_gateway_that_stops_acknowledging_heartbeats_is_left_at_the_next_heartbeat(
        fake: FakeDiscordThread, launch: Launcher) -> None:
    """Discord: a heartbeat due while the previous one has no ACK means a zombied connection; reconnect and
    RESUME at once (discord.py alone waited 60 s without any frame). With a 1 s heartbeat interval the bot
    resumes within about two intervals and answers again."""
    fake.fake.heartbeat_interval_ms = 1000
    proc = launch()
    ask(fake, fake.make_slash_command("http", {"query": "503"}))
    mark = len(fake.gateway_log)
    fake.fake.ack_heartbeats = False
    started = time.monotonic()
    fake.wait_for_op(6, timeout=10.0, since=mark)  # RESUME
    fake.fake.ack_heartbeats = True
    assert time.monotonic() - started < 4.0
    ask(fake, fake.make_slash_command("http", {"query": "404"}))
    assert "stopped responding to the gateway" in proc.stderr
    assert proc.running


def test_sigterm_with_answers_in_flight_is_quiet(fake: FakeDiscordThread, launch: Launcher) -> None:
    """SIGTERM while five answers wait on a slow Discord: exit 0, no traceback, no "Task exception was never
    retrieved" (this used to log about five tracebacks per pending interaction)."""
    proc = launch()
    ask(fake, fake.make_slash_command("http", {"query": "503"}))
    fake.fake.callback_delay = 2.0
    for query in ("500", "502", "504", "429", "401"):
        assert fake.dispatch("INTERACTION_CREATE", fake.make_slash_command("http", {"query": query})) == 1
    time.sleep(0.5)
    assert proc.stop() == 0
    assert "Traceback" not in proc.stderr
    assert "never retrieved" not in proc.stderr and "Unclosed" not in proc.stderr
