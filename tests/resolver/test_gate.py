"""is_status_question: silent on chat, speaks up on questions and pasted errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.resolver.gate import is_status_question
from bot.resolver.resolve import Resolver

CHAT = [line for line in (Path(__file__).parent / "chat_lines.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")]


def test_zero_false_positives_on_chat(resolver: Resolver) -> None:
    accepted = [line for line in CHAT if is_status_question(line, resolver)]
    assert len(CHAT) >= 120
    assert accepted == []


@pytest.mark.parametrize("text", [
    "what does 418 mean?",
    "why am I getting 504?",
    "we keep getting 502 errors from the payments api",
    "HTTP/1.1 503 Service Unavailable",
    "AxiosError: Request failed with status code 401",
    "\"GET /health HTTP/1.1\" 502 157 \"-\" \"kube-probe/1.29\"",
    "401 vs 403?",
    "502랑 504 차이가 뭐예요?",
    "429 에러가 계속 떠요",
    "게이트웨이 타임아웃이 뭐야?",
    "what is a gateway timeout?",
    "5xx 에러가 뭐야?",
    "what is the Retry-After header?",
])
def test_accepts_questions_and_errors(resolver: Resolver, text: str) -> None:
    assert is_status_question(text, resolver)


def test_rejects_empty_and_noise(resolver: Resolver) -> None:
    for text in ("", "   ", "\x00\x01", "🙂" * 50, "a" * 10_000):
        assert not is_status_question(text, resolver)


@pytest.mark.parametrize("text", ["ok", "OK", "created", "gone", "conflict", "continue", "found it", "성공",
                                  "accepted"])
def test_status_names_as_everyday_words_are_not_questions(resolver: Resolver, text: str) -> None:
    assert not is_status_question(text, resolver)


def test_evidence_is_recorded(resolver: Resolver) -> None:
    assert resolver.resolve("HTTP/1.1 503 Service Unavailable").evidence == "stated"
    assert resolver.resolve("503").evidence == "number"
    assert resolver.resolve("gateway timeout").evidence == "name"
    line = "upstream timed out (110: Connection timed out) while reading response header from upstream"
    assert resolver.resolve(line).evidence == "signature"
