"""Which command failures are the connection going away (one quiet line, no reply) and which are bugs."""

from __future__ import annotations

import aiohttp

from bot.adapters.discord.app import _connection_gone


def test_a_closed_session_or_a_reset_socket_is_the_connection_going_away() -> None:
    assert _connection_gone(RuntimeError("Session is closed"))
    assert _connection_gone(aiohttp.ClientConnectionError("Connection lost"))
    assert _connection_gone(ConnectionResetError(104, "Connection reset by peer"))


def test_a_bug_in_a_command_is_not() -> None:
    assert not _connection_gone(KeyError("lang"))
    assert not _connection_gone(RuntimeError("something else"))
    assert not _connection_gone(TimeoutError())
