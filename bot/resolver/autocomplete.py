"""Suggestions for partial input, for Discord's autocomplete: up to 25 (code, label) pairs, best first."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import lru_cache

from bot.models import CodeFile, Lang
from bot.registry import Registry, get_registry
from bot.resolver.resolve import Resolver, get_resolver
from bot.resolver.text import clean, compact, jamo, words

MAX_CHOICES = 25
MAX_LABEL = 100
_SCAN_LIMIT = 600  # keys looked at for one prefix; plenty for 25 distinct codes

# What teams ask about most, for an empty box and to break ties.
POPULAR = (404, 500, 502, 503, 504, 401, 403, 400, 429, 200, 301, 302, 304, 499, 408, 409, 413, 422, 201, 204,
           307, 308, 405, 520, 522, 524, 410, 415, 418, 000)


def label(entry: CodeFile, lang: Lang) -> str:
    vendor = f" ({entry.vendor})" if entry.vendor else ""
    if lang == "ko":
        text = f"{entry.code:03d} {entry.name_ko} — {entry.phrase}{vendor}"
    else:
        text = f"{entry.code:03d} {entry.phrase} — {entry.name_ko}{vendor}"
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


@dataclass(frozen=True)
class _PrefixIndex:
    keys: list[str]  # sorted jamo-compact keys
    codes: list[int]
    ranks: list[int]  # 0 for official names, 1 for aliases


def _build(registry: Registry) -> _PrefixIndex:
    rows: set[tuple[str, int, int]] = set()
    for entry in registry:
        named = [(entry.phrase, 0), (entry.name_ko, 0), *((p, 0) for p in entry.former_phrases),
                 *((a, 1) for a in (*entry.aliases.en, *entry.aliases.ko))]
        for text, rank in named:
            parts = words(text)
            for start in range(len(parts)):  # every word start, so "gat" finds "bad gateway"
                key = jamo("".join(parts[start:]))
                if key:
                    rows.add((key, entry.code, rank + (1 if start else 0)))
    ordered = sorted(rows)
    return _PrefixIndex([r[0] for r in ordered], [r[1] for r in ordered], [r[2] for r in ordered])


class Autocompleter:
    def __init__(self, registry: Registry, resolver: Resolver) -> None:
        self.registry = registry
        self.resolver = resolver
        self.prefix = _build(registry)
        self.popularity = {code: i for i, code in enumerate(POPULAR)}
        # Labels and the three-digit spelling of every code, made once: autocomplete runs on every keystroke.
        self.labels: dict[Lang, dict[int, str]] = {
            lang: {entry.code: label(entry, lang) for entry in registry} for lang in ("en", "ko")}
        self.numbers = [(f"{code:03d}", code) for code in registry.codes]

    def suggest(self, partial: str, lang: Lang = "en") -> list[tuple[int, str]]:
        text = clean(partial)[:100]
        codes = self._codes(text)
        labels = self.labels[lang]
        return [(code, labels[code]) for code in codes[:MAX_CHOICES]]

    def _codes(self, text: str) -> list[int]:
        if not text:
            return [c for c in POPULAR if c in self.registry.codes]
        digits = text.split()[0] if text[0].isdigit() else ""
        if digits.isdigit():
            return [code for number, code in self.numbers if number.startswith(digits[:3])]
        key = jamo(compact(text))
        if not key:
            return [c for c in POPULAR if c in self.registry.codes]
        best: dict[int, int] = {}
        start = bisect.bisect_left(self.prefix.keys, key)
        for i in range(start, min(start + _SCAN_LIMIT, len(self.prefix.keys))):
            if not self.prefix.keys[i].startswith(key):
                break
            code, rank = self.prefix.codes[i], self.prefix.ranks[i]
            if rank < best.get(code, 99):
                best[code] = rank
        if best:
            return sorted(best, key=lambda c: (best[c], self.popularity.get(c, 99), c))
        # Nothing starts that way: fall back to the resolver's fuzzy ranking (typos).
        answer = self.resolver.resolve(text)
        return list(dict.fromkeys([*answer.codes, *answer.suggestions]))


@lru_cache(maxsize=1)
def get_autocompleter() -> Autocompleter:
    return Autocompleter(get_registry(), get_resolver())


def autocomplete(partial: str, lang: Lang = "en") -> list[tuple[int, str]]:
    return get_autocompleter().suggest(partial, lang)
