"""Fixtures for the end-to-end tests that run the real `statusbot run` process against the fake Discord.

* ``fake``: a FakeDiscordThread (REST + gateway on 127.0.0.1, ephemeral port) per test.
* ``launch``: starts `python -m bot run ...` subprocesses pointed at the fake through exactly the two
  variables the bot reads (DISCORD_API_BASE, DISCORD_GATEWAY_URL).  Every process it started is stopped
  at teardown (SIGTERM, SIGKILL after 10 s), and then no process output may contain the test tokens.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import pytest

from .fakediscord import FakeDiscordThread

ROOT = Path(__file__).resolve().parents[2]

# Distinctive strings: they must never show up in any output of the bot.
TOKEN = "sbE2E.Zm9vYmFyLXN0YXR1c2JvdC10b2tlbg.GoodTok3n-7q2Xv"
BAD_TOKEN = "sbE2E.cmVqZWN0ZWQtc3RhdHVzYm90LXRva2Vu.BadTok3n-9kW4p"
SECRETS = (TOKEN, BAD_TOKEN)

START_TIMEOUT = 25.0  # process start + login + sync + guild_ready_timeout (2 s), with room for a busy 2-core box
STOP_TIMEOUT = 10.0  # what a supervisor (docker stop) gives the bot after SIGTERM

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ ")


def bot_env(fake: FakeDiscordThread | None, workdir: Path, *, db: Path, token: str | None = TOKEN,
            heartbeat: Path | None = None, **extra: str) -> dict[str, str]:
    """A clean environment for a bot process: nothing inherited from DISCORD_*/STATUSBOT_*/FAKEDISCORD_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "STATUSBOT_", "FAKEDISCORD_"))}
    env.update(
        PYTHONUNBUFFERED="1",
        STATUSBOT_DB=str(db),
        STATUSBOT_HEARTBEAT=str(heartbeat or workdir / "heartbeat"),
        STATUSBOT_LOG_LEVEL="INFO",
        # Free-text rate limits off: several tests send more than one mention from the same user.
        STATUSBOT_USER_COOLDOWN="0",
        STATUSBOT_CHANNEL_BURST="1000",
    )
    if fake is not None:
        env.update(DISCORD_API_BASE=fake.api_base, DISCORD_GATEWAY_URL=fake.gateway_url)
    if token is not None:
        env["DISCORD_TOKEN"] = token
    env.update(extra)
    return env


class BotProcess:
    """One `python -m bot <command>` subprocess; stdout/stderr go to files (nothing to drain)."""

    def __init__(self, name: str, workdir: Path, env: dict[str, str], args: Sequence[str]) -> None:
        self.name = name
        self.env = env
        self.args = [sys.executable, "-m", "bot", *args]
        self.out_path = workdir / f"{name}.stdout"
        self.err_path = workdir / f"{name}.stderr"
        self.proc: subprocess.Popen[bytes] | None = None
        self._files: list[IO[bytes]] = []
        self.started_at = 0.0

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> BotProcess:
        out, err = self.out_path.open("wb"), self.err_path.open("wb")
        self._files = [out, err]
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(self.args, env=self.env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out,
                                     stderr=err)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_exit(self, timeout: float) -> int:
        assert self.proc is not None
        code = self.proc.wait(timeout)
        self._close_files()
        return code

    def stop(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM, then SIGKILL if it has not exited after ``timeout`` s.  Returns the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._close_files()
        return self.proc.returncode

    def kill9(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        return self.wait_exit(5)

    def _close_files(self) -> None:
        for handle in self._files:
            handle.close()
        self._files = []

    # ---- output ----------------------------------------------------------------------------

    @property
    def stdout(self) -> str:
        return self.out_path.read_text("utf-8", errors="replace") if self.out_path.exists() else ""

    @property
    def stderr(self) -> str:
        return self.err_path.read_text("utf-8", errors="replace") if self.err_path.exists() else ""

    def plain_lines(self) -> list[str]:
        """stderr lines that are not timestamped log records (what a user reads as the message)."""
        return [line for line in self.stderr.splitlines() if line.strip() and not LOG_LINE.match(line)]

    def wait_for_log(self, pattern: str, timeout: float = START_TIMEOUT, since: int = 0) -> re.Match[str]:
        """Wait until ``pattern`` (regex) appears in stderr after character offset ``since``."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            match = regex.search(self.stderr, since)
            if match:
                return match
            if not self.running:
                raise AssertionError(f"{self.name} exited ({self.proc and self.proc.returncode}) before logging "
                                     f"{pattern!r}; stderr:\n{self.stderr[-4000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} did not log {pattern!r} within {timeout}s; "
                                     f"stderr:\n{self.stderr[-4000:]}")
            time.sleep(0.05)

    def wait_ready(self, timeout: float = START_TIMEOUT) -> float:
        """Wait for the bot's on_ready log line; returns seconds since start."""
        self.wait_for_log(r"statusbot: Ready as ", timeout)
        return time.monotonic() - self.started_at

    def log_mark(self) -> int:
        return len(self.stderr)


Launcher = Callable[..., BotProcess]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "slow: 5 s or more by design (discord.py's re-IDENTIFY pause, the 15 s heartbeat, two bot processes); "
        "part of the default run, deselect with -m 'not slow'",
    )


@pytest.fixture
def fake() -> Iterator[FakeDiscordThread]:
    server = FakeDiscordThread(tokens={TOKEN})
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def launch(fake: FakeDiscordThread, tmp_path: Path) -> Iterator[Launcher]:
    """``launch(*args, name=..., db=..., token=..., ready=True, **env)`` starts ``python -m bot run *args``."""
    started: list[BotProcess] = []

    def _launch(*args: str, name: str | None = None, db: Path | None = None, token: str | None = TOKEN,
                command: str = "run", ready: bool = True, heartbeat: Path | None = None,
                **extra_env: Any) -> BotProcess:
        label = name or f"bot{len(started) + 1}"
        env = bot_env(fake, tmp_path, db=db or tmp_path / "statusbot.sqlite3", token=token, heartbeat=heartbeat,
                      **{k: str(v) for k, v in extra_env.items()})
        proc = BotProcess(label, tmp_path, env, [command, *args]).start()
        started.append(proc)
        if ready:
            proc.wait_ready()
        return proc

    try:
        yield _launch
    finally:
        for proc in started:
            if proc.proc is not None:
                proc.stop()
    for proc in started:
        for secret in SECRETS:
            assert secret not in proc.stdout and secret not in proc.stderr, f"{proc.name} printed a token"
