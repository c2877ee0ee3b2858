"""Command-line adapter (temporary minimal version: check only)."""
from __future__ import annotations

import sys
from collections import Counter

from bot.registry import KnowledgeError, code_class, load_registry


def run(argv: list[str]) -> int:
    if argv[:1] == ["check"]:
        try:
            reg = load_registry()
        except KnowledgeError as exc:
            print(f"statusbot: knowledge error: {exc}", file=sys.stderr)
            return 1
        print(Counter(code_class(c.code) for c in reg), Counter(c.status for c in reg))
        return 0
    return 2
