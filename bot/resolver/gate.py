"""The stricter gate for answering unprompted in a channel: is this message about a status code?

Most messages in a team channel are not questions. The bot only speaks up when the message names a
status code in a way that asks about it or reports it (a log line, an error), or names a status
by its name together with a question or an error word.
"""

from __future__ import annotations

import re

from bot.resolver.resolve import Resolver, get_resolver
from bot.resolver.text import clean

_QUESTION = re.compile(
    r"\?|？|\b(?:what|whats|what's|why|how|meaning|means?|explain|anyone know|difference|vs|versus)\b"
    r"|뭐|무슨|뜻|의미|왜|어떻게|알려|설명|차이|비교|인가요|나요|해결|원인",
    re.IGNORECASE,
)
_REPORT = re.compile(
    r"\b(?:error|errors|err|fail(?:ed|ing|s)?|failure|status|code|returned|returns|returning|getting|got|throws?"
    r"|response|exception|http|https|timed out|timeout)\b|HTTP/\d|에러|오류|실패|응답|떠요|뜨네|뜹니다|나요|나와요|발생|터졌",
    re.IGNORECASE,
)
_MAX_WORDS = 60  # a long message that only mentions a code in passing is not a question


def is_status_question(text: str, resolver: Resolver | None = None) -> bool:
    """True when the bot should answer this message unprompted. Deliberately conservative."""
    text = clean(text)
    if not text or len(text) < 2:
        return False
    resolver = resolver or get_resolver()
    answer = resolver.resolve(text)
    if answer.kind == "none":
        return False
    question = bool(_QUESTION.search(text))
    report = bool(_REPORT.search(text))
    size = len(text.split())
    if answer.evidence == "stated":  # a status line, an access log, `status=504`: a report in itself
        return True
    if answer.evidence == "signature":  # a pasted error message we recognise
        return size <= _MAX_WORDS * 4
    if answer.evidence == "number":  # a bare number needs a question or an error word with it
        return (question or report) and size <= _MAX_WORDS
    # Found by name or description ("ok", "gone", "conflict" are also everyday words): only a short question.
    return question and answer.confidence >= 0.75 and size <= 12
