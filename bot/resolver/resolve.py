"""Query -> Answer. Every interface (CLI, Discord) goes through `Resolver.resolve`."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from bot.models import Lang
from bot.registry import Registry, code_class, get_registry
from bot.resolver.extract import find_codes
from bot.resolver.index import SearchIndex, build_index, content_tokens
from bot.resolver.text import clean, compact, has_hangul, jamo, korean_numeral_codes, words

Kind = Literal["code", "compare", "class", "header", "none"]

ANSWER_THRESHOLD = 0.62  # below this the answer is "none" with suggestions
SUGGEST_THRESHOLD = 0.4
SIGNATURE_SCORE = 0.94  # a verbatim fragment of a known error message (longer fragments score a bit higher)
DOC_FACTOR = 0.92  # a description can come close to, but not beat, an exact name
DOC_MIN_COVER = 0.45
DOC_MIN_MARGIN = 0.2
DOC_SURE_COVER = 0.7
UNKNOWN_BIGRAM_WEIGHT = 0.5

_CLASS = re.compile(r"(?<![\w])([1-5])\s?(?:xx|XX|\*\*|백\s?번\s?대|00\s?번\s?대|00s\b|백대|00\s?대)(?![a-z])")
_COMPARE_CUE = re.compile(
    r"\bvs\.?\b|\bversus\b|\bdifferen(?:ce|t)\b|\bdiff\b|\bcompare\b|\bcomparison\b|\bor\b|\binstead of\b"
    r"|\brather than\b|차이|비교|다른\s?점|다른가|달라|다르|구분|대신",
    re.IGNORECASE,
)
# "all 3xx codes", "클라이언트 에러 코드 목록": a request for the whole class, not for one code.
_LISTING_CUE = re.compile(r"\b(?:all|list|lists|types|kinds|every|codes)\b|목록|종류|리스트|전부|모든|코드들|전체",
                          re.IGNORECASE)
_COMPARE_SPLIT = re.compile(r"\s+(?:vs\.?|versus|or|and|와|과|랑|이랑|하고)\s+|\s*(?:/|,)\s*", re.IGNORECASE)
_FILLERS = ("error", "errors", "status", "response", "code", "meaning", "explain", "please", "what", "does")
_CLASS_FILLER = frozenset({"status", "code", "codes", "http", "the", "what", "are", "is", "코드", "상태", "상태코드",
                           "뭐야", "뭐예요", "알려줘", "there", "of"})
_HEADER_CUE = re.compile(r"\bheaders?\b|헤더", re.IGNORECASE)
_HEADER_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-\s][A-Za-z0-9]+)*")


@dataclass(frozen=True)
class Answer:
    query: str
    kind: Kind
    codes: tuple[int, ...] = ()
    cls: str | None = None
    header: str | None = None
    lang: Lang = "en"
    confidence: float = 0.0
    suggestions: tuple[int, ...] = ()
    # Why there is no answer: a key of [notes] in knowledge/ui.toml ("empty", "not_a_code", ...).
    note: str = ""
    number: int | None = None  # the number a "not_a_code" / "unregistered" note is about
    # What the answer rests on: "stated" (a status line, access log, status=…), "number" (a bare 503),
    # "signature" (a known error-message fragment), "name" (a name or alias), "description" (best match
    # over the explanations), or "" for none. The channel gate trusts them differently.
    evidence: str = ""


@dataclass
class _Scores:
    by_code: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    signatures: set[int] = field(default_factory=set)  # codes found by a verbatim error-message fragment
    from_documents: set[int] = field(default_factory=set)  # codes whose best score came from the explanations

    def offer(self, code: int, score: float) -> None:
        if score > self.by_code[code]:
            self.by_code[code] = score

    def ranked(self) -> list[tuple[int, float]]:
        return sorted(self.by_code.items(), key=lambda item: (-item[1], item[0]))


def detect_lang(text: str) -> Lang:
    return "ko" if has_hangul(text) else "en"


class Resolver:
    def __init__(self, registry: Registry, index: SearchIndex | None = None) -> None:
        self.registry = registry
        self._index = index
        self._fuzzy_word = lru_cache(maxsize=4096)(self._fuzzy_word_uncached)

    @property
    def index(self) -> SearchIndex:
        """Built on first use: a question with a status number in it never needs it."""
        if self._index is None:
            self._index = build_index(self.registry)
        return self._index

    # ----- public -------------------------------------------------------------------------------------------

    def resolve(self, query: str, lang: str = "auto") -> Answer:
        text = clean(query)
        answer_lang: Lang = detect_lang(text) if lang not in ("en", "ko") else lang  # type: ignore[assignment]
        if not text:
            return Answer(query=query, kind="none", lang=answer_lang, note="empty")

        # "5xx" / "500번대" name a class; take them out first so "500번대" is not read as 500.
        class_match = _CLASS.search(text)
        number_text = text[: class_match.start()] + " " + text[class_match.end():] if class_match else text
        hits = find_codes(number_text)
        numbers = [h.code for h in hits]
        numbers += [n for n in korean_numeral_codes(number_text) if n not in numbers]
        known = [n for n in numbers if n in self.registry.codes]
        unknown = [n for n in numbers if n not in self.registry.codes]

        if len(known) >= 2 and (_COMPARE_CUE.search(text) or self._only_codes(text)):
            return Answer(query, "compare", tuple(known[:4]), lang=answer_lang, confidence=0.97, evidence="number")
        if known:
            strong = any(h.strong for h in hits)
            return Answer(query, "code", tuple(known), lang=answer_lang, confidence=0.99 if strong else 0.95,
                          evidence="stated" if strong else "number")

        if class_match:
            return Answer(query, "class", cls=f"{class_match.group(1)}xx", lang=answer_lang, confidence=0.95,
                          evidence="number")

        if unknown and any(h.strong for h in hits if h.code in unknown):
            return self._unknown_number(query, unknown[0], answer_lang)
        if unknown and len(words(text)) <= 3:
            return self._unknown_number(query, unknown[0], answer_lang)

        if compared := self._compare_by_name(text):
            return Answer(query, "compare", tuple(compared), lang=answer_lang, confidence=0.85, evidence="name")

        header_only = self._exact_header(text)
        if header_only:
            return Answer(query, "header", header=header_only, lang=answer_lang, confidence=0.97, evidence="name")

        key = compact(text)
        exact = self.index.exact.get(key)
        if exact:
            return Answer(query, "code", (exact[0],), lang=answer_lang, confidence=exact[1], evidence="name")

        if cls := self.index.class_keys.get(key) or self._class_by_words(text):
            return Answer(query, "class", cls=cls, lang=answer_lang, confidence=0.9, evidence="name")
        if _LISTING_CUE.search(text) and (cls := self._class_by_words(_LISTING_CUE.sub(" ", text), loose=True)):
            return Answer(query, "class", cls=cls, lang=answer_lang, confidence=0.9, evidence="name")

        header = self._header(text)
        scores = self._score_text(text)
        ranked = scores.ranked()
        best_code, best = ranked[0] if ranked else (0, 0.0)
        if header and self._is_header_question(text, header, best):
            return Answer(query, "header", header=header, lang=answer_lang, confidence=0.9, evidence="name")
        if best >= ANSWER_THRESHOLD:
            evidence = "signature" if best_code in scores.signatures else (
                "name" if best >= 0.8 and best_code not in scores.from_documents else "description")
            return Answer(query, "code", (best_code,), lang=answer_lang, confidence=round(best, 3),
                          evidence=evidence)
        suggestions = tuple(code for code, score in ranked[:3] if score >= SUGGEST_THRESHOLD)
        return Answer(query, "none", lang=answer_lang, confidence=round(best, 3), suggestions=suggestions,
                      note="no_match" if not suggestions else "not_sure")

    # ----- numbers ------------------------------------------------------------------------------------------

    @staticmethod
    def _only_codes(text: str) -> bool:
        return all(word.isdigit() or word in {"and", "or", "와", "과", "랑"} for word in words(text))

    def _unknown_number(self, query: str, number: int, lang: Lang) -> Answer:
        cls = code_class(number)
        if cls is None:
            return Answer(query, "none", lang=lang, note="not_a_code", number=number)
        base = number // 100 * 100
        suggestions = (base,) if base in self.registry.codes else ()
        return Answer(query, "none", lang=lang, suggestions=suggestions, note="unregistered", number=number)

    # ----- classes, headers, comparisons --------------------------------------------------------------------

    def _class_by_words(self, text: str, loose: bool = False) -> str | None:
        """A class named in words ("server errors", "리다이렉트"); loose also reads '서버 에러 코드' as 5xx."""
        key = compact(" ".join(w for w in words(text) if w not in _CLASS_FILLER))
        if not key or len(key) > 40:
            return None
        if key in self.index.class_keys:
            return self.index.class_keys[key]
        if len(key) > 5:
            match = process.extractOne(key, self.index.class_key_list, scorer=Indel.normalized_similarity,
                                       score_cutoff=0.9)
            if match:
                return self.index.class_keys[match[0]]
        if loose:
            for class_key, cls in self.index.class_keys.items():
                if len(class_key) >= 4 and class_key in key:
                    return cls
        return None

    @staticmethod
    def _is_header_question(text: str, header: str, best_code_score: float) -> bool:
        """A header named with 'header'/'헤더' in a short question, a hyphenated header name written out in a
        short question ("how does if-none-match work"), or a header named on its own."""
        size = len(words(text))
        if _HEADER_CUE.search(text) and size <= 10:
            return True
        if "-" in header and header.casefold() in text.casefold() and size <= 8:
            return True
        return size <= 4 and best_code_score < 0.9

    def _exact_header(self, text: str) -> str | None:
        """The query is just a header name like 'Content-Range' or 'x-request-id' (maybe with 'header')."""
        stripped = _HEADER_CUE.sub(" ", text).strip(" ?.!:`'\"")
        if " " in stripped or "-" not in stripped:
            return None
        found = self.registry.header(stripped)
        return found[0] if found else None

    def _header(self, text: str) -> str | None:
        cue = bool(_HEADER_CUE.search(text))
        tokens = _HEADER_TOKEN.findall(text)
        stripped = _HEADER_CUE.sub(" ", text).strip(" ?.!:")
        for token in tokens:
            candidates = {token, token.replace(" ", "-")}
            parts = token.split()
            # also every run of two or three words, for "retry after header" or "the Retry-After value"
            for size in (3, 2, 1):
                for i in range(len(parts) - size + 1):
                    candidates.add("-".join(parts[i:i + size]))
            for candidate in sorted(candidates, key=len, reverse=True):
                found = self.registry.header(candidate)
                if not found:
                    continue
                name = found[0]
                multiword = "-" in name
                alone = stripped.casefold().replace(" ", "-") == candidate.casefold()
                if multiword and ("-" in candidate or cue or alone):
                    return name
                if cue or alone:
                    return name
        return None

    def _compare_by_name(self, text: str) -> list[int] | None:
        if not _COMPARE_CUE.search(text):
            return None
        header = self._header(text)
        if header and "-" in header and header.casefold() in text.casefold():
            return None  # "Cache-Control: no-store vs no-cache" compares directives of one header
        body = re.sub(r"\b(?:difference|differences|between|compare|comparison|what's|what is|the)\b|차이점?|비교|"
                      r"다른\s?점|구분|뭐야|뭔가요|\?", " ", text, flags=re.IGNORECASE)
        parts = [p for p in _COMPARE_SPLIT.split(body) if p and p.strip()]
        if len(parts) < 2:
            return None
        codes: list[int] = []
        for part in parts[:4]:
            scores = self._score_text(part).ranked()
            exact = self.index.exact.get(compact(part))
            if exact:
                code = exact[0]
            elif scores and scores[0][1] >= ANSWER_THRESHOLD:
                code = scores[0][0]
            else:
                return None
            if code not in codes:
                codes.append(code)
        return codes if len(codes) >= 2 else None

    # ----- names, aliases, symptoms -------------------------------------------------------------------------

    def _fuzzy_word_uncached(self, word: str) -> tuple[tuple[str, float], ...]:
        """Indexed words close to `word` (typo tolerant), with similarity 0..1. Hangul bigrams match exactly."""
        if word in self.index.idf or word in self.index.doc_idf:
            return ((word, 1.0),)  # a word we know is not a typo
        out: dict[str, float] = {}
        if has_hangul(word) or len(word) < 4:
            return ()
        cutoff = 80 if len(word) >= 6 else 85
        for candidate, score, _ in process.extract(word, self.index.vocabulary, scorer=fuzz.ratio,
                                                   score_cutoff=cutoff, limit=4):
            out.setdefault(candidate, score / 100.0)
        return tuple(out.items())

    def _score_text(self, text: str) -> _Scores:
        scores = _Scores()
        index = self.index

        for code, length in index.signatures_in(text):
            # a longer fragment is more specific: "Connection refused) while connecting to upstream" over
            # "Connection refused"
            scores.offer(code, min(0.98, SIGNATURE_SCORE + length / 2000))
            scores.signatures.add(code)

        tokens = tuple(t for t in content_tokens(text) if not self._is_misspelt_filler(t))
        if not tokens:
            return scores
        # Long pastes are matched verbatim (signatures, exact words); typo tolerance is for short questions.
        expand = len(tokens) <= 12
        expanded = [self._fuzzy_word(t) if expand else ((t, 1.0),) for t in tokens]

        self._score_keys(tokens, expanded, scores)
        if len(tokens) >= 3:
            self._score_documents(tokens, expanded, scores)

        best = max(scores.by_code.values(), default=0.0)
        hangul_words = [w for w in words(text) if has_hangul(w)]
        if best < 0.85 and 0 < len(hangul_words) <= 3 and index.korean_compact:
            # Whole-string jamo similarity catches typos inside syllables (타입아웃 ~ 타임아웃) in short names.
            squeezed = jamo("".join(hangul_words))
            choices, positions = index.korean_buckets.near(squeezed, 0.78)
            for _, score, i in process.extract(squeezed, choices, scorer=fuzz.ratio, score_cutoff=78, limit=3):
                key = index.keys[positions[i]]
                scores.offer(key.code, key.weight * score / 100.0)
        elif best < 0.85 and len(tokens) <= 4:
            squeezed = compact(text)
            if 5 <= len(squeezed) <= 40:
                choices, _ = index.exact_buckets.near(squeezed, 0.82)
                for choice, score, _ in process.extract(squeezed, choices, scorer=fuzz.ratio, score_cutoff=82,
                                                        limit=3):
                    code, weight = index.exact[choice]
                    scores.offer(code, weight * score / 100.0)
        return scores

    def _is_misspelt_filler(self, token: str) -> bool:
        """'eror', 'staus', 'respones': a typo of a word we ignore should be ignored too, not dilute the match."""
        if len(token) < 4 or token in self.index.doc_idf or token in self.index.idf or has_hangul(token):
            return False
        return process.extractOne(token, _FILLERS, scorer=fuzz.ratio, score_cutoff=80) is not None

    def _score_keys(self, tokens: tuple[str, ...], expanded: list[tuple[tuple[str, float], ...]],
                    scores: _Scores) -> None:
        """Names and aliases: how much of the key the query covers, and how much of the query the key explains."""
        index = self.index
        idf = index.idf
        weights = [idf.get(t, index.unknown_idf) for t in tokens]
        query_weight = sum(weights)
        size = len(index.keys)
        key_hit = np.zeros(size)
        query_hit = np.zeros(size)
        for weight, matches in zip(weights, expanded, strict=True):
            found = [(index.key_postings[w], sim * idf[w], sim * weight)
                     for w, sim in matches if w in index.key_postings]
            if len(found) == 1:
                positions, gain_key, gain_query = found[0]
                key_hit[positions] += gain_key
                query_hit[positions] += gain_query
            elif found:  # a typo close to several words: each key counts its best match once
                best_key = np.zeros(size)
                best_query = np.zeros(size)
                for positions, gain_key, gain_query in found:
                    best_key[positions] = np.maximum(best_key[positions], gain_key)
                    best_query[positions] = np.maximum(best_query[positions], gain_query)
                key_hit += best_key
                query_hit += best_query
        touched = np.flatnonzero(key_hit)
        if not touched.size:
            return
        key_cover = np.minimum(1.0, key_hit[touched] / index.key_token_weight[touched])
        query_cover = np.minimum(1.0, query_hit[touched] / query_weight)
        values = index.key_weight[touched] * key_cover ** 0.7 * query_cover ** 0.45
        # Keys are stored grouped by code, so the best key per code is one reduceat over the whole array.
        full = np.zeros(size)
        full[touched] = values
        best = np.maximum.reduceat(full, index.key_code_starts)
        for group in np.flatnonzero(best):
            scores.offer(index.key_group_codes[group], float(best[group]))

    def _score_documents(self, tokens: tuple[str, ...], expanded: list[tuple[tuple[str, float], ...]],
                         scores: _Scores) -> None:
        """Descriptions: how much of the query a code's whole explanation accounts for."""
        index = self.index
        doc_idf = index.doc_idf
        # A Hangul bigram no explanation uses is mostly a word ending (다고, 했는데): it dilutes less than an
        # unknown English word, which is real evidence the message is about something else.
        weights = [doc_idf.get(t, index.doc_unknown_idf * (UNKNOWN_BIGRAM_WEIGHT if has_hangul(t) else 1.0))
                   for t in tokens]
        query_weight = sum(weights)
        covered = np.zeros(len(index.doc_codes))
        for weight, matches in zip(weights, expanded, strict=True):
            found = [(index.doc_arrays[w], sim) for w, sim in matches if w in index.doc_arrays]
            if len(found) == 1:
                (rows, field_weights), sim = found[0]
                covered[rows] += field_weights * (sim * weight)
            elif found:
                best = np.zeros(len(index.doc_codes))
                for (rows, field_weights), sim in found:
                    best[rows] = np.maximum(best[rows], field_weights * sim)
                covered += best * weight
        order = np.argsort(-covered)[:3]
        top = float(covered[order[0]])
        if top <= 0.0:
            return
        second = float(covered[order[1]]) if len(order) > 1 else 0.0
        cover = top / query_weight  # how much of the question this code's explanation accounts for
        margin = (top - second) / top  # how clearly it beats the runner-up
        # Calibrated on our regression and held-out sets against the chat corpus (see tests/resolver).
        if cover >= DOC_MIN_COVER and (margin >= DOC_MIN_MARGIN or cover >= DOC_SURE_COVER):
            confidence = ANSWER_THRESHOLD + 0.3 * min(1.0, (cover - DOC_MIN_COVER) / 0.5 + margin)
        else:
            confidence = min(ANSWER_THRESHOLD - 0.01, cover)
        top_code = index.doc_codes[order[0]]
        if min(DOC_FACTOR, confidence) > scores.by_code.get(top_code, 0.0):
            scores.from_documents.add(top_code)
        scores.offer(top_code, min(DOC_FACTOR, confidence))
        for row in order[1:]:
            if covered[row] > 0:
                scores.offer(index.doc_codes[row], min(ANSWER_THRESHOLD - 0.02, float(covered[row]) / query_weight))


@lru_cache(maxsize=1)
def get_resolver() -> Resolver:
    return Resolver(get_registry())


def resolve(query: str, lang: str = "auto") -> Answer:
    return get_resolver().resolve(query, lang)
