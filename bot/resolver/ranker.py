"""Which code a described situation is about: BM25F over each code's fields, nearest scenario, and a small
fitted model that weighs them against each other and against answering nothing.

Questions are asked from the situation's side ("업로드하다가 용량 초과라고 끊겨요"); the knowledge holds, per code,
scenarios written from that side, names and aliases, signatures and explanations. Two views of it:

- BM25F: each code is one document with fields (names, scenarios, signatures, summary, causes, checks,
  detail), each field with its own weight and length normalisation (Robertson & Zaragoza, "The Probabilistic
  Relevance Framework: BM25 and Beyond", 2009). Good when the question's words are spread over what is
  written about a code.
- Nearest snippet: each scenario and alias on its own, compared with the question by idf-weighted cosine.
  Good when one scenario says what the question says.

Neither score means anything alone across questions of different lengths and vocabularies, so a linear model
over a few features of each candidate (both scores, their lead over the runner-up, what the name matcher
found, whether a vendor's code comes without its vendor) picks among the candidates and "no answer". Its
weights, the field weights and the fit's figures are in `bot/resolver/model.json`, written by
`bench/fit_ranker.py` from a training set that no evaluation set shares; nothing here is tuned by hand.
"""

from __future__ import annotations

import hashlib
import math
import operator
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import msgspec

from bot.cache import cache_dir, read_cached, write_cached
from bot.registry import Registry
from bot.resolver.analyzer import terms, use_nouns
from bot.resolver.text import Respeller

FIELDS = ("names", "scenarios", "signatures", "summary", "causes", "checks", "detail")
MODEL_PATH = Path(__file__).resolve().parent / "model.json"
# Features of one candidate code, in the order of the model's weights.
FEATURES = ("bm25", "bm25_lead", "snippet", "snippet_lead", "cover", "name", "signature", "vendor_unnamed",
            "top_bm25", "top_snippet", "bm25_asked", "snippet_asked", "evidence", "support")
# Features of the question, which weigh whether to answer at all.
QUERY_FEATURES = ("bias", "unknown_share", "question", "trouble", "asks_code", "few_terms", "one_term", "length",
                  "mass", "asking")
MIN_IDF = 0.5  # see Ranker.views
# The nearest snippet is looked for among this many codes, best by BM25F first. 6 until 2026-12-03: with 139 more
# platform scenarios, a code whose scenario says exactly what the question says ("없는 API 주소" → 404) fell to 7th
# by BM25F and lost its snippet view; 8 recovered it and was as good or better on every set but one (blind6 -1).
SNIPPET_CODES = 8
# What decides whether the best candidate is the answer: its features, the question's, and how clearly the
# ranking prefers it.
ACCEPT_FEATURES = (*(f"top_{name}" if not name.startswith("top_") else name for name in FEATURES),
                   *QUERY_FEATURES, "probability", "probability_lead",
                   # a clear ranking means more in a line that asks, or reports trouble, than in chat
                   *(f"probability_{name}" for name in ("question", "trouble", "asks_code", "asking")))
CANDIDATES = 6  # codes scored per question: the top few by either view and by name (more never won in the fit)


class ModelFile(msgspec.Struct, frozen=True):
    """bot/resolver/model.json: what bench/fit_ranker.py fitted, and on what."""

    field_weights: dict[str, float]
    field_b: dict[str, float]
    k1: float
    weights: dict[str, float]  # per candidate feature: which candidate is the answer (a softmax over them)
    # per ACCEPT_FEATURES: the probability that the best candidate is right (logistic); below `threshold`, the
    # answer is "not sure" with suggestions
    accept_weights: dict[str, float] = {}
    threshold: float = 0.5
    # Is a line a question about a status at all, or team chat? Log-odds per intent token (see intent_tokens), a
    # naive Bayes fitted on the training questions against the training chat lines: chat has its own register
    # (배포했습니다, 완료, thanks) that the knowledge, written about codes, cannot show.
    intent: dict[str, float] = {}
    intent_prior: float = 0.0
    intent_scale: float = 1.0  # the spread (standard deviation) of the log-odds over the training lines
    fitted_on: str = ""  # the training file and its size
    cross_validated: dict[str, float] = {}


_INTENT_WORD = re.compile(r"[0-9a-z]+|[\uac00-\ud7a3]+|\?")


def intent_tokens(text: str) -> list[str]:
    """What tells a question from chat, register more than topic: each word, and for a Korean word also its last
    two syllables (the ending: 나요, 습니다, 해요, 뭐임) and its first two (the stem)."""
    out: list[str] = []
    for word in _INTENT_WORD.findall(text.casefold()):
        out.append(word)
        if word >= "\uac00" and len(word) > 2:
            out += ["~" + word[-2:], word[:2] + "~"]
    return list(dict.fromkeys(out))


def intent_score(text: str, model: ModelFile) -> float:
    """Log-odds that a line asks about a status rather than chats (0 without a fitted intent model)."""
    if not model.intent:
        return 0.0
    return model.intent_prior + sum(model.intent.get(token, 0.0) for token in intent_tokens(text))


def intent_feature(text: str, model: ModelFile) -> float:
    """The intent log-odds in units of their spread over the training lines, squashed into -1..1: a long line's
    naive-Bayes log-odds run far past what one feature should weigh (the naive in naive Bayes)."""
    return math.tanh(intent_score(text, model) / (model.intent_scale or 1.0))


def default_model() -> ModelFile:
    """Starting values for a fit (and for a checkout whose model.json is missing): BM25's textbook k1 and b,
    equal field weights, and a model that trusts both views equally."""
    return ModelFile(field_weights=dict.fromkeys(FIELDS, 1.0), field_b=dict.fromkeys(FIELDS, 0.75), k1=1.2,
                     weights={"bm25": 4.0, "snippet": 4.0, "name": 4.0, "signature": 4.0},
                     accept_weights={"bias": -2.0, "probability": 4.0})


class Cover:
    """code -> the share of the question's idf mass its texts use at all. Read only for the few candidate codes,
    so it is summed when asked (of_codes) rather than for every code a term's postings reach."""

    __slots__ = ("_mass", "_rare", "_term_codes")

    def __init__(self, rare: list[tuple[str, float]], mass: float, term_codes: TermCodes) -> None:
        self._rare, self._mass, self._term_codes = rare, mass, term_codes

    def of_codes(self, codes: Iterable[int]) -> dict[int, float]:
        wanted = set(codes)
        totals = dict.fromkeys(wanted, 0.0)
        for term, weight in self._rare:
            for code in wanted.intersection(self._term_codes.of(term)):
                totals[code] += weight
        return {code: total / self._mass for code, total in totals.items()}


class TermCodes:
    """term -> the codes whose texts use it, made from BM25F's postings when a question first needs it (a team's
    questions use a few thousand terms; the knowledge has tens of thousands)."""

    def __init__(self, gains: dict[str, tuple[int | float, ...]], codes: list[int]) -> None:
        self._gains, self._slot_codes = gains, codes
        self._codes: dict[str, frozenset[int]] = {}

    def of(self, term: str) -> frozenset[int]:
        codes = self._codes.get(term)
        if codes is None:
            if len(self._codes) >= 65536:
                self._codes.clear()
            codes = self._codes[term] = frozenset(self._slot_codes[slot]  # type: ignore[index]
                                                  for slot in self._gains.get(term, ())[::2])
        return codes


class Views(NamedTuple):
    """The two views of a question. All run 0..1: BM25F and cover are divided by the question's idf mass."""

    bm25: dict[int, float]  # code -> BM25F over its fields
    snippet: dict[int, float]  # code -> cosine of its nearest scenario or alias (for the codes BM25F leads with)
    cover: Cover  # code -> the share of the question's idf mass its texts use at all
    unknown: float  # the share of the question's idf mass no knowledge text uses
    mass: float  # the question's idf mass: how much a question says (one rare word says less than five)
    support: dict[int, float]  # code -> the mean cosine of its three nearest snippets: how many agree


class FieldCounts(msgspec.Struct):
    """The analysed knowledge, before any weights: per code slot and field, each term's count."""

    codes: list[int]
    # term -> [(slot, counts per field)]
    counts: dict[str, list[tuple[int, list[int]]]]
    lengths: list[list[int]]  # slot -> terms per field
    snippet_terms: list[list[str]]  # per scenario or alias: its unique terms
    snippet_code: list[int]
    vendor_codes: list[int]


def analyse_knowledge(registry: Registry, leave_out: frozenset[str] = frozenset()) -> FieldCounts:
    """Every text of every code through the analyser. `leave_out`: scenarios to read as if they were not there
    (bench/fit_ranker.py scores a question against knowledge that does not hold that very question)."""
    use_nouns(registry.korean_words)
    respell = Respeller(registry.spelling)  # the knowledge is read with the spellings questions are read with

    def terms_of(text: str) -> list[str]:
        return terms(respell(text))
    texts: dict[int, dict[str, list[str]]] = {}
    snippets: list[tuple[int, str]] = []
    for entry in registry:
        doc: dict[str, list[str]] = {name: [] for name in FIELDS}
        doc["names"] += [entry.phrase, entry.name_ko, *entry.former_phrases, *entry.aliases.en, *entry.aliases.ko]
        doc["scenarios"] += [s for s in (*entry.scenarios.en, *entry.scenarios.ko) if s not in leave_out]
        doc["signatures"] += list(entry.signatures)
        doc["summary"] += [entry.summary.en, entry.summary.ko]
        doc["causes"] += [*entry.causes.en, *entry.causes.ko]
        doc["checks"] += [*entry.checks.en, *entry.checks.ko]
        doc["detail"] += [entry.detail.en, entry.detail.ko]
        for meaning in entry.other_meanings:
            doc["names"] += [meaning.phrase, meaning.name_ko, *meaning.aliases.en, *meaning.aliases.ko]
            doc["scenarios"] += [s for s in (*meaning.scenarios.en, *meaning.scenarios.ko) if s not in leave_out]
            doc["signatures"] += list(meaning.signatures)
            doc["summary"] += [meaning.summary.en, meaning.summary.ko]
            if meaning.detail is not None:
                doc["detail"] += [meaning.detail.en, meaning.detail.ko]
            snippets += [(entry.code, s) for s in (*meaning.scenarios.en, *meaning.scenarios.ko,
                                                   *meaning.aliases.en, *meaning.aliases.ko)]
        snippets += [(entry.code, s) for s in (*entry.scenarios.en, *entry.scenarios.ko, *entry.aliases.en,
                                               *entry.aliases.ko)]
        texts[entry.code] = doc
    snippets = [(code, text) for code, text in snippets if text not in leave_out]
    for table in registry.signatures.values():
        for sig in table.signatures:
            if sig.code in texts:
                texts[sig.code]["signatures"].append(sig.text)
                if sig.note is not None:
                    texts[sig.code]["signatures"] += [sig.note.en, sig.note.ko]

    codes = list(texts)
    counts: dict[str, list[tuple[int, list[int]]]] = defaultdict(list)
    lengths: list[list[int]] = []
    for slot, code in enumerate(codes):
        per_term: dict[str, list[int]] = {}
        sizes: list[int] = []
        for f, name in enumerate(FIELDS):
            found = [t for text in texts[code][name] for t in terms_of(text)]
            sizes.append(len(found))
            for term, count in Counter(found).items():
                per_term.setdefault(term, [0] * len(FIELDS))[f] = count
        lengths.append(sizes)
        for term, row in per_term.items():
            counts[term].append((slot, row))
    snippet_terms = [sorted(set(terms_of(text))) for _, text in snippets]
    kept = [i for i, found in enumerate(snippet_terms) if found]
    vendor_codes = [entry.code for entry in registry if entry.status == "vendor"]
    return FieldCounts(codes, dict(counts), lengths, [snippet_terms[i] for i in kept],
                       [snippets[i][0] for i in kept], vendor_codes)


@dataclass
class Ranker:
    codes: list[int]
    idf: dict[str, float]
    unknown_idf: float
    # The postings are laid out for the memory of a long-running bot (measured with tracemalloc: 8.8 MB as pairs of
    # codes and gains and global snippet numbers, 4.7 MB like this): tuples, not lists, so that nothing read back
    # from the cache holds spare room; one flat tuple per term, not a pair per code; and numbers below 257, which
    # CPython shares, not codes or snippet numbers in the thousands, which would be one int object each.
    gains: dict[str, tuple[int | float, ...]]  # term -> (slot, BM25F gain, slot, gain, ...); slot: index in codes
    # code -> term -> the positions, among that code's snippets, of those that use the term
    snippet_postings: dict[int, dict[str, tuple[int, ...]]]
    snippet_inverse_norm: dict[int, tuple[float, ...]]  # code -> 1 / the idf norm of each of its snippets
    vendor_slots: set[int]
    slot_of: dict[int, int]
    model: ModelFile
    weight_row: list[float] = field(default_factory=list)  # the model's weights in FEATURES order
    accept_row: list[float] = field(default_factory=list)  # and in ACCEPT_FEATURES order

    @property
    def term_codes(self) -> TermCodes:
        """(Made on first use and never cached to disk: it fills as questions come.)"""
        made: TermCodes | None = self.__dict__.get("_term_codes")
        if made is None:
            made = self.__dict__["_term_codes"] = TermCodes(self.gains, self.codes)
        return made

    @classmethod
    def build(cls, counts: FieldCounts, model: ModelFile) -> Ranker:
        n = len(counts.codes)
        idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in counts.counts.items()}
        averages = [max(1.0, sum(row[f] for row in counts.lengths) / max(1, n)) for f in range(len(FIELDS))]
        w = [model.field_weights.get(name, 1.0) for name in FIELDS]
        b = [model.field_b.get(name, 0.75) for name in FIELDS]
        norms = [[1 - b[f] + b[f] * row[f] / averages[f] for f in range(len(FIELDS))] for row in counts.lengths]
        k1 = model.k1
        gains: dict[str, tuple[int | float, ...]] = {}
        for term, rows in counts.counts.items():
            out: list[int | float] = []
            for slot, tf in rows:
                weighted = sum(w[f] * tf[f] / norms[slot][f] for f in range(len(FIELDS)) if tf[f])
                if weighted > 0:
                    out += (slot, idf[term] * weighted / (k1 + weighted))
            if out:
                gains[term] = tuple(out)
        postings: dict[int, dict[str, list[int]]] = defaultdict(dict)  # (made tuples below)
        norms_of: dict[int, list[float]] = defaultdict(list)
        for found, code in zip(counts.snippet_terms, counts.snippet_code, strict=True):
            by_term, norm = postings[code], norms_of[code]
            for term in found:
                by_term.setdefault(term, []).append(len(norm))
            norm.append(1.0 / (math.sqrt(sum(idf.get(t, 0.0) ** 2 for t in found)) or 1.0))
        slot_of = {code: slot for slot, code in enumerate(counts.codes)}
        return cls(codes=list(counts.codes), idf=idf, unknown_idf=math.log(1 + (n + 0.5) / 0.5), gains=gains,
                   snippet_postings={code: {t: tuple(ids) for t, ids in by_term.items()}
                                     for code, by_term in postings.items()},
                   snippet_inverse_norm={code: tuple(norm) for code, norm in norms_of.items()},
                   vendor_slots={slot_of[c] for c in counts.vendor_codes if c in slot_of}, slot_of=slot_of,
                   model=model,
                   weight_row=[model.weights.get(f, 0.0) for f in FEATURES],
                   accept_row=[model.accept_weights.get(f, 0.0) for f in ACCEPT_FEATURES])

    # ----- per question -----------------------------------------------------------------------------------

    def views(self, query_terms: Iterable[str]) -> Views:
        """What the knowledge says about a question's terms (see Views)."""
        idf, unknown_idf = self.idf, self.unknown_idf
        mass = unknown_mass = squares = 0.0
        # A term found in most codes' texts (요청, 서버, request) adds less than MIN_IDF to a score that a shared rare
        # word raises by several times that, but it has the longest lists to add up: it counts in the question's
        # mass and norm and is left out of the sums.
        rare: list[tuple[str, float]] = []
        for term in dict.fromkeys(query_terms):
            weight = idf.get(term)
            if weight is None:
                weight = unknown_idf
                unknown_mass += weight
            elif weight >= MIN_IDF:
                rare.append((term, weight))
            mass += weight
            squares += weight * weight
        mass = mass or 1.0
        # BM25F summed per code slot in a list (an index is cheaper than a dict look-up and store), the codes kept in
        # the order their first term reached them, as a dict would have
        bm25 = [0.0] * len(self.codes)
        reached: list[int] = []
        gains = self.gains
        for term, _ in rare:
            flat = gains.get(term)
            if flat:
                pairs = iter(flat)
                for slot, gain in zip(pairs, pairs, strict=True):
                    if not bm25[slot]:  # type: ignore[index]
                        reached.append(slot)  # type: ignore[arg-type]
                    bm25[slot] += gain  # type: ignore[index]
        codes = self.codes
        by_code = {codes[slot]: bm25[slot] / mass for slot in reached}

        # The nearest snippet (idf-weighted cosine), for the codes BM25F puts on top: a code whose scenario says
        # what the question says shares its rare words, so BM25F (which reads the scenarios too) has it there.
        query_norm = math.sqrt(squares) or 1.0
        inverses = self.snippet_inverse_norm
        squared = [(term, weight * weight) for term, weight in rare]
        snippet: dict[int, float] = {}
        support: dict[int, float] = {}
        for code in sorted(by_code, key=by_code.__getitem__, reverse=True)[:SNIPPET_CODES]:
            postings = self.snippet_postings.get(code)
            if not postings:
                continue
            inverse = inverses[code]
            # (a plain dict and .get: the commonest case, a term in none of this code's snippets, is one failed
            # look-up and no iterator; a fifth less time for this loop than defaultdict over an empty tuple)
            dots: dict[int, float] = {}
            dot_of = dots.get
            for term, square in squared:
                ids = postings.get(term)
                if ids:
                    for i in ids:
                        dots[i] = dot_of(i, 0.0) + square
            if dots:
                nearest = sorted([dot * inverse[i] for i, dot in dots.items()], reverse=True)[:3]
                snippet[code] = nearest[0] / query_norm
                support[code] = sum(nearest) / 3 / query_norm
        return Views(by_code, snippet, Cover(rare, mass, self.term_codes), unknown_mass / mass, mass, support)

    def candidates(self, views: Views, names: dict[int, float], signatures: dict[int, float],
                   vendors_named: set[int], query_flags: dict[str, float],
                   ) -> tuple[list[tuple[int, list[float]]], list[float]]:
        """Feature rows of the candidate codes, and of the question (for "no answer")."""
        bm25, snippet = views.bm25, views.snippet
        pool: dict[int, None] = {}
        for scores in (bm25, snippet, names, signatures):
            for code in sorted(scores, key=scores.__getitem__, reverse=True)[:CANDIDATES]:
                pool[code] = None
        top_bm25 = [*sorted(bm25.values(), reverse=True)[:2], 0.0, 0.0]
        top_snippet = [*sorted(snippet.values(), reverse=True)[:2], 0.0, 0.0]
        asked = query_flags.get("asks_code", 0.0)
        covers = views.cover.of_codes(pool)
        rows: list[tuple[int, list[float]]] = []
        for code in pool:
            b = bm25.get(code, 0.0)
            s = snippet.get(code, 0.0)
            b_other = top_bm25[1] if b >= top_bm25[0] else top_bm25[0]
            s_other = top_snippet[1] if s >= top_snippet[0] else top_snippet[0]
            slot = self.slot_of.get(code)
            vendor_unnamed = 1.0 if slot in self.vendor_slots and code not in vendors_named else 0.0
            cover = covers[code]
            rows.append((code, [b, b - b_other, s, s - s_other, cover, names.get(code, 0.0),
                                signatures.get(code, 0.0),
                                vendor_unnamed, 1.0 if b >= top_bm25[0] else 0.0,
                                1.0 if s >= top_snippet[0] else 0.0,
                                # the same similarity counts for more when the question asks for a code
                                b * asked, s * asked,
                                # how much the question says that this code's texts say too, in idf (log):
                                # a ratio alone makes "merging now" a perfect match for whatever says "merge"
                                math.log1p(cover * views.mass),
                                views.support.get(code, 0.0)]))
        query_row = [query_flags.get(name, 1.0 if name == "bias" else 0.0) for name in QUERY_FEATURES]
        return rows, query_row

    def decide(self, rows: list[tuple[int, list[float]]], query_row: list[float],
               ) -> tuple[list[tuple[int, float]], float]:
        """Candidates by probability, best first, and the probability that the first is the right answer."""
        ranked = rank(rows, self.weight_row)
        return ranked, accept_probability(rows, query_row, ranked, self.accept_row)


def rank(rows: list[tuple[int, list[float]]], weights: list[float]) -> list[tuple[int, float]]:
    """A softmax over the candidates' utilities (weights · features), best first."""
    utilities = [(code, sum(map(operator.mul, weights, row))) for code, row in rows]
    top = max(u for _, u in utilities)
    exps = [(code, math.exp(u - top)) for code, u in utilities]
    total = sum(e for _, e in exps)
    return sorted(((code, e / total) for code, e in exps), key=lambda item: (-item[1], item[0]))


def accept_row(rows: list[tuple[int, list[float]]], query_row: list[float], ranked: list[tuple[int, float]],
               ) -> list[float]:
    """The ACCEPT_FEATURES of a question whose candidates were ranked."""
    best = dict(rows)[ranked[0][0]]
    probability = ranked[0][1]
    lead = probability - (ranked[1][1] if len(ranked) > 1 else 0.0)
    return [*best, *query_row, probability, lead,
            *(probability * query_row[QUERY_FEATURES.index(name)] for name in ("question", "trouble", "asks_code",
                                                                                 "asking"))]


def accept_probability(rows: list[tuple[int, list[float]]], query_row: list[float],
                       ranked: list[tuple[int, float]], weights: list[float]) -> float:
    x = sum(map(operator.mul, weights, accept_row(rows, query_row, ranked)))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


_RANKER_FORMAT = "2"  # 2: flat gains by slot, snippets numbered within their code


def _ranker_digest(registry: Registry, model_bytes: bytes) -> str | None:
    if not registry.digest:
        return None
    here = Path(__file__).resolve().parent
    h = hashlib.sha256(f"{_RANKER_FORMAT}:{registry.digest}".encode() + model_bytes)
    for source in ("ranker.py", "analyzer.py", "text.py"):
        h.update((here / source).read_bytes())
    return h.hexdigest()[:32]


def _model(model: ModelFile | None) -> tuple[ModelFile, bytes]:
    """The model to build with (the shipped one unless given) and the bytes its cache key is made of."""
    try:
        model_bytes = MODEL_PATH.read_bytes() if model is None else msgspec.json.encode(model)
        return model or msgspec.json.decode(model_bytes, type=ModelFile), model_bytes
    except (OSError, msgspec.DecodeError, msgspec.ValidationError):
        return default_model(), b"default"


def _ranker_path(registry: Registry, model_bytes: bytes) -> Path | None:
    digest = _ranker_digest(registry, model_bytes)
    return cache_dir() / f"ranker-{digest}.msgpack" if digest else None


def ranker_cache_path(registry: Registry) -> Path | None:
    """Where the ranker for this knowledge and the shipped model is cached (None: not cacheable)."""
    return _ranker_path(registry, _model(None)[1])


def load_ranker(registry: Registry, model: ModelFile | None = None) -> Ranker:
    """The ranker for this knowledge and model: from the cache when neither changed, else analysed and built
    (the analysis runs every knowledge sentence through MeCab: about a second, once)."""
    chosen, model_bytes = _model(model)
    use_nouns(registry.korean_words)  # questions are read with the words the knowledge was read with
    path = _ranker_path(registry, model_bytes)
    if path is not None and (cached := read_cached(path, Ranker)) is not None:
        return _share_terms(cached)
    counts = load_counts(registry)
    ranker = Ranker.build(counts, chosen)
    if path is not None:
        write_cached(path, ranker)
    return ranker


def _share_terms(ranker: Ranker) -> Ranker:
    """One string object per term: decoded from the cache, the same term is a new string in the idf, in the
    gains and in every code's snippet postings (1 MB of copies)."""
    intern = sys.intern
    ranker.idf = {intern(term): value for term, value in ranker.idf.items()}
    ranker.gains = {intern(term): flat for term, flat in ranker.gains.items()}
    ranker.snippet_postings = {code: {intern(term): ids for term, ids in by_term.items()}
                               for code, by_term in ranker.snippet_postings.items()}
    return ranker


def load_counts(registry: Registry) -> FieldCounts:
    """The analysed knowledge (cached like the ranker, but independent of the model: a fit rebuilds the ranker
    many times from one analysis)."""
    digest = _ranker_digest(registry, b"counts")
    path = cache_dir() / f"counts-{digest}.msgpack" if digest else None
    if path is not None and (cached := read_cached(path, FieldCounts)) is not None:
        return cached
    counts = analyse_knowledge(registry)
    if path is not None:
        write_cached(path, counts)
    return counts
