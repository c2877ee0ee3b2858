"""The real `statusbot serve` process: starts, answers a signed interaction, refuses a forged one, stops on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from nacl.signing import SigningKey

from .conftest import ROOT

KEY = SigningKey(bytes(range(32)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def request(url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers or {}), timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_serve_answers_signed_interactions_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "DISCORD_PUBLIC_KEY": KEY.verify_key.encode().hex(), "STATUSBOT_DB": str(tmp_path / "db"),
           "STATUSBOT_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("DISCORD_TOKEN", None)
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, process.stderr.read() if process.stderr \
                else ""
            time.sleep(0.2)
        body = json.dumps({"type": 2, "id": "1", "token": "t", "locale": "ko", "data": {
            "name": "http", "type": 1, "options": [{"name": "query", "type": 3, "value": "502 에러"}]}}).encode()
        stamp = str(int(time.time()))
        signature = KEY.sign(stamp.encode() + body).signature.hex()
        status, answer = request(base + "/interactions", body, {"X-Signature-Ed25519": signature,
                                                                "X-Signature-Timestamp": stamp})
        assert status == 200
        assert json.loads(answer)["data"]["embeds"][0]["title"].startswith("502 잘못된 게이트웨이")
        forged = request(base + "/interactions", body, {"X-Signature-Ed25519": "ab" * 64,
                                                        "X-Signature-Timestamp": stamp})
        assert forged[0] == 401
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert b"Traceback" not in err


def test_serve_without_a_public_key_is_one_line_and_exit_2() -> None:
    env = {key: value for key, value in os.environ.items() if key != "DISCORD_PUBLIC_KEY"}
    done = subprocess.run([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env, capture_output=True, timeout=30)
    assert done.returncode == 2 and b"DISCORD_PUBLIC_KEY" in done.stderr and b"Traceback" not in done.stderr
