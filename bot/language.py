"""Which language an answer is in."""

from __future__ import annotations

from bot.models import Lang
from bot.resolver.text import has_hangul


def choose_lang(explicit: str | None, server_default: str | None, locale: str | None, text: str) -> Lang:
    """Explicit option > server setting > the user's Discord locale (ko) > Hangul in the text > English."""
    for choice in (explicit, server_default):
        if choice in ("en", "ko"):
            return choice  # type: ignore[return-value]
    if locale and str(locale).lower().startswith("ko"):
        return "ko"
    return "ko" if has_hangul(text) else "en"
