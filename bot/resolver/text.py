"""Text helpers for matching: cleaning, Hangul jamo, Korean particles and numerals."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

MAX_QUERY_CHARS = 4096  # what the matching reads: a 1 MB paste costs no more than this
MAX_PASTE_CHARS = 1_000_000  # what is searched for status evidence at all (the CLI reads no more than this)
_PASTE_PIECE = 400  # a long line (minified JSON, a one-line log dump) is looked at in pieces this long
# A number that can be a status: not part of a longer number, a time (12:04:05), a version (1.503), a source
# line (Foo.java:429) or a size (500m, 404MB).
_STATUS_LIKE = re.compile(r"(?<![\d.:])[1-5]\d\d(?![\d.A-Za-z])")
_TROUBLE_LINE = re.compile(r"caused by|exception|error|fail|status|timed? ?out|refused|denied|reset|오류|에러|실패",
                           re.IGNORECASE)

_HANGUL_SYLLABLE = re.compile(r"[\uac00-\ud7a3]")
# A terminal colour escape (coloured uvicorn or Rails logs), also when its ESC was lost in a copy: "[32m200[0m".
_ANSI_COLOUR = re.compile(r"\x1b?\[\d{1,3}(?:;\d{1,3})*m")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_WORD = re.compile(r"[0-9a-z]+|[\uac00-\ud7a3\u3131-\u318e]+")

_LEADS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_TAILS = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ", "ㅁ",
          "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")

# Particles and endings that Korean glues onto the noun people are asking about.
# Longest first so that "에서는" is stripped before "는".
_KO_SUFFIXES = tuple(sorted({
    "이에요", "예요", "이요", "에요", "입니다", "이야", "이란", "이라는", "라는", "란",
    "이랑", "랑", "하고", "와", "과", "이나", "나",
    "에서는", "에서", "에는", "에게", "으로는", "으로", "로는", "로",
    "은", "는", "이", "가", "을", "를", "의", "에", "도", "만", "요",
    "뭐야", "뭐에요", "뭔가요", "인가요", "가요", "죠", "지",
    "했어요", "해요", "했다", "됨", "함",
}, key=len, reverse=True))

# Korean words that are particles or fillers on their own.
KO_STOPWORDS = frozenset({
    "뭐야", "뭔가요", "뭐예요", "뭐에요", "무엇", "무슨", "뜻", "의미", "뜻이", "알려줘", "알려주세요", "설명", "설명해줘",
    "좀", "이거", "이게", "그", "저", "는", "은", "이", "가", "왜", "어떻게", "해결", "해결법", "해결방법", "방법",
    "에러", "오류", "코드", "상태", "상태코드", "응답", "나요", "나와요", "떠요", "뜹니다", "발생", "났어요", "남",
    "차이", "차이점", "비교", "요", "ㅠㅠ", "ㅠ", "ㅜㅜ",
    # fillers and verb endings that carry no meaning about a status
    "나와", "나옵니다", "나오는데", "나오는데요", "나온다", "떠", "떴어요", "뜨네요", "뜨는데", "떠서", "돼요", "됐어요",
    "대요", "래요", "했는데", "하는데", "있나요", "있어요", "뭐가", "몇", "번", "줘야", "주는", "써요", "써야", "하나요",
    "해야", "경우", "때", "진짜", "그냥", "계속", "자꾸", "갑자기", "이런", "저런", "어떤", "무엇인가요",
    "되나요", "인가", "건가요", "거예요", "건데", "이거요", "ㅋㅋ", "ㅋㅋㅋ", "ㅎㅎ", "있", "돼", "뭐임", "뭐였지", "뭐였죠",
    "줘", "써", "주", "해", "하", "되", "된", "왜그럼", "그럼", "하는", "하면", "해서", "되는", "돼야",
    # "404 말고": the code ruled out is handled apart; the word itself says nothing about the status
    "말고", "말구", "아니고", "빼고",
})

EN_STOPWORDS = frozenset({
    "a", "an", "the", "is", "are", "was", "were", "be", "been", "am", "i", "im", "me", "my", "we", "our", "you",
    "your", "it", "its", "this", "that", "these", "those", "what", "whats", "does", "do", "did", "mean", "means",
    "meaning", "of", "for", "to", "in", "on", "at", "by", "with", "from", "and", "or", "but", "so", "if", "as",
    "http", "https", "status", "code", "codes", "error", "errors", "response", "get", "got", "getting", "keep",
    "keeps", "why", "how", "can", "could", "should", "would", "please", "pls", "help", "explain", "about", "tell",
    "us", "some", "any", "there", "here", "when", "which", "who", "will", "just", "still", "again", "hey", "hi",
    "hello", "yo", "thanks", "thank", "ok?", "vs", "versus", "difference", "between", "compare", "header",
    "headers", "server's", "s", "t", "d", "ll", "re", "ve", "m", "really", "all", "one", "use",
    "used", "using", "return", "returns", "returned", "send", "sends", "sent", "say", "says", "said", "saying",
    "shall", "need", "want", "like", "then", "than", "also", "only", "even", "because", "since",
    "while", "after", "before", "until", "into", "out", "over", "under", "up", "ok", "okay", "yes",
    "yeah", "lol", "plz", "someone", "anyone", "something", "thing", "stuff", "gets", "gives", "give",
    "gave", "show", "shows", "showing", "see", "seeing", "saw", "happen", "happens", "happening", "now",
})

_KO_DIGITS = {"공": 0, "영": 0, "일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "륙": 6, "칠": 7, "팔": 8, "구": 9}
_KO_NUMERAL_RUN = re.compile(r"[공영일이삼사오육륙칠팔구백십]{2,6}")


def condense(text: str) -> str:
    """The parts of a long paste that can say which status it is about, in their order, within MAX_QUERY_CHARS:
    its first line (what the paste is), then lines with a number that can be a status (a stack trace's
    `Caused by: … 429 Too Many Requests`, the Events of `kubectl describe`), then lines that name a failure."""
    if len(text) <= MAX_QUERY_CHARS:
        return text
    pieces = [line[i:i + _PASTE_PIECE] for line in text[:MAX_PASTE_CHARS].splitlines() if line.strip()
              for i in range(0, len(line), _PASTE_PIECE)]

    def rank(piece: str) -> int:
        if _STATUS_LIKE.search(piece):
            return 1
        return 2 if _TROUBLE_LINE.search(piece) else 3

    ranks = [0, *map(rank, pieces[1:])] if pieces else []
    kept: list[int] = []
    room = MAX_QUERY_CHARS
    for i in sorted(range(len(pieces)), key=lambda i: (ranks[i], i)):
        if ranks[i] == 3 or room <= 0:
            break
        if len(pieces[i]) < room:
            kept.append(i)
            room -= len(pieces[i]) + 1
    return "\n".join(pieces[i] for i in sorted(kept))


def clean(text: str) -> str:
    """Condense a long paste, NFKC-normalise, drop control and invisible characters, fold white space."""
    text = condense(text)[:MAX_QUERY_CHARS]
    if "[" in text:
        text = _ANSI_COLOUR.sub(" ", text)
    if not (text.isascii() and text.isprintable()):  # plain ASCII is already in normal form
        text = unicodedata.normalize("NFKC", text)
        text = _CONTROL.sub(" ", text)
    return " ".join(text.split())


def has_hangul(text: str) -> bool:
    return not text.isascii() and bool(_HANGUL_SYLLABLE.search(text))


def has_digit(text: str) -> bool:
    """Cheaper than a regex scan: each test is one fast substring search."""
    return any(digit in text for digit in "0123456789")


class _JamoTable(dict[int, str]):
    """str.translate table from a Hangul syllable to its jamo, filled in as syllables are met."""

    def __missing__(self, point: int) -> str:
        index = point - 0xAC00
        if not 0 <= index < 11172:
            raise LookupError(point)  # not a syllable: translate keeps the character
        lead, rest = divmod(index, 588)
        vowel, tail = divmod(rest, 28)
        self[point] = _LEADS[lead] + _VOWELS[vowel] + _TAILS[tail]
        return self[point]


_JAMO_TABLE = _JamoTable()


def jamo(text: str) -> str:
    """Decompose Hangul syllables into compatibility jamo, so 타입아웃 and 타임아웃 differ by one letter."""
    return text.translate(_JAMO_TABLE)


# Verb and adjective endings: what is left is the stem that carries the meaning ("거절함" -> "거절",
# "만료됐다고" -> "만료", "없어서" -> "없"). A one-syllable stem is allowed here, unlike for particles.
_KO_ENDINGS = tuple(sorted({
    "했다는데", "했다고", "했다는", "했더니", "했는데", "했어요", "했습니다", "했음", "했다", "했고", "했지만",
    "됐다고", "됐다는", "됐는데", "됐어요", "됐음", "됐다", "된다고", "된다는", "된다", "되는데", "되는", "되어",
    "되면", "돼서", "돼요", "됩니다", "해서", "하는데", "한다고", "한다는", "한다", "하는", "하면", "하려면", "하니까",
    "하게", "해요", "합니다", "다는데", "다고", "다는", "는데", "어서", "아서", "라서", "이라고", "라고", "더니", "으면",
    "려면", "려고", "습니다", "어요", "아요", "네요", "나요", "까요", "는지", "은지", "음", "함", "됨", "임",
    "인데", "인데요", "인지", "이라서", "이어서", "였는데", "이었는데",
}, key=len, reverse=True))
_KO_ENDING_SET = frozenset(_KO_ENDINGS)
_KO_ENDING_LONGEST = max(map(len, _KO_ENDINGS))
# Particles: the shortest stem of two or more syllables wins, which strips the longest ("에서는" before "는").
_KO_SUFFIX_SET = frozenset(_KO_SUFFIXES)
KO_PARTICLES = _KO_SUFFIX_SET  # particles and endings, which are no word when they stand alone
_KO_SUFFIX_LONGEST = max(map(len, _KO_SUFFIXES))


@lru_cache(maxsize=65536)
def strip_korean_suffix(word: str) -> str:
    """'권한이' -> '권한', '게이트웨이와' -> '게이트웨이', '거절함' -> '거절'; leaves short words alone."""
    stripped = _strip_once(word)
    if stripped != word and word[len(stripped):] in _STACKING:
        stripped = _strip_once(stripped)  # 요청이라고만 -> 요청이라고 -> 요청
    return stripped


# Particles that go on top of another particle or ending (이라고만, 에게도, 나오는데요): strip one more layer.
_STACKING = frozenset({"만", "도", "요", "는", "은"})


def _strip_once(word: str) -> str:
    """The longest ending that leaves a stem (of one syllable, or two for a particle), else the word."""
    if len(word) > 2:
        for size in range(min(_KO_ENDING_LONGEST, len(word) - 1), 0, -1):
            if word[-size:] in _KO_ENDING_SET:
                return word[:-size]
    for size in range(min(_KO_SUFFIX_LONGEST, len(word) - 2), 0, -1):
        if word[-size:] in _KO_SUFFIX_SET:
            return word[:-size]
    return word


_NEGATIONS = frozenset({"doesnt", "dont", "didnt", "isnt", "arent", "wasnt", "werent", "cant", "cannot", "couldnt",
                        "wont", "wouldnt", "shouldnt", "hasnt", "havent", "hadnt", "never", "without"})


@lru_cache(maxsize=65536)
def light_stem(word: str) -> str:
    """A deliberately small English stemmer: plural and -ed/-ing forms meet their base word.

    Fuzzy matching bridges what it misses (closed -> clos ~ close)."""
    if word in _NEGATIONS:
        return "not"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ied"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def hangul_bigrams(text: str) -> list[str]:
    """Character bigrams of Hangul text with the spaces taken out: robust to spacing and word endings."""
    if len(text) < 2:
        return [text] if text else []
    return [text[i:i + 2] for i in range(len(text) - 1)]


# The humps of a lowerCamel identifier (notFound, permanentRedirect). UpperCamel stays whole: those are mostly
# product and class names (GitHub, NestJS, PostMapping) whose parts mean nothing alone.
_LOWER_CAMEL = re.compile(r"\b[a-z]{2,}(?:[A-Z][a-z0-9]+)+\b")  # (not gRPC, iPhone, eBay: names, not words)
_HUMP = re.compile(r"(?=[A-Z])")


def _split_humps(match: re.Match[str]) -> str:
    return _HUMP.sub(" ", match.group(0))


def unhump(text: str) -> str:
    """The text with its lowerCamel identifiers cut into their words ("notFound()" as "not Found()"): what the
    people who named them meant. The same text when it has none (the usual case, and no copy)."""
    return _LOWER_CAMEL.sub(_split_humps, text) if _LOWER_CAMEL.search(text) else text


def words(text: str) -> list[str]:
    """Lower-cased word tokens (Latin letters/digits runs and Hangul runs), lowerCamel read as words (unhump)."""
    return folded_words(unhump(text).casefold())


def folded_words(folded: str) -> list[str]:
    """The words of casefolded text; an apostrophe joins its word ("can't" -> "cant")."""
    return _WORD.findall(folded.replace("'", "").replace("’", ""))


def compact(text: str) -> str:
    """Key for spacing- and punctuation-insensitive comparison: letters and digits only, lower-cased."""
    return "".join(words(text))


def korean_numeral_codes(text: str) -> list[int]:
    """Status numbers written in Korean: 오백삼 -> 503, 사백사/사공사 -> 404, 사백십팔 -> 418."""
    found: list[int] = []
    for match in _KO_NUMERAL_RUN.finditer(text):
        run = match.group(0)
        start, end = match.span()
        # Only a standalone run, optionally followed by a particle or 에러/번: not part of a longer word.
        if start > 0 and _HANGUL_SYLLABLE.match(text[start - 1]):
            continue
        value = _parse_korean_number(run)
        if value is None:
            # Allow one trailing particle glued to the numeral ("오백삼이", "사공사가").
            value = _parse_korean_number(run[:-1]) if len(run) > 2 else None
            if value is None:
                continue
        if end < len(text) and _HANGUL_SYLLABLE.match(text[end]) and not _allowed_after_numeral(text[end:]):
            continue
        if 100 <= value <= 599:
            found.append(value)
    return found


def _allowed_after_numeral(rest: str) -> bool:
    return rest.startswith(("에러", "오류", "번", "코드", "이", "가", "은", "는", "을", "를", "과", "와", "랑", "이랑",
                            "이란", "란", "뜻", "의", "에", "도", "상태"))


def _parse_korean_number(run: str) -> int | None:
    if "백" in run:
        hundreds_part, _, rest = run.partition("백")
        if len(hundreds_part) != 1 or hundreds_part not in _KO_DIGITS or _KO_DIGITS[hundreds_part] == 0:
            return None
        value = _KO_DIGITS[hundreds_part] * 100
        if "십" in rest:
            tens_part, _, ones_part = rest.partition("십")
            if len(tens_part) > 1 or len(ones_part) > 1:
                return None
            tens = _KO_DIGITS.get(tens_part, -1) if tens_part else 1
            if tens <= 0:
                return None
            value += tens * 10
            rest = ones_part
        if rest:
            if len(rest) != 1 or rest not in _KO_DIGITS or _KO_DIGITS[rest] == 0:
                return None
            value += _KO_DIGITS[rest]
        return value
    # Digit by digit (사공사, 오공삼): three digits, and a 공/영 in the middle so words like 일이삼 stay words.
    if len(run) == 3 and "십" not in run and run[1] in "공영" and run[0] not in "공영":
        return _KO_DIGITS[run[0]] * 100 + _KO_DIGITS[run[1]] * 10 + _KO_DIGITS[run[2]]
    return None


class Respeller:
    """Rewrites the loanword spellings people type into the ones the knowledge uses (knowledge/spelling.toml):
    "타겟" -> "타깃", "메소드" -> "메서드". Applied to questions and to the knowledge alike."""

    def __init__(self, table: Mapping[str, str]) -> None:
        self.table = dict(table)
        ordered = sorted(self.table, key=len, reverse=True)  # the longest spelling wins ("어플리케이션" over "어플")
        self.pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __call__(self, text: str) -> str:
        if self.pattern is None or text.isascii():
            return text
        return self.pattern.sub(lambda match: self.table[match.group(0)], text)


_LATIN_WORD = re.compile(r"[a-z0-9]+")
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")


class PhraseFinder:
    """Which of many lower-case phrases a casefolded text holds, each as words of its own: a Latin word is not
    matched inside a longer Latin word or number ("gin" not in "login"), a Korean one may be followed by a particle
    ("게이트웨이 타임아웃은"). One pattern of thousands of alternatives costs tens of microseconds on every text;
    here a set look-up per word of the text picks the few phrases whose words are all there, and only those are
    searched for."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self._by_word: dict[str, list[tuple[frozenset[str], str, re.Pattern[str]]]] = {}
        self._longest_hangul = 0  # syllables: a Korean word of a text is looked up by its pieces up to this long
        for phrase in dict.fromkeys(phrases):
            hangul = _HANGUL_RUN.findall(phrase)
            self._longest_hangul = max([self._longest_hangul, *map(len, hangul)])
            parts = frozenset(_LATIN_WORD.findall(phrase) + hangul)
            if parts:
                key = max(sorted(parts), key=len)  # the longest word: the rarest, the fewest texts to search
                self._by_word.setdefault(key, []).append((parts, phrase, re.compile(bounded(phrase))))

    def found(self, folded: str) -> list[tuple[int, str]]:
        """(where, phrase) for every phrase the text holds."""
        if not self._by_word:
            return []
        present = set(_LATIN_WORD.findall(folded))
        for run in _HANGUL_RUN.findall(folded):  # a Korean word inside a longer one: "플라스크에서", "스프링부트"
            present.update(run[i:i + n] for i in range(len(run))
                           for n in range(1, min(len(run) - i, self._longest_hangul) + 1))
        out: list[tuple[int, str]] = []
        for key in present.intersection(self._by_word):
            for parts, phrase, pattern in self._by_word[key]:
                if parts <= present and (match := pattern.search(folded)) is not None:
                    out.append((match.start(), phrase))
        return out


def bounded(phrase: str) -> str:
    """A lower-case phrase as a pattern that does not match inside a longer Latin word or number."""
    head = r"(?<![a-z0-9])" if phrase[:1].isascii() and phrase[:1].isalnum() else ""
    tail = r"(?![a-z0-9])" if phrase[-1:].isascii() and phrase[-1:].isalnum() else ""
    return head + re.escape(phrase) + tail
