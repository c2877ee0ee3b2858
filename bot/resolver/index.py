"""The search index built from the registry: every name, alias, signature and explanation a code can be found by.

Two views of the same knowledge:
- keys: each name or alias on its own, for short queries ("gateway timeout", "요청 한도 초과");
- the words of everything written about a code, so a word the knowledge uses is never taken for a typo.
Descriptions ("the proxy gave up waiting for the app") are ranked by bot/resolver/ranker.py.
Built once per registry; per query the resolver does dict look-ups, one regex scan and rapidfuzz over
small candidate sets.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from bot.cache import cache_dir, read_cached, write_cached
from bot.registry import Registry
from bot.resolver.query import Query
from bot.resolver.text import (
    EN_STOPWORDS,
    KO_STOPWORDS,
    Respeller,
    compact,
    hangul_bigrams,
    has_hangul,
    jamo,
    light_stem,
    strip_korean_suffix,
    words,
)

# How much a match on each kind of key is worth, before fuzziness.
WEIGHT_PHRASE = 1.0
WEIGHT_ALIAS = 0.97
WEIGHT_OTHER_MEANING = 0.9


# How a name or alias scores: weight · key_cover^KEY_COVER_POWER · query_cover^QUERY_COVER_POWER, where
# key_cover is how much of the key the query matched and query_cover how much of the query the key explains.
KEY_COVER_POWER = 0.7
QUERY_COVER_POWER = 0.45
MIN_KEY_COVER = 0.3  # a key mostly unmatched can neither answer nor be suggested


class Key(NamedTuple):
    """One searchable name or alias that points at a code."""

    code: int
    text: str
    weight: float
    tokens: tuple[str, ...]
    token_weight: float  # sum of the idf of its tokens, filled in after the idf is known


@dataclass
class LengthBuckets:
    """Strings sorted by length, so a similarity search only scores those whose length could reach the cutoff.

    For Indel similarity s = 2·common/(a+b) >= c, the lengths must satisfy a·c/(2-c) <= b <= a·(2-c)/c."""

    strings: list[str] = field(default_factory=list)
    payloads: list[int] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, items: list[tuple[str, int]]) -> LengthBuckets:
        ordered = sorted(items, key=lambda item: (len(item[0]), item[0]))
        strings = [text for text, _ in ordered]
        return cls(strings, [payload for _, payload in ordered], [len(text) for text in strings])

    def near(self, query: str, cutoff: float) -> tuple[list[str], list[int]]:
        size = len(query)
        low = bisect.bisect_left(self.lengths, size * cutoff / (2 - cutoff))
        high = bisect.bisect_right(self.lengths, size * (2 - cutoff) / cutoff)
        return self.strings[low:high], self.payloads[low:high]




@dataclass
class SearchIndex:
    keys: list[Key] = field(default_factory=list)
    exact: dict[str, tuple[int, float]] = field(default_factory=dict)  # compact(text) -> best (code, weight)
    postings: dict[str, list[int]] = field(default_factory=dict)  # token -> key positions
    idf: dict[str, float] = field(default_factory=dict)
    unknown_idf: float = 1.0
    vocabulary: list[str] = field(default_factory=list)  # Latin tokens, for typo-tolerant look-up
    # by key position: the jamo of a Korean key with its spacing removed (for typos inside syllables), "" for a
    # key with no Hangul
    korean_jamo: list[str] = field(default_factory=list)
    # Hangul token -> (lengths, positions) of the Korean keys it is in, shortest first, so that the keys of a
    # length that can reach a similarity cutoff are one slice
    korean_postings: dict[str, tuple[list[int], list[int]]] = field(default_factory=dict)
    exact_buckets: LengthBuckets = field(default_factory=LengthBuckets)
    # anchor word -> [(signature, code)]: a signature is only looked for when its rarest word is in the text
    signatures: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # a signature from knowledge/signatures/ -> (its text as written, software, where, the status the client
    # sees or -1 when it is the code itself, note en, note ko)
    signature_source: dict[str, tuple[str, str, str, int, str, str]] = field(default_factory=dict)
    # per key position, as flat lists for the scoring loop
    key_code: list[int] = field(default_factory=list)
    key_weight: list[float] = field(default_factory=list)
    key_token_weight: list[float] = field(default_factory=list)
    # token -> the best codes a key gets from that token alone: [(code, weight · key_cover^power)], best
    # first. Only the top three (and ties) are kept: a code further down cannot reach the top three answers.
    key_single: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    class_keys: dict[str, str] = field(default_factory=dict)  # compact alias -> "5xx"
    class_key_list: list[str] = field(default_factory=list)
    # every non-Hangul token of the explanations: a word the knowledge uses is no typo (a set: only membership is
    # asked, and a dict of floats held 2.4 MB for it). Typos are looked for in Latin words only (Hangul is matched by
    # syllable pairs), so the 18,000 Hangul pairs, 3 MB, were never asked about.
    doc_words: frozenset[str] = field(default_factory=frozenset)
    # vendor code -> words that name its vendor; a vendor's code is only a strong guess when they appear
    vendor_terms: dict[int, frozenset[str]] = field(default_factory=dict)
    hangul_words: set[str] = field(default_factory=set)  # every Korean stem the knowledge uses (typo check)
    vendor_by_word: dict[str, set[int]] = field(default_factory=dict)  # Latin vendor word -> codes
    vendor_by_hangul: dict[str, set[int]] = field(default_factory=dict)  # Korean spelling -> codes

    def vendors_named_in(self, query: Query) -> set[int]:
        """Vendor codes whose vendor the text names ('cloudflare', 'nginx', "cloudflare's", '클라우드플레어')."""
        named: set[int] = set()
        for word in self.vendor_by_word.keys() & query.word_set:
            named |= self.vendor_by_word[word]
        if query.hangul:
            for spelling, codes in self.vendor_by_hangul.items():
                if spelling in query.text:
                    named |= codes
        return named

    def names_of(self, code: int) -> tuple[tuple[str, bool], ...]:
        """The code's names and error messages (True for a message), casefolded, longest first: what a line that
        names the code without its number spells out ("too many requests", "요청 과다", "no healthy upstream").
        Aliases are left out: many describe a situation ("rate limit", "slow down") rather than name a status,
        and a name of one word ("Locked", "Created", "ECONNREFUSED") is a word of ordinary prose. (Made on first
        use, not kept in the index cache.)"""
        made: dict[int, tuple[tuple[str, bool], ...]] | None = self.__dict__.get("_names_of")
        if made is None:
            found: dict[int, dict[str, bool]] = defaultdict(dict)
            for key in self.keys:
                if key.weight >= WEIGHT_PHRASE and " " in key.text.strip():
                    found[key.code][" ".join(key.text.casefold().split())] = False
            for pairs in self.signatures.values():
                for signature, signed in pairs:
                    if " " in signature.strip():
                        found[signed].setdefault(signature, True)
            made = self.__dict__["_names_of"] = {
                c: tuple(sorted(names.items(), key=lambda item: len(item[0]), reverse=True))
                for c, names in found.items()}
        return made.get(code, ())

    def signatures_in(self, query: Query) -> list[tuple[int, str]]:
        """(code, fragment) for each known error-message fragment that appears verbatim in the text, longest
        first."""
        return _signatures_in(self, query)


_LATIN = re.compile(r"[0-9a-z]+")


def _signatures_in(index: SearchIndex, query: Query) -> list[tuple[int, str]]:
    anchors = index.signatures.keys() & query.word_set
    if not anchors:
        return []
    lowered = " ".join(query.text.casefold().split())
    matched: list[tuple[str, int]] = []
    for word in anchors:
        matched += [(sig, code) for sig, code in index.signatures[word] if sig in lowered]
    kept: list[str] = []
    found: list[tuple[int, str]] = []
    for signature, code in sorted(matched, key=lambda item: -len(item[0])):
        if any(signature in longer for longer in kept):
            continue  # part of a longer fragment that already matched
        kept.append(signature)
        found.append((code, signature))
    return found


# Words in a vendor field that do not name a vendor.
_GENERIC_VENDOR_WORDS = frozenset({
    "informal", "convention", "of", "some", "http", "proxies", "client", "libraries", "no", "rfc", "tool", "and",
    "log", "logs", "load", "balancer", "balancing", "hosting", "shared", "extensions", "deprecated", "legacy",
    "framework", "modules", "bandwidth", "on", "the", "web", "elastic",
})
# How Korean developers write vendor names, and the short names people use.
_VENDOR_SPELLINGS = {
    "cloudflare": ("클라우드플레어", "클플", "cf"), "nginx": ("엔진엑스",), "aws": ("아마존", "alb", "elb"),
    "laravel": ("라라벨",), "twitter": ("트위터",), "microsoft": ("마이크로소프트", "ms"), "iis": (),
    "spring": ("스프링",), "apache": ("아파치",), "cpanel": (), "esri": (), "arcgis": (),
}


def vendor_terms(vendor: str) -> frozenset[str]:
    terms: set[str] = set()
    for word in _LATIN.findall(vendor.casefold()):
        if word in _GENERIC_VENDOR_WORDS or len(word) < 3:
            continue
        terms.add(word)
        terms.update(_VENDOR_SPELLINGS.get(word, ()))
    return frozenset(terms)


def analyze_words(parts: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """(content tokens, Korean stems) of the words of a text: one pass serves matching and the typo
    vocabulary. Latin words are stemmed with stopwords out; Hangul becomes bigrams of its stems, with
    particles and fillers out and spacing ignored."""
    latin = [light_stem(w) for w in parts if w < "\u3131" and w not in EN_STOPWORDS and not w.isdigit()]
    stems = [strip_korean_suffix(w) for w in parts if w >= "\u3131"]
    hangul = [stem for stem in stems if stem not in KO_STOPWORDS]
    return (*latin, *hangul_bigrams("".join(hangul))), stems


def _analyze(text: str) -> tuple[tuple[str, ...], list[str]]:
    return analyze_words(words(text))


def content_tokens(text: str) -> tuple[str, ...]:
    """Latin words (stemmed, stopwords out) and Hangul bigrams (particles and fillers out, spacing ignored)."""
    return _analyze(text)[0]


def _single_token_scores(index: SearchIndex) -> dict[str, list[tuple[int, float]]]:
    """For each token, what the keys it is in score when it is the only query word that matches them."""
    table: dict[str, list[tuple[int, float]]] = {}
    for token, positions in index.postings.items():
        gain = index.idf[token]
        by_code: dict[int, float] = {}
        for position in positions:
            key_cover = gain / index.key_token_weight[position]  # the same division the resolver makes
            if key_cover < MIN_KEY_COVER:
                continue
            value = index.key_weight[position] * (1.0 if key_cover >= 1.0 else key_cover ** KEY_COVER_POWER)
            code = index.key_code[position]
            if value > by_code.get(code, 0.0):
                by_code[code] = value
        ranked = sorted(by_code.items(), key=itemgetter(1), reverse=True)
        if ranked:
            # Ties with the third (and a hair below it, for rounding once scaled) stay in.
            cut = ranked[min(2, len(ranked) - 1)][1] * (1 - 1e-9)
            table[token] = [(code, value) for code, value in ranked if value >= cut]
    return table


_INDEX_FORMAT = "1"  # bump when SearchIndex changes shape in a way the source hash below would not show


def _index_digest(registry: Registry) -> str | None:
    """The knowledge's hash plus the source of everything that shapes the index."""
    if not registry.digest:
        return None
    here = Path(__file__).resolve().parent
    h = hashlib.sha256(f"{_INDEX_FORMAT}:{registry.digest}".encode())
    for source in ("index.py", "text.py", "query.py"):
        h.update((here / source).read_bytes())
    return h.hexdigest()[:32]


def index_cache_path(registry: Registry) -> Path | None:
    """Where the index for this knowledge and this code is cached (None: a registry with no digest)."""
    digest = _index_digest(registry)
    return cache_dir() / f"index-{digest}.msgpack" if digest else None


def load_index(registry: Registry) -> SearchIndex:
    """The index for this knowledge: read back from the cache (about a fifth of the time a build takes) when
    neither the knowledge nor this code changed since it was built, else built and cached."""
    path = index_cache_path(registry)
    if path is not None and (cached := read_cached(path, SearchIndex)) is not None:
        return cached
    index = build_index(registry)  # not built yet, damaged, or from another shape
    if path is not None:
        write_cached(path, index)
    return index


def build_index(registry: Registry) -> SearchIndex:
    # The build makes a few hundred thousand small objects and no reference cycles: the cycle collector
    # would only walk them again and again (about 15% of the build), so it waits until the end.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build_index(registry)
    finally:
        if collecting:
            gc.enable()


def _build_index(registry: Registry) -> SearchIndex:
    index = SearchIndex()
    raw_keys: list[tuple[int, str, float, tuple[str, ...]]] = []
    postings: dict[str, list[int]] = defaultdict(list)
    korean_by_position: dict[int, str] = {}

    names_analysed: dict[str, tuple[list[str], tuple[str, ...], list[str]]] = {}
    respell = Respeller(registry.spelling)  # the knowledge is read with the spellings questions are read with

    def analyse(text: str) -> tuple[list[str], tuple[str, ...], list[str]]:
        """(words, content tokens, Korean stems). A name is both a key and part of a document: kept once
        analysed (the long sentences are not, to keep the build's memory peak low)."""
        found = names_analysed.get(text)
        if found is None:
            parts = words(respell(text))
            found = (parts, *analyze_words(parts))
        return found

    def analyse_name(text: str) -> tuple[list[str], tuple[str, ...], list[str]]:
        found = names_analysed[text] = analyse(text)
        return found

    def add(code: int, text: str, weight: float) -> None:
        parts, tokens, _ = analyse_name(text)
        key = "".join(parts)
        if not key:
            return
        best = index.exact.get(key)
        if best is None or best[1] < weight:
            index.exact[key] = (code, weight)
        if not tokens:
            return
        position = len(raw_keys)
        raw_keys.append((code, text, weight, tokens))
        for token in set(tokens):
            postings[token].append(position)
        if has_hangul(text):
            korean_by_position[position] = jamo(key)

    documents: dict[int, set[str]] = {}
    doc: set[str] = set()  # the tokens of the code being read

    def document(texts: tuple[str, ...] | list[str]) -> None:
        for text in texts:
            _, found, stems = analyse(text)
            index.hangul_words.update(stems)
            doc.update(found)

    signatures: dict[str, int] = {}
    for entry in registry:
        names = [entry.phrase, entry.name_ko, *entry.former_phrases, *entry.aliases.en, *entry.aliases.ko]
        add(entry.code, entry.phrase, WEIGHT_PHRASE)
        add(entry.code, entry.name_ko, WEIGHT_PHRASE)
        for phrase in entry.former_phrases:
            add(entry.code, phrase, WEIGHT_PHRASE)
        for alias in (*entry.aliases.en, *entry.aliases.ko):
            add(entry.code, alias, WEIGHT_ALIAS)
        for signature in entry.signatures:
            signatures.setdefault(signature.casefold(), entry.code)
        document(names)
        if entry.status == "vendor" and (terms := vendor_terms(entry.vendor)):
            index.vendor_terms[entry.code] = terms
            for term in terms:
                if has_hangul(term):
                    index.vendor_by_hangul.setdefault(term, set()).add(entry.code)
                else:  # and the possessive, which loses its apostrophe in the words of a query
                    for spelling in (term, term + "s"):
                        index.vendor_by_word.setdefault(spelling, set()).add(entry.code)
        document([entry.summary.en, entry.summary.ko, *entry.causes.en, *entry.causes.ko, entry.detail.en,
                  entry.detail.ko, *entry.checks.en, *entry.checks.ko, *entry.scenarios.en, *entry.scenarios.ko])
        for meaning in entry.other_meanings:
            add(entry.code, meaning.phrase, WEIGHT_OTHER_MEANING)
            add(entry.code, meaning.name_ko, WEIGHT_OTHER_MEANING)
            for alias in (*meaning.aliases.en, *meaning.aliases.ko):
                add(entry.code, alias, WEIGHT_OTHER_MEANING)
            for signature in meaning.signatures:
                signatures.setdefault(signature.casefold(), entry.code)
            document([meaning.phrase, meaning.name_ko, *meaning.aliases.en, *meaning.aliases.ko, meaning.summary.en,
                      meaning.summary.ko, *meaning.scenarios.en, *meaning.scenarios.ko])
        # A token's weight in a document is that of its strongest field: weakest first, a stronger overwrites.
        documents[entry.code] = doc
        doc = set()

    total = max(1, len(raw_keys))
    index.idf = {token: math.log(1 + total / len(posts)) for token, posts in postings.items()}
    index.unknown_idf = math.log(1 + total)
    index.postings = dict(postings)
    index.keys = [Key(code, text, weight, tokens, sum(index.idf[t] for t in tokens))
                  for code, text, weight, tokens in raw_keys]
    index.key_code = [k.code for k in index.keys]
    index.key_weight = [k.weight for k in index.keys]
    index.key_token_weight = [k.token_weight for k in index.keys]
    index.key_single = _single_token_scores(index)
    index.korean_jamo = [korean_by_position.get(p, "") for p in range(len(index.keys))]
    for token, positions in index.postings.items():
        if token.isascii():
            continue
        korean = sorted((len(index.korean_jamo[p]), p) for p in positions if p in korean_by_position)
        if korean:
            index.korean_postings[token] = ([length for length, _ in korean], [p for _, p in korean])

    index.doc_words = frozenset(token for doc in documents.values() for token in doc if not has_hangul(token))
    # Typo look-up runs over Latin words only; Hangul is matched by bigrams and by whole-string jamo.
    index.vocabulary = sorted(t for t in index.idf.keys() | index.doc_words if t.isascii())

    for table in registry.signatures.values():
        for sig in table.signatures:
            text = " ".join(sig.text.casefold().split())
            signatures.setdefault(text, sig.code)
            if signatures[text] == sig.code:
                index.signature_source.setdefault(text, (
                    " ".join(sig.text.split()), table.software, sig.where, -1 if sig.shown is None else sig.shown,
                    sig.note.en if sig.note else "", sig.note.ko if sig.note else ""))

    # Anchors are words as a query's words are cut (see Query), so a query looks them up by its word set.
    frequency = Counter(word for signature in signatures for word in set(words(signature)))
    anchored: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for signature, code in signatures.items():
        candidates = [w for w in words(signature) if len(w) >= 2] or words(signature)
        if not candidates:
            continue
        anchor = min(candidates, key=lambda w: (frequency[w], -len(w)))
        anchored[anchor].append((" ".join(signature.split()), code))
    index.signatures = dict(anchored)

    for name, info in registry.classes.items():
        for text in (name, info.name.en, info.name.ko, *info.aliases.en, *info.aliases.ko):
            if key := compact(text):
                index.class_keys.setdefault(key, name)
    index.class_key_list = list(index.class_keys)
    index.exact_buckets = LengthBuckets.of([(key, i) for i, key in enumerate(index.exact)])
    return index
