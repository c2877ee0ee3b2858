"""The stricter gate for answering unprompted in a channel: is this message about a status code?

Most messages in a team channel are not questions. The bot only speaks up when the message names a
status code in a way that asks about it or reports it (a log line, an error), or names a status
by its name together with a question or an error word.
"""

from __future__ import annotations

from bot.resolver import cues
from bot.resolver.query import Query
from bot.resolver.resolve import Resolver, get_resolver
from bot.resolver.text import clean

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
    if answer.evidence == "stated":  # a status line, an access log, `status=504`: a report in itself
        return True
    size = len(text.split())
    if answer.evidence == "signature":  # a pasted error message we recognise
        return size <= _MAX_WORDS * 4
    query = Query.of(text)
    question = cues.CHAT_QUESTION.found_in(query)
    if answer.evidence == "number":  # a bare number needs a question or an error word with it
        return (question or cues.CHAT_REPORT.found_in(query)) and size <= _MAX_WORDS
    # Found by name or description ("ok", "gone", "conflict" are also everyday words): only a short question.
    return question and answer.confidence >= 0.75 and size <= 12
