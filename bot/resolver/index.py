"""The search index built from the registry: every name, alias and signature a code can be found by.

Built once per registry; everything the resolver does per query is a dict look-up, one regex scan and
rapidfuzz over small candidate sets.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from bot.registry import Registry
from bot.resolver.text import (
    EN_STOPWORDS,
    KO_STOPWORDS,
    compact,
    has_hangul,
    jamo,
    strip_korean_suffix,
    words,
)

# How much a match on each kind of key is worth, before fuzziness.
WEIGHT_PHRASE = 1.0
WEIGHT_ALIAS = 0.97
WEIGHT_OTHER_MEANING = 0.9


@dataclass(frozen=True)
class Key:
    """One searchable string that points at a code."""

    code: int
    text: str
    weight: float
    tokens: tuple[str, ...]  # content words, Korean particles stripped


@dataclass
class SearchIndex:
    keys: list[Key] = field(default_factory=list)
    exact: dict[str, tuple[int, float]] = field(default_factory=dict)  # compact(text) -> best (code, weight)
    # word -> indexes of keys containing it
    postings: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    idf: dict[str, float] = field(default_factory=dict)
    vocabulary: list[str] = field(default_factory=list)
    vocabulary_jamo: list[str] = field(default_factory=list)
    # compact jamo form of each Korean key, for spacing- and typo-insensitive whole-string matching
    korean_compact: list[str] = field(default_factory=list)
    korean_compact_keys: list[int] = field(default_factory=list)
    signature_pattern: re.Pattern[str] | None = None
    signature_codes: dict[str, int] = field(default_factory=dict)
    class_keys: dict[str, str] = field(default_factory=dict)  # compact alias -> "5xx"


def content_tokens(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for word in words(text):
        if has_hangul(word):
            word = strip_korean_suffix(word)
            if word in KO_STOPWORDS:
                continue
        elif word in EN_STOPWORDS or word.isdigit():
            continue
        out.append(word)
    return tuple(out)


def build_index(registry: Registry) -> SearchIndex:
    index = SearchIndex()

    def add(code: int, text: str, weight: float) -> None:
        key = compact(text)
        if not key:
            return
        best = index.exact.get(key)
        if best is None or best[1] < weight:
            index.exact[key] = (code, weight)
        tokens = content_tokens(text)
        if not tokens:
            return
        position = len(index.keys)
        index.keys.append(Key(code, text, weight, tokens))
        for token in set(tokens):
            index.postings[token].append(position)
        if has_hangul(text):
            index.korean_compact.append(jamo(key))
            index.korean_compact_keys.append(position)

    signatures: dict[str, int] = {}
    for entry in registry:
        add(entry.code, entry.phrase, WEIGHT_PHRASE)
        add(entry.code, entry.name_ko, WEIGHT_PHRASE)
        for phrase in entry.former_phrases:
            add(entry.code, phrase, WEIGHT_PHRASE)
        for alias in (*entry.aliases.en, *entry.aliases.ko):
            add(entry.code, alias, WEIGHT_ALIAS)
        for signature in entry.signatures:
            signatures.setdefault(signature.casefold(), entry.code)
        for meaning in entry.other_meanings:
            add(entry.code, meaning.phrase, WEIGHT_OTHER_MEANING)
            add(entry.code, meaning.name_ko, WEIGHT_OTHER_MEANING)
            for alias in (*meaning.aliases.en, *meaning.aliases.ko):
                add(entry.code, alias, WEIGHT_OTHER_MEANING)
            for signature in meaning.signatures:
                signatures.setdefault(signature.casefold(), entry.code)

    total = max(1, len(index.keys))
    index.idf = {word: math.log(1 + total / len(posts)) for word, posts in index.postings.items()}
    index.vocabulary = sorted(index.postings)
    index.vocabulary_jamo = [jamo(word) for word in index.vocabulary]

    if signatures:
        ordered = sorted(signatures, key=len, reverse=True)  # longest fragment wins at a position
        index.signature_pattern = re.compile("|".join(re.escape(s) for s in ordered), re.IGNORECASE)
        index.signature_codes = signatures

    for name, info in registry.classes.items():
        for text in (name, info.name.en, info.name.ko, *info.aliases.en, *info.aliases.ko):
            if key := compact(text):
                index.class_keys.setdefault(key, name)
    return index
