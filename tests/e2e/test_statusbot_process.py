"""End-to-end: the real `statusbot run` process (a subprocess, unmodified) against tests/e2e/fakediscord.py.

The process finds the fake only through DISCORD_API_BASE and DISCORD_GATEWAY_URL (see conftest.bot_env).
Each test starts its own process(es) and the ``launch`` fixture always stops them (SIGTERM, then SIGKILL
after 10 s); afterwards no output of any process may contain the test tokens.  Only 127.0.0.1 is used and
every wait is bounded.

Timing facts these tests live with (no patching of the bot): on_ready comes ``guild_ready_timeout`` (2 s)
after the last GUILD_CREATE; a re-IDENTIFY after a non-resumable INVALID_SESSION sleeps 5 s
(before_identify_hook); the heartbeat file is first written ~15 s after start; a REST 500 is retried after 1 s.
"""

from __future__ import annotations

import gzip
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from .conftest import BAD_TOKEN, ROOT, SECRETS, STOP_TIMEOUT, Launcher, bot_env
from .fakediscord import DEFAULT_PERMISSIONS, FakeDiscordThread, RestCall, shard_for

ANSWER_TIMEOUT = 10.0
QUIET = 1.0  # how long "nothing else happened" is watched for
MANAGE_GUILD = 1 << 5
EPHEMERAL = 1 << 6
HANGUL = re.compile("[가-힣]")
NGINX_LINE = '"GET /api HTTP/1.1" 502 157 "-" "curl/8.0"'
CALLBACK = r"/interactions/\d+/[^/]+/callback"
CHANNEL_SEND = r"/channels/\d+/messages"


# ---- helpers ---------------------------------------------------------------------------------


def callback_path(payload: Mapping[str, Any]) -> str:
    return f"/interactions/{payload['id']}/{payload['token']}/callback"


def callbacks(fake: FakeDiscordThread, payload: Mapping[str, Any]) -> list[RestCall]:
    path = callback_path(payload)
    return fake.calls.filter(lambda c: c.api_path == path)


def ask(fake: FakeDiscordThread, payload: Mapping[str, Any], timeout: float = ANSWER_TIMEOUT) -> RestCall:
    """Dispatch an INTERACTION_CREATE and return the successful callback that answers it."""
    assert fake.dispatch("INTERACTION_CREATE", payload) == 1, "no live gateway session took the interaction"
    path = callback_path(payload)
    return fake.wait_for_call(lambda c: c.api_path == path and c.status < 300, timeout)


def answered_once(fake: FakeDiscordThread, payload: Mapping[str, Any]) -> RestCall:
    """The one successful callback for ``payload``, after watching QUIET seconds for a second one."""
    ask_call = fake.wait_for_call(lambda c: c.api_path == callback_path(payload) and c.status < 300, ANSWER_TIMEOUT)
    time.sleep(QUIET)
    ok = [c for c in callbacks(fake, payload) if c.status < 300]
    assert len(ok) == 1, f"{len(ok)} successful callbacks for one interaction"
    return ask_call


def channel_posts(fake: FakeDiscordThread, channel_id: int, since: int = 0) -> list[RestCall]:
    return fake.calls.filter(lambda c: c.method == "POST" and c.api_path == f"/channels/{channel_id}/messages",
                             since)


def assert_within_discord_limits(data: Mapping[str, Any]) -> None:
    """Message limits: content 2000; ≤10 embeds; title 256, description 4096, ≤25 fields, field name 256 /
    value 1024, footer 2048, author 256; all embeds together ≤6000 characters."""
    assert len(data.get("content") or "") <= 2000
    embeds = data.get("embeds") or []
    assert 1 <= len(embeds) <= 10
    total = 0
    for embed in embeds:
        title, description = embed.get("title") or "", embed.get("description") or ""
        footer, author = (embed.get("footer") or {}).get("text") or "", (embed.get("author") or {}).get("name") or ""
        assert len(title) <= 256 and len(description) <= 4096 and len(footer) <= 2048 and len(author) <= 256
        fields = embed.get("fields") or []
        assert len(fields) <= 25
        for fld in fields:
            assert 1 <= len(fld["name"]) <= 256 and 1 <= len(fld["value"]) <= 1024
        total += len(title) + len(description) + len(footer) + len(author)
        total += sum(len(f["name"]) + len(f["value"]) for f in fields)
    assert total <= 6000, f"embeds total {total} characters"


def first_title(call: RestCall) -> str:
    """Title of the first embed of an interaction callback or a channel message."""
    body = call.json
    data = body["data"] if "data" in body and "type" in body else body
    return str(data["embeds"][0]["title"])


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def guild_lang(db: Path, guild_id: int) -> str | None:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT lang FROM guild_settings WHERE guild_id = ?", (guild_id,)).fetchone()
    return row[0] if row else None


def set_server_language(fake: FakeDiscordThread, lang: str, guild_id: int | None = None) -> RestCall:
    admin = fake.make_slash_command("http-config", {"value": lang}, subcommand="language", guild_id=guild_id,
                                    permissions=DEFAULT_PERMISSIONS | MANAGE_GUILD)
    call = ask(fake, admin)
    assert call.json["type"] == 4 and call.json["data"]["flags"] & EPHEMERAL
    return call


# ---- answers ---------------------------------------------------------------------------------


def test_http_503_with_korean_locale_answers_in_korean_within_limits(fake: FakeDiscordThread,
                                                                      launch: Launcher) -> None:
    """/http 503 from a Korean client: one public type-4 answer, Korean embed, inside Discord's limits,
    pinging nobody, with the language toggle; private:true makes it ephemeral."""
    launch()
    payload = fake.make_slash_command("http", {"query": "503"}, locale="ko")
    ask(fake, payload)
    call = answered_once(fake, payload)
    assert call.json["type"] == 4
    data = call.json["data"]
    assert data["embeds"][0]["title"].startswith("503 서비스 이용 불가")
    assert HANGUL.search(data["embeds"][0]["fields"][0]["name"])
    assert_within_discord_limits(data)
    assert not (data.get("flags") or 0) & EPHEMERAL
    assert data["allowed_mentions"] == {"parse": []}
    custom_ids = [c.get("custom_id") for row in data["components"] for c in row["components"]]
    assert "statusbot:lang:code-503:en" in custom_ids and "statusbot:rel:ko" in custom_ids

    private = fake.make_slash_command("http", {"query": "gateway timeout", "private": True})
    call = ask(fake, private)
    assert call.json["data"]["flags"] & EPHEMERAL
    assert call.json["data"]["embeds"][0]["title"].startswith("504 Gateway Timeout")


def test_autocomplete_returns_at_most_25_choices(fake: FakeDiscordThread, launch: Launcher) -> None:
    """Autocomplete on /http query: a type-8 callback with ≤25 valid choices, for digits, words, Korean,
    a typo and an empty field."""
    launch()
    cases = {"5": None, "50": "503", "gateway tim": "504", "게이트웨이": "502", "teapto": "418", "": None}
    for current, expected in cases.items():
        payload = fake.make_autocomplete("http", {"query": current}, focused="query")
        call = ask(fake, payload)
        assert call.json["type"] == 8, current
        choices = call.json["data"]["choices"]
        assert 1 <= len(choices) <= 25, (current, len(choices))
        assert all(1 <= len(c["name"]) <= 100 and 1 <= len(c["value"]) <= 100 for c in choices)
        if expected is not None:
            assert expected in [c["value"] for c in choices], (current, choices)
    many = fake.make_autocomplete("http", {"query": "4"}, focused="query")
    assert len(ask(fake, many).json["data"]["choices"]) == 25  # there are more than 25 4xx codes


def test_autocomplete_without_a_focused_option_gets_no_choices(fake: FakeDiscordThread, launch: Launcher) -> None:
    """An autocomplete interaction whose options have no `focused` flag: a type-8 answer with no choices (a
    message, type 4, is what Discord rejects), and the bot goes on answering."""
    launch()
    payload = fake.make_slash_command("http", {"query": "50"}, _kind=4)
    call = ask(fake, payload)
    assert call.json["type"] == 8 and call.json["data"]["choices"] == []
    follow = ask(fake, fake.make_autocomplete("http", {"query": "50"}, focused="query"))
    assert follow.json["type"] == 8 and follow.json["data"]["choices"]


def test_context_menu_on_nginx_access_log_line_explains_502(fake: FakeDiscordThread, launch: Launcher) -> None:
    """Right-click → Explain status codes on a pasted nginx access-log line: the status field (502), not
    the byte count (157)."""
    launch()
    payload = fake.make_message_command("Explain status codes", NGINX_LINE)
    call = ask(fake, payload)
    assert call.json["type"] == 4
    titles = [e["title"] for e in call.json["data"]["embeds"]]
    assert len(titles) == 1 and titles[0].startswith("502 Bad Gateway"), titles
    assert_within_discord_limits(call.json["data"])

    nothing = fake.make_message_command("Explain status codes", "lunch at noon?")
    call = ask(fake, nothing)
    assert call.json["data"]["flags"] & EPHEMERAL and "no status code" in call.json["data"]["content"]


def test_context_menu_summarises_a_pasted_log_and_a_log_attachment(fake: FakeDiscordThread, launch: Launcher
                                                                     ) -> None:
    """A pasted block of access-log lines gets the log summary; so does a gzip attachment, downloaded from the
    CDN after a deferred reply, its summary sent as the follow-up."""
    launch()
    logs = ROOT / "tests" / "fixtures" / "logs"
    block = "```\n" + (logs / "ingress.log").read_text(encoding="utf-8") + "```"
    call = ask(fake, fake.make_message_command("Explain status codes", block))
    (embed,) = call.json["data"]["embeds"]
    assert embed["title"] == "Log summary: 3 lines"
    assert "**503** ×1" in embed["description"] and "shop-payments-80" not in embed["description"]
    assert_within_discord_limits(call.json["data"])

    message = fake.make_message("the ALB logs", channel_id=fake.guilds[0].text_channel.id)
    fake.attach(message, "alb.log.gz", gzip.compress((logs / "alb.log").read_bytes()))
    mark = fake.calls.mark()
    payload = fake.make_message_command("Explain status codes", message)
    deferred = ask(fake, payload)
    assert deferred.json["type"] == 5  # deferred: the download may outlast Discord's 3 s
    token = payload["token"]
    follow = fake.wait_for_call(lambda c: c.method in ("POST", "PATCH") and c.api_path.startswith("/webhooks/")
                                and token in c.api_path, ANSWER_TIMEOUT,
                                since=mark)
    (summary,) = follow.json["embeds"]
    assert summary["title"] == "Log summary: 4 lines · alb.log.gz"
    assert "**502** ×1" in summary["description"]


def test_mention_with_everyone_pings_nobody_and_explains_418(fake: FakeDiscordThread, launch: Launcher) -> None:
    """"@everyone what does 418 mean" mentioning the bot: a channel message replying to it, with
    allowed_mentions parsing nothing, whose embed is about 418."""
    launch(STATUSBOT_MESSAGE_CONTENT="1")
    guild = fake.guilds[0]
    channel = guild.text_channel.id
    message = fake.make_message(f"@everyone {fake.bot_mention} what does 418 mean", channel_id=channel,
                                mention_bot=True, mention_everyone=True)
    mark = fake.calls.mark()
    fake.dispatch("MESSAGE_CREATE", message)
    post = fake.wait_for_call(lambda c: c.method == "POST" and c.api_path == f"/channels/{channel}/messages",
                              ANSWER_TIMEOUT, since=mark)
    assert post.status == 200
    body = post.json
    # parses nothing; as a reply it also says replied_user: false (do not ping the author either)
    assert body["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert body["embeds"][0]["title"].startswith("418 ")
    assert "@everyone" not in (body.get("content") or "")
    assert str(body["message_reference"]["message_id"]) == message["id"]
    assert_within_discord_limits(body)
    time.sleep(QUIET)  # its own echoed message (MESSAGE_CREATE) must not be answered
    assert len(channel_posts(fake, channel, mark)) == 1


def test_free_text_in_an_opted_in_channel(fake: FakeDiscordThread, launch: Launcher) -> None:
    """With STATUSBOT_MESSAGE_CONTENT=1 and /http-config channel-add: a plain question there is answered,
    chit-chat is not, and other channels stay quiet unless the bot is mentioned."""
    proc = launch(STATUSBOT_MESSAGE_CONTENT="1")
    assert "Running without the message content intent" not in proc.stderr
    guild = fake.guilds[0]
    opted, other = guild.channels[0].id, guild.channels[1].id
    add = fake.make_slash_command("http-config", subcommand="channel-add", channel_id=opted,
                                  permissions=DEFAULT_PERMISSIONS | MANAGE_GUILD)
    assert "I will answer" in ask(fake, add).json["data"]["content"]

    mark = fake.calls.mark()
    fake.dispatch("MESSAGE_CREATE", fake.make_message("good morning team", channel_id=opted))
    fake.dispatch("MESSAGE_CREATE", fake.make_message("what does 404 mean", channel_id=other))
    fake.dispatch("MESSAGE_CREATE", fake.make_message("what does 404 mean", channel_id=opted))
    post = fake.wait_for_call(lambda c: c.method == "POST" and "/messages" in c.api_path, ANSWER_TIMEOUT, since=mark)
    assert post.api_path == f"/channels/{opted}/messages"
    assert post.json["embeds"][0]["title"].startswith("404 Not Found")
    time.sleep(QUIET)
    assert len(fake.calls.filter(lambda c: c.method == "POST" and "/messages" in c.api_path, mark)) == 1


def test_language_button_and_related_select(fake: FakeDiscordThread, launch: Launcher) -> None:
    """Clicking 한국어 (custom_id statusbot:lang:code-503:ko) on the English answer edits it in place
    (type 7) into Korean; choosing 504 in the related-codes select answers that person privately."""
    launch()
    first = ask(fake, fake.make_slash_command("http", {"query": "503"}))
    assert first.json["data"]["embeds"][0]["title"].startswith("503 Service Unavailable")
    state = fake.interaction_state(first.api_path.split("/")[2])
    assert state is not None and state.original is not None

    click = fake.make_component("statusbot:lang:code-503:ko", message=state.original)
    call = ask(fake, click)
    assert call.json["type"] == 7
    data = call.json["data"]
    assert data["embeds"][0]["title"].startswith("503 서비스 이용 불가")
    assert_within_discord_limits(data)
    ids = [c.get("custom_id") for row in data["components"] for c in row["components"]]
    assert "statusbot:lang:code-503:en" in ids  # the toggle now switches back

    # a click on a message from before a restart works too: the state is in the custom_id
    bare = fake.make_component("statusbot:lang:code-503:ko")
    assert ask(fake, bare).json["type"] == 7

    pick = fake.make_component("statusbot:rel:ko", component_type=3, values=["504"])
    call = ask(fake, pick)
    assert call.json["type"] == 4 and call.json["data"]["flags"] & EPHEMERAL
    assert call.json["data"]["embeds"][0]["title"].startswith("504 게이트웨이 시간 초과")


# ---- command sync ----------------------------------------------------------------------------


def test_commands_synced_on_first_start_only(fake: FakeDiscordThread, launch: Launcher, tmp_path: Path) -> None:
    """First start on an empty database uploads the tree once (PUT .../commands, with Korean names);
    a second start on the same database finds the stored hash and does not sync."""
    db = tmp_path / "sync.sqlite3"
    first = launch(name="first", db=db, STATUSBOT_LOG_LEVEL="DEBUG")
    puts = fake.calls.filter(lambda c: c.method == "PUT" and re.fullmatch(r"/applications/\d+/commands", c.api_path))
    assert len(puts) == 1 and puts[0].status == 200
    names = {(c["name"], c.get("type", 1)) for c in puts[0].json}
    assert names == {("http", 1), ("http-config", 1), ("Explain status codes", 3)}
    config = next(c for c in puts[0].json if c["name"] == "http-config")
    assert config["name_localizations"]["ko"] == "http-설정"
    assert "synced 3 global commands" in first.stderr
    assert first.stop() == 0

    mark = fake.calls.mark()
    second = launch(name="second", db=db)
    assert ask(fake, fake.make_slash_command("http", {"query": "404"})).status < 300  # fully up
    assert not fake.calls.filter(lambda c: c.method in ("PUT", "POST") and "/commands" in c.api_path, mark)
    assert "not syncing" in second.stderr


def test_sync_command_to_one_guild(fake: FakeDiscordThread, tmp_path: Path) -> None:
    """`statusbot sync --guild ID` uploads the tree to that guild only (no gateway), prints one line, exits 0;
    with a rejected token it exits 1 with one line."""
    guild_id = fake.guilds[0].id
    env = bot_env(fake, tmp_path, db=tmp_path / "sync.sqlite3")
    done = run_once(env, "sync", "--guild", str(guild_id))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"synced 3 commands to guild {guild_id}"
    puts = fake.calls.filter(lambda c: c.method == "PUT" and "/commands" in c.api_path)
    assert [c.api_path.split("/")[-2] for c in puts] == [str(guild_id)]
    assert not fake.gateway_log.filter(lambda f: f.direction == "in" and f.op == 2)  # never connected
    assert "voice will NOT be supported" not in done.stderr  # the bot has no voice; no noise about it

    refused = run_once(bot_env(fake, tmp_path, db=tmp_path / "sync.sqlite3", token=BAD_TOKEN), "sync")
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert "statusbot: Discord rejected the token (401 Unauthorized): check DISCORD_TOKEN" in refused.stderr
    assert "Traceback" not in refused.stderr


# ---- gateway faults --------------------------------------------------------------------------


def test_dropped_gateway_connection_is_resumed(fake: FakeDiscordThread, launch: Launcher) -> None:
    """The TCP connection dies mid-session (no close frame): the bot RESUMEs on resume_gateway_url, the
    interaction sent during the outage is replayed and answered, and later ones are answered too."""
    launch()
    session = fake.live_sessions()[0]
    mark = fake.gateway_log.mark()
    assert fake.drop_connection() == 1
    during = fake.make_slash_command("http", {"query": "502"})
    fake.dispatch("INTERACTION_CREATE", during)  # buffered by the fake, replayed on RESUME
    resume = fake.wait_for_op(6, timeout=ANSWER_TIMEOUT, since=mark)
    assert resume.d["session_id"] == session.session_id
    assert answered_once(fake, during).json["data"]["embeds"][0]["title"].startswith("502")
    after = ask(fake, fake.make_slash_command("http", {"query": "429"}))
    assert after.json["data"]["embeds"][0]["title"].startswith("429")
    connect = fake.wait_for_gateway(lambda f: f.direction == "connect", since=mark)
    assert connect.url is not None and connect.url.startswith("/gateway-resume?")
    assert not fake.gateway_log.filter(lambda f: f.direction == "in" and f.op == 2, mark)  # no re-IDENTIFY


@pytest.mark.parametrize("frame", [
    "this is not json", '{"op": 0, "t": "X", "d": "\\uZZZZ"}', "[1,2,3]", "null",
    b"\x78\x9c not zlib at all\x00\x00\xff\xff", "x" * (9 * 1024 * 1024),  # (the zlib-stream frame suffix ends it)
], ids=["not-json", "bad-escape", "array", "null", "bad-zlib", "9MiB"])
def test_a_malformed_gateway_frame_is_dropped_and_the_shard_resumes(fake: FakeDiscordThread, launch: Launcher,
                                                                     frame: str | bytes) -> None:
    """One broken frame from the gateway: logged, dropped, the shard RESUMEs its session, and the bot keeps
    answering (discord.py alone ends the process with exit 1)."""
    proc = launch()
    session = fake.live_sessions()[0]
    mark = fake.gateway_log.mark()
    fake.send_raw(frame)
    resume = fake.wait_for_op(6, timeout=ANSWER_TIMEOUT, since=mark)
    assert resume.d["session_id"] == session.session_id
    after = ask(fake, fake.make_slash_command("http", {"query": "429"}))
    assert after.json["data"]["embeds"][0]["title"].startswith("429")
    assert proc.proc is not None and proc.proc.poll() is None
    assert "Dropped a" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_invalid_session_reidentifies_and_keeps_answering(fake: FakeDiscordThread, launch: Launcher) -> None:
    """A non-resumable INVALID_SESSION: the bot IDENTIFYs again (after discord.py's 5 s pause) on a new
    session and answers again."""
    launch()
    old = fake.live_sessions()[0].session_id
    mark = fake.gateway_log.mark()
    assert fake.send_invalid_session(resumable=False) == 1
    fake.wait_for_op(2, timeout=20, since=mark)
    fake.wait_for_gateway(lambda f: f.direction == "out" and f.t == "READY", timeout=5, since=mark)
    assert [s.session_id for s in fake.live_sessions()] != [old]
    call = ask(fake, fake.make_slash_command("http", {"query": "401 vs 403"}))
    assert call.json["type"] == 4 and len(call.json["data"]["embeds"]) >= 1


def test_malformed_gateway_events_are_logged_and_dropped(fake: FakeDiscordThread, launch: Launcher) -> None:
    """Garbage DISPATCH frames (missing ids, wrong types, null data, an unknown event): each is logged and
    dropped; the process stays up and keeps answering."""
    proc = launch(STATUSBOT_MESSAGE_CONTENT="1")
    garbage: list[dict[str, Any]] = [
        {"op": 0, "t": "INTERACTION_CREATE", "s": None, "d": {"garbage": True}},
        {"op": 0, "t": "INTERACTION_CREATE", "s": None, "d": None},
        {"op": 0, "t": "MESSAGE_CREATE", "s": None, "d": {"id": "not-a-snowflake"}},
        {"op": 0, "t": "MESSAGE_CREATE", "s": None, "d": [1, 2, 3]},
        {"op": 0, "t": "STATUSBOT_FROM_THE_FUTURE", "s": None, "d": {"x": 1}},
    ]
    mark = proc.log_mark()
    for frame in garbage:
        assert fake.send_raw(frame) == 1
    deadline = time.monotonic() + ANSWER_TIMEOUT
    while len(re.findall(r"Dropped a malformed \w+ event", proc.stderr[mark:])) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)  # the four are logged as the bot reads them, not all at once
    assert proc.running
    assert len(re.findall(r"Dropped a malformed \w+ event", proc.stderr[mark:])) == 4
    call = ask(fake, fake.make_slash_command("http", {"query": "500"}))
    assert call.json["data"]["embeds"][0]["title"].startswith("500")
    mention = fake.make_message(f"{fake.bot_mention} 503?", mention_bot=True)
    since = fake.calls.mark()
    fake.dispatch("MESSAGE_CREATE", mention)
    fake.wait_for_call(lambda c: c.method == "POST" and "/messages" in c.api_path, ANSWER_TIMEOUT, since=since)
    assert proc.running


# ---- REST faults -----------------------------------------------------------------------------

REST_FAULTS = {
    # name: (target, status, expected statuses of the first request's attempts)
    "callback-500-retried": ("callback", 500, [500, 204]),
    "callback-429-retried": ("callback", 429, [429, 204]),
    "callback-400-error-reply": ("callback", 400, [400, 204]),
    "send-500-retried": ("send", 500, [500, 200]),
    "send-429-retried": ("send", 429, [429, 200]),
    "send-403-given-up": ("send", 403, [403]),
}


@pytest.mark.parametrize("case", list(REST_FAULTS))
def test_rest_faults_are_retried_or_given_up_cleanly(fake: FakeDiscordThread, launch: Launcher, case: str) -> None:
    """A 500 or 429 (with retry_after) on the interaction callback or a channel send is retried and the
    answer arrives exactly once; a 400 on the callback ends in a private error reply; a 403 on a send is
    logged and dropped.  Either way the next events are answered normally."""
    target, status, expected = REST_FAULTS[case]
    proc = launch(STATUSBOT_MESSAGE_CONTENT="1")
    guild = fake.guilds[1]
    channel = guild.text_channel.id
    fault = fake.inject_fault("POST", CALLBACK if target == "callback" else CHANNEL_SEND, status=status,
                              retry_after=0.3)
    mark = fake.calls.mark()
    if target == "callback":
        payload = fake.make_slash_command("http", {"query": "503"}, guild_id=guild.id)
        path = callback_path(payload)
        started = time.monotonic()
        assert fake.dispatch("INTERACTION_CREATE", payload) == 1
    else:
        path = f"/channels/{channel}/messages"
        message = fake.make_message(f"{fake.bot_mention} what is 503", channel_id=channel, mention_bot=True)
        started = time.monotonic()
        assert fake.dispatch("MESSAGE_CREATE", message) == 1
    if expected[-1] < 300:
        final = fake.wait_for_call(lambda c: c.api_path == path and c.status < 300, ANSWER_TIMEOUT, since=mark)
    else:
        proc.wait_for_log(r"No permission to answer in channel", timeout=ANSWER_TIMEOUT)
    elapsed = time.monotonic() - started
    time.sleep(QUIET)  # a duplicate or a further retry would show up here
    attempts = fake.calls.filter(lambda c: c.method == "POST" and c.api_path == path, mark)
    assert [c.status for c in attempts] == expected
    assert fault.count == 0 and attempts[0].fault
    if status == 429:
        assert elapsed >= 0.3, "retried before retry_after"
    elif status == 500:
        assert elapsed >= 1.0, "discord.py waits 1 s before retrying a 500"
    if case == "callback-400-error-reply":
        assert final.json["data"]["flags"] & EPHEMERAL
        assert final.json["data"]["content"].startswith("Something went wrong")
        assert "Command http failed" in proc.stderr
    elif expected[-1] < 300:
        assert first_title(final).startswith("503 Service Unavailable")

    # keeps answering afterwards, on both paths
    later = ask(fake, fake.make_slash_command("http", {"query": "404"}, guild_id=guild.id))
    assert first_title(later).startswith("404 Not Found")
    mark = fake.calls.mark()
    fake.dispatch("MESSAGE_CREATE", fake.make_message(f"{fake.bot_mention} 418?", channel_id=channel,
                                                      mention_bot=True))
    post = fake.wait_for_call(lambda c: c.api_path == f"/channels/{channel}/messages", ANSWER_TIMEOUT, since=mark)
    assert post.status == 200 and first_title(post).startswith("418")
    assert proc.running


# ---- process lifecycle -----------------------------------------------------------------------


def test_sigterm_exits_0_within_10_s_with_an_intact_database(fake: FakeDiscordThread, launch: Launcher,
                                                            tmp_path: Path) -> None:
    """SIGTERM right after a settings write: exit code 0 within 10 s, the gateway closed, the database
    passes PRAGMA integrity_check and holds the write."""
    db = tmp_path / "term.sqlite3"
    proc = launch(db=db)
    guild = fake.guilds[0]
    set_server_language(fake, "ko", guild.id)
    started = time.monotonic()
    assert proc.stop(timeout=STOP_TIMEOUT) == 0
    took = time.monotonic() - started
    assert took < STOP_TIMEOUT, f"took {took:.1f}s"
    assert "SIGTERM received: closing." in proc.stderr and "statusbot: Stopped." in proc.stderr
    assert "Traceback" not in proc.stderr
    fake.wait_for_gateway(lambda f: f.direction == "disconnect", timeout=2)
    assert integrity(db) == "ok"
    assert guild_lang(db, guild.id) == "ko"


@pytest.mark.parametrize("forged", ["-1", " 32 ", "\u0663\u0662", str(2**64 + 32), "32.0", ""])
def test_a_forged_permissions_string_grants_nothing(fake: FakeDiscordThread, launch: Launcher, tmp_path: Path,
                                                    forged: str) -> None:
    """Permission fields that `int()` accepts but Discord never sends ("-1", padded, Arabic-Indic digits, past 64
    bits): the Manage Server check refuses, the setting is not written, and the bot answers on."""
    db = tmp_path / "forged.sqlite3"
    guild = fake.guilds[0]
    launch(db=db)
    payload = fake.make_slash_command("http-config", {"value": "ko"}, subcommand="language", guild_id=guild.id)
    payload["member"]["permissions"] = forged
    refused = ask(fake, payload)
    assert "Manage Server" in refused.json["data"]["content"]
    assert guild_lang(db, guild.id) != "ko"
    assert ask(fake, fake.make_slash_command("http", {"query": "404"})).json["type"] == 4


def test_kill_9_then_restart_keeps_server_settings(fake: FakeDiscordThread, launch: Launcher,
                                                   tmp_path: Path) -> None:
    """/http-config language ko by a Manage Server member (a member without it is refused), kill -9,
    restart on the same database: /http 404 without lang answers in Korean."""
    db = tmp_path / "kill.sqlite3"
    guild = fake.guilds[0]
    first = launch(name="before-kill", db=db)
    refused = ask(fake, fake.make_slash_command("http-config", {"value": "ko"}, subcommand="language"))
    assert "Manage Server" in refused.json["data"]["content"]
    assert "이 서버의 기본 언어를 **ko**" in set_server_language(fake, "ko", guild.id).json["data"]["content"]
    assert first.kill9() == -9
    assert integrity(db) == "ok"

    launch(name="after-kill", db=db)
    call = ask(fake, fake.make_slash_command("http", {"query": "404"}, guild_id=guild.id, locale="en-US"))
    assert call.json["data"]["embeds"][0]["title"].startswith("404 찾을 수 없음")
    other = ask(fake, fake.make_slash_command("http", {"query": "404"}, guild_id=fake.guilds[1].id))
    assert other.json["data"]["embeds"][0]["title"].startswith("404 Not Found")  # per server


@pytest.mark.slow
def test_two_processes_split_two_shards(fake: FakeDiscordThread, launch: Launcher, tmp_path: Path) -> None:
    """`--shard-count 2 --shard-ids 0` and `... --shard-ids 1` on one database: each gets only its shard's
    guilds, an interaction in a shard-1 guild reaches only process B's session and is answered once,
    and with B stopped nobody answers shard-1 guilds while A still answers its own."""
    db = tmp_path / "shards.sqlite3"
    a = launch("--shard-count", "2", "--shard-ids", "0", name="shard0", db=db, heartbeat=tmp_path / "hb0")
    b = launch("--shard-count", "2", "--shard-ids", "1", name="shard1", db=db, heartbeat=tmp_path / "hb1")
    assert re.search(r"Ready as .* on shards \[0\], 2 guilds", a.stderr)
    assert re.search(r"Ready as .* on shards \[1\], 2 guilds", b.stderr)
    identifies = fake.gateway_log.filter(lambda f: f.direction == "in" and f.op == 2)
    conn_of = {tuple(f.d["shard"]): f.conn_id for f in identifies}
    assert set(conn_of) == {(0, 2), (1, 2)} and len(identifies) == 2
    assert len(fake.calls.filter(lambda c: c.method == "PUT")) == 1  # B found A's sync hash

    shard1_guild = next(g for g in fake.guilds if shard_for(g.id, 2) == 1)
    shard0_guild = next(g for g in fake.guilds if shard_for(g.id, 2) == 0)
    for guild, shard in ((shard1_guild, 1), (shard0_guild, 0)):
        payload = fake.make_slash_command("http", {"query": "503"}, guild_id=guild.id)
        ask(fake, payload)
        answered_once(fake, payload)
        sent = fake.gateway_log.filter(lambda f, p=payload: f.direction == "out" and f.t == "INTERACTION_CREATE"
                                       and f.d["id"] == p["id"])
        assert [(f.shard_id, f.conn_id) for f in sent] == [(shard, conn_of[(shard, 2)])]

    assert b.stop() == 0
    orphan = fake.make_slash_command("http", {"query": "503"}, guild_id=shard1_guild.id)
    fake.dispatch("INTERACTION_CREATE", orphan)  # B's session is gone; A must not pick it up
    still = ask(fake, fake.make_slash_command("http", {"query": "504"}, guild_id=shard0_guild.id))
    assert first_title(still).startswith("504")
    time.sleep(QUIET)
    assert callbacks(fake, orphan) == []
    assert a.running


# ---- configuration errors --------------------------------------------------------------------


def run_once(env: dict[str, str], *args: str, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("token", [None, "   "], ids=["unset", "blank"])
def test_no_token_exits_2_with_one_line(fake: FakeDiscordThread, tmp_path: Path, token: str | None) -> None:
    """No DISCORD_TOKEN: exit 2, exactly one line on stderr, nothing on stdout, no traceback, no REST call."""
    env = bot_env(fake, tmp_path, db=tmp_path / "db.sqlite3", token=token)
    done = run_once(env, "run")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "statusbot: DISCORD_TOKEN is not set: export the bot token from the Discord developer portal"
    ]
    assert len(fake.calls) == 0


def test_rejected_token_exits_1_with_one_line(fake: FakeDiscordThread, launch: Launcher) -> None:
    """A token Discord refuses (401 on GET /users/@me): exit 1, one clear statusbot line, no traceback,
    and the refused token is printed nowhere."""
    proc = launch(name="rejected", token=BAD_TOKEN, ready=False)
    assert proc.wait_exit(20) == 1
    assert proc.plain_lines() == ["statusbot: Discord rejected the token (401 Unauthorized): check DISCORD_TOKEN"]
    assert "Traceback" not in proc.stderr and " ERROR " not in proc.stderr
    assert proc.stdout == ""
    login = fake.wait_for_call(lambda c: c.api_path == "/users/@me", timeout=1)
    assert login.status == 401 and not login.authorized
    assert not fake.gateway_log.filter(lambda f: f.direction == "in" and f.op == 2)


@pytest.mark.parametrize(("code", "env", "message"), [
    (4004, {}, "statusbot: Discord rejected the token: check DISCORD_TOKEN (gateway close 4004)"),
    (4014, {}, "statusbot: Discord refused a privileged intent (close 4014) although statusbot asked for none: "
               "check the application's intents in the Developer Portal"),
    (4014, {"STATUSBOT_MESSAGE_CONTENT": "1"}, "statusbot: Discord refused the message content intent (close 4014): "
     "enable it for the bot in the Developer Portal (Bot → Privileged Gateway Intents), or unset "
     "STATUSBOT_MESSAGE_CONTENT"),
    (4013, {}, "statusbot: Discord refused the gateway intents as invalid (close 4013): this statusbot build asks for "
               "intents Discord does not know; update discord.py or statusbot"),
])
def test_fatal_gateway_close_codes_name_their_cause(fake: FakeDiscordThread, launch: Launcher, code: int,
                                                   env: dict[str, str], message: str) -> None:
    """The gateway closes with a code Discord does not let a client resume from: exit 1 with one line that says
    what to fix (4014 names the variable only when it was set), no traceback."""
    proc = launch(name=f"close{code}", **env)
    fake.drop_connection(code=code)
    assert proc.wait_exit(20) == 1
    assert message in proc.plain_lines(), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(("status", "logged"), [
    (429, "Command sync rate-limited by Discord for 40000 s"),
    (500, "Command sync failed (500"),
    (400, "Command sync failed (400"),
])
def test_a_failing_command_sync_never_keeps_the_bot_offline(fake: FakeDiscordThread, launch: Launcher,
                                                             status: int, logged: str) -> None:
    """The command sync answers a daily-limit 429 (retry_after 40,000 s), a 500 or a 400: the bot goes online
    anyway, answers /http with the commands Discord already has, and says so in one line."""
    if status == 429:
        fake.rate_limit_next("PUT", r"/applications/\d+/commands", retry_after=40000)
    else:
        fake.fail_next("PUT", r"/applications/\d+/commands", status=status, count=5)
    started = time.monotonic()
    proc = launch()  # waits for READY
    assert time.monotonic() - started < 20
    call = ask(fake, fake.make_slash_command("http", {"query": "503"}))
    assert call.json["data"]["embeds"][0]["title"].startswith("503")
    # (discord.py retries a 5xx five times, about 25 s, before it gives up)
    proc.wait_for_log(re.escape(logged), timeout=45 if status >= 500 else 10)
    assert "Traceback" not in proc.stderr


def test_a_long_rate_limit_at_login_is_one_line_and_exit_1(fake: FakeDiscordThread, launch: Launcher) -> None:
    """A long global 429 on GET /users/@me: the process does not hang; exit 1 with one clear line."""
    fake.rate_limit_next("GET", r"/users/@me", retry_after=40000, is_global=True)
    proc = launch(name="login-429", ready=False)
    assert proc.wait_exit(30) == 1
    assert any("Discord rate-limits this bot for 40000 s" in line for line in proc.plain_lines()), proc.stderr
    assert "Traceback" not in proc.stderr


# ---- health ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_health_is_ok_while_the_bot_runs(fake: FakeDiscordThread, launch: Launcher, tmp_path: Path) -> None:
    """`statusbot health` (no token needed) fails before the first heartbeat and exits 0 once the running
    bot has written it (every 15 s, only when ready)."""
    heartbeat = tmp_path / "beat"
    proc = launch(heartbeat=heartbeat)
    env = bot_env(None, tmp_path, db=tmp_path / "statusbot.sqlite3", token=None, heartbeat=heartbeat)
    if not heartbeat.exists():
        early = run_once(env, "health")
        assert early.returncode == 1 and early.stderr.startswith("statusbot: unhealthy: no heartbeat")
    deadline = time.monotonic() + 30
    while not heartbeat.exists():
        assert proc.running and time.monotonic() < deadline, "no heartbeat within 30 s"
        time.sleep(0.2)
    done = run_once(env, "health")
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"healthy: last heartbeat \d+ s ago\n", done.stdout)
    assert abs(float(heartbeat.read_text()) - time.time()) < 20
    for secret in SECRETS:
        assert secret not in done.stdout + done.stderr


def test_metrics_port_shows_answers_and_the_gateway(fake: FakeDiscordThread, launch: Launcher) -> None:
    """With STATUSBOT_METRICS_PORT, GET /metrics (Prometheus text) counts answered interactions by outcome, their
    time to answer and class, and shows the connected shards."""
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    launch(STATUSBOT_METRICS_PORT=str(port))
    for query in ("503", "404 vs 410"):
        assert ask(fake, fake.make_slash_command("http", {"query": query})).json["type"] == 4
    time.sleep(0.3)
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    assert 'statusbot_interactions_total{kind="http",outcome="answered"} 2.0' in text
    assert 'statusbot_answers_total{cls="5xx"} 1.0' in text
    assert "statusbot_answer_seconds_count 2.0" in text
    assert "statusbot_shards_connected 1.0" in text
