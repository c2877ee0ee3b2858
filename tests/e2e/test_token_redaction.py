"""The token never reaches the terminal, even when an upstream echoes it back in an error body."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from tests.conftest import ROOT

TOKEN = "MTEzMjQ2MjA4MDAwMDAwMDAwNw.GabcdE.k9sPq2Xy7Wv1Lm3Nn5Rr8Tt0Uu4Zz6Aa2Bb9Cc"


class _EchoingProxy(http.server.BaseHTTPRequestHandler):
    """A WAF page that quotes the request's headers back, as some proxies do."""

    def do_GET(self) -> None:
        body = f"<h1>Request blocked</h1><pre>Authorization: {self.headers.get('Authorization')}</pre>".encode()
        self.send_response(400)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_PUT = do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def echoing_api() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoingProxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/v10"
    server.shutdown()


@pytest.mark.parametrize("command", [["sync"], ["run"]])
def test_an_echoed_token_is_redacted_everywhere(echoing_api: str, tmp_path, command: list[str]) -> None:
    env = {**os.environ, "DISCORD_TOKEN": TOKEN, "DISCORD_API_BASE": echoing_api,
           "STATUSBOT_DB": str(tmp_path / "s.sqlite3"), "STATUSBOT_LOG_LEVEL": "DEBUG"}
    done = subprocess.run([sys.executable, "-m", "bot", *command], capture_output=True, text=True, timeout=120,
                          env=env, cwd=ROOT)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Request blocked" in output or "400" in output  # the error itself is still reported
    assert TOKEN not in output and TOKEN.split(".")[-1] not in output
