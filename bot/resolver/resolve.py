"""Query -> Answer. Every interface (CLI, Discord) goes through `Resolver.resolve`."""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from bot.models import Lang
from bot.registry import Registry, code_class, get_registry
from bot.resolver import cues
from bot.resolver.analyzer import terms_of_words
from bot.resolver.chat import ChatReader, load_chat_reader
from bot.resolver.constants import ConstantHit, ConstantReader
from bot.resolver.extract import CodeHit, find_codes
from bot.resolver.headers import HeaderRanker
from bot.resolver.index import (
    KEY_COVER_POWER,
    MIN_KEY_COVER,
    QUERY_COVER_POWER,
    WEIGHT_ALIAS,
    SearchIndex,
    analyze_words,
    load_index,
)
from bot.resolver.query import Query
from bot.resolver.ranker import Ranker, Views, intent_feature, load_ranker
from bot.resolver.text import (
    KO_STOPWORDS,
    PhraseFinder,
    Respeller,
    clean,
    compact,
    has_hangul,
    jamo,
    korean_numeral_codes,
    strip_korean_suffix,
    words,
)

Kind = Literal["code", "compare", "class", "header", "none"]

# A name or alias matched this well (a typo at most) names its code when nothing else does; a part of a comparison
# ("gateway timeout vs bad gateway") must name a code this well too.
ANSWER_THRESHOLD = 0.62
ONE_WORD_NAME_SURE = 0.75  # a one-word question names a code this well at least: see Resolver._described
SIGNATURE_SCORE = 0.94  # a verbatim fragment of a known error message (longer fragments score a bit higher)
# A name or alias matched this well (all its words, a typo at most) is the answer whatever else the question
# says; below it the fitted model decides. It is the score of a key with one of three words unmatched
# (cover 2/3 ** KEY_COVER_POWER, about 0.75) raised by a word's worth: a name with every word present.
NAME_SURE = 0.85
SUGGEST_SHARE = 0.15  # a code is suggested when the ranking gives it this much of its probability
_RANKER_MAX_WORDS = 80  # a description is matched on its first words; a long paste is read by signatures
_CACHE_SIZE = 4096
_CACHE_MAX_QUERY = 200

# "5xx", "4**", "500번대", and "500s" / "400s" (but "100s" is more often a hundred seconds than the 1xx class).
_CLASS = re.compile(r"(?<![\w])(?:([1-5])\s?(?:xx|XX|\*\*|백\s?번\s?대|00\s?번\s?대|백대|00\s?대)"
                    r"|([2-5])00s\b)(?![a-z])")
# Where an error page or an error body names its status: an HTML title or heading, or a JSON field that holds the
# reason phrase (Spring's "error", RFC 9457's "title", Express's statusText...). What such a slot holds is a name by
# construction, so a reason phrase found there is as good as a number ("<title>Gateway Time-out</title>"). A free-text
# "message" is no such slot: API Gateway sends {"message": "Internal server error"} with a 502.
_NAME_SLOT = re.compile(r"<(title|h1|h2)\b[^>]*>\s*([^<]{3,80}?)\s*</\1>"
                        r"|\"(?:error|title|reason|statusText|status_text|status|code)\"\s*:\s*\"([^\"]{3,80})\"",
                        re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"^\s*(?:HTTP\s*(?:error\s*)?)?\d{3}\s*[-:.]?\s*", re.IGNORECASE)

# What makes "500대" (without 번) the 5xx class rather than five hundred of something: a status word after it.
_CLASS_UNITS_CONTEXT = re.compile(r"\s?(?:의\s?)?(?:에러|오류|응답|코드|상태|status|error|errors|response)|\s?\?",
                                  re.IGNORECASE)
# The words of cues.LISTING, to cut out of "list all 5xx codes" before reading the class name.
_LISTING_CUE = re.compile(r"\b(?:all|list|lists|types|kinds|every|codes|class|category|family)\b"
                          r"|목록|종류|리스트|전부|모든|코드들|전체|계열|대역|정리", re.IGNORECASE)
_COMPARE_SPLIT = re.compile(r"\s+(?:vs\.?|versus|or|and|와|과|랑|이랑|하고|아니면|또는|혹은)\s+|\s*(?:/|,)\s*",
                            re.IGNORECASE)
# Korean glues "and" onto the first thing compared: "게이트웨이 타임아웃이랑 배드 게이트웨이 차이".
# (after an English name too: "Not Found랑 Gone 차이")
_COMPARE_GLUED = re.compile(r"(?<=[\uac00-\ud7a3A-Za-z0-9])(?:이랑|랑|하고|와|과)\s+")
# Words around the two things compared, taken out before splitting on "vs", "와", "/".
_COMPARE_NOISE = re.compile(r"\b(?:difference|differences|between|compare|comparison|what's|what is|the)\b"
                            r"|차이점?[이가은는]?|비교|다른\s?점|구분|구별|뭐야|뭔가요|뭐예요|뭐에요|뭐임|뭔데|알려\s?줘요?"
                            r"|알려\s?주세요|뭐가\s?(?:다름|달라요?|다른가요|다릅니까)|\?|(?:코드|상태\s?코드)?\s*(?:어떻게|언제)?\s*"
                            r"(?:나눠요|나눠|나누나요|나눔|헷갈려요|헷갈려|헷갈림|헷갈리네요|써요|씀|쓰나요|달라요|달라)\s*$",
                            re.IGNORECASE)
_FILLERS = ("error", "errors", "status", "response", "code", "meaning", "explain", "please", "what", "does")
_CLASS_FILLER = frozenset({"status", "code", "codes", "http", "the", "what", "are", "is", "코드", "상태", "상태코드",
                           "뭐야", "뭐예요", "알려줘", "there", "of"})
_LATIN_RUN = re.compile(r"[A-Za-z0-9]+")
_HEADER_MAX_WORDS = 5  # the longest header name, in words (Access-Control-Allow-Origin has four)
_HEADER_CUE = re.compile(r"\bheaders?\b|헤더", re.IGNORECASE)
# A word said not to be meant: "not the client", "클라이언트 말고", "클라 잘못이 아니라".
_NEGATED = re.compile(r"\b(?:not|no|never)\s+(?:the\s+|a\s+|an\s+)?[a-z-]+|[^\s,.]+\s?(?:말고|아니라|아니고)",
                      re.IGNORECASE)
# Words every class's names use ("error", "응답", "코드"): they tell no class from another.
_CLASS_SHARED_TERMS = frozenset({"error", "respons", "code", "응답", "코드", "오류", "에러", "측", "쪽", "계열"})
_HYPHENATED = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+")
# Asks which header: "헤더 이름 뭐였지", "…알려주는 헤더가 뭐지", "…담아주는 헤더", "which header tells…", "the header
# that …". Not "Location 헤더도 줄 건데 뭐 리턴" (a code, see WANTS_STATUS) nor "헤더 없는 요청" (a condition).
_ASKS_HEADER = re.compile(
    r"헤더\s*(?:이름|명)|(?:어떤|무슨|뭔|어느)\s*헤더|헤더(?:가|는|로|이)?\s*(?:뭐|무엇|뭔|뭘|있)|헤더\W*$"
    r"|\b(?:which|what)\s+(?:\w+\s+)?header\b|\bheader\s+name\b|\bname\s+of\s+the\s+header\b"
    r"|\bheader\s+(?:that|which|tells|says|carries|holds|lists|for)\b", re.IGNORECASE)
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
    # over the explanations), "constant" (a framework constant such as HttpStatus.BAD_GATEWAY), or "" for none.
    # The channel gate trusts them differently.
    evidence: str = ""
    constant: ConstantHit | None = None  # the framework constant the answer was read from
    signature: SignatureHit | None = None  # the error message the answer was read from


@dataclass(frozen=True)
class SignatureHit:
    """A known error page or message found in the question: whose it is, and what the client really sees."""

    text: str
    software: str = ""  # "" for a signature kept in a code file rather than in knowledge/signatures/
    where: str = ""
    shown: int = -1  # the status the client receives, when it is not the code itself (0: no response at all)
    note: tuple[str, str] = ("", "")  # (en, ko)


@dataclass
class _Scores:
    by_code: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    # where each code's best score came from: "signature", "name" (names and aliases) or "description"
    source: dict[int, str] = field(default_factory=dict)
    # each code's best score from anything but the explanations (names, aliases, signatures)
    not_described: dict[int, float] = field(default_factory=dict)
    signature: dict[int, str] = field(default_factory=dict)  # code -> the longest fragment found for it

    def offer(self, code: int, score: float, source: str = "name") -> None:
        if source != "description" and score > self.not_described.get(code, 0.0):
            self.not_described[code] = score
        if score > self.by_code[code]:
            self.by_code[code] = score
            self.source[code] = source

    def ranked(self) -> list[tuple[int, float]]:
        return sorted(self.by_code.items(), key=lambda item: (-item[1], item[0]))


_jamo = lru_cache(maxsize=4096)(jamo)  # a query's Korean words, decomposed once


# Before or after a number: the code the asker rules out.
# ("more precise than 404", "404보다 구체적인 코드": the asker wants a better code than that one; "like 401 but for
# a proxy": a code named as the model of another)
_EXCLUDED_BEFORE = re.compile(r"(?:other than|instead of|besides|apart from|except(?: for)?|rather than|better than"
                              r"|more (?:precise|specific|accurate|appropriate|correct|fitting|suitable|exact) than"
                              r"|not)\s+(?:an?\s+|the\s+)?(?:plain\s+|generic\s+|simple\s+|just\s+)?$")
_LIKE_BEFORE = re.compile(r"\blike\s+(?:an?\s+)?$", re.IGNORECASE)
_BUT_AFTER = re.compile(r"\s*,?\s+but\b", re.IGNORECASE)
_EXCLUDED_AFTER = re.compile(r"\s?(?:번|코드|은|는|이|가|을|를|으로|로)?\s?(?:말고|말구|아니고|아니라|빼고|대신"
                             r"|아니던데|아니더라|아닌데|아니네|아니었"  # "301 아니던데 몇번임?": the guess was wrong
                             r"|보다\s?(?:더\s?)?(?:정확|구체|적절|알맞|딱\s?맞)"
                             r"|(?:쓰면|주면|쓰는\s?건|주는\s?건)\s?안\s?[되된돼]"  # "301 쓰면 안된다던데 뭐 써요?"
                             r"|(?:번)?\s?[인일]\s?줄\s?알았)")  # "301인 줄 알았는데": the guess the question corrects


# What Korean writes between two codes it weighs against each other: "401이야 403이야?", "302 줄까 303 줄까",
# "409랑 412", "301이랑 308 언제 씀?", "404 줘야돼 200 줘야돼?", "200? 204?" (and the English "401 or 403?").
# A verb of choosing may follow a particle and the counter: "404로 할지 410으로 할지", "401로 해야 돼 403으로 해야 돼",
# "401번 줄까 403번 줄까", "401인지 403인지". Those, and a question mark, ask by themselves (_CHOOSING); "랑", "하고",
# "/" and "or" join two codes in chat as well ("502랑 504 알람 채널 분리했어요").
_CHOICE = (r"(?:이야|야|이냐|냐|이에요|예요|임"
           r"|(?:(?:번\s?)?(?:으로|로|을|를|이|가)\s?|번\s?)?"
           r"(?:줄까|할까|쓸까|둘까|줄지|쓸지|할지|둘지|인지|맞아|맞나|(?:써|줘|해|둬)야\s?(?:돼|되|해|함|하나)?)"
           # each choice with a verb of its own: "200에 바디 줄까 204로 비울까", "301로 보낼까 308로 보낼까"
           r"|[^?.!\n]{0,10}?(?:줄까|할까|쓸까|둘까|보낼까|비울까|내릴까|리턴할까|반환할까))")
_JOINED = re.compile(r"\s*(?:(?:이랑|랑|하고|와|과|아니면|또는|혹은|이나|나|or|,|/|" + _CHOICE + r")[\s?]*|\?\s*)"
                     r"(?:아니면|or)?\s*$", re.IGNORECASE)
_CHOOSING = re.compile(r"\s*(?:" + _CHOICE + r"[\s?]*|\?\s*)(?:아니면|or)?\s*$", re.IGNORECASE)


def _joined_codes(text: str, hits: list[CodeHit], joined: re.Pattern[str] = _JOINED) -> bool:
    """Two codes side by side with only a joining word between them: a comparison, even without "vs"."""
    for first, second in itertools.pairwise(hits):
        between = text[first.start + 3:second.start]
        if len(between) <= 12 and joined.fullmatch(between):
            return True
    return False


# Text a machine wrote (a request line, a log line, markup, JSON, an exception's dotted class name): a number there
# is a status, whatever the words.
# (A quotation mark or a bracket alone is not one: chat quotes ("점검 중 503 페이지 문구 "잠시 후…"로 수정") and tags
# its updates ("[업데이트] 로그인 401 이슈 원인 확인"); JSON has a key's colon, a log line a bracketed time or level.)
_MACHINE_TEXT = re.compile(r"[<>{}=|]|\"\s*:|\[[^\]]*\d[^\]]*\d[^\]]*\]"
                           r"|\[(?i:error|warn|warning|info|crit|alert|emerg|notice|debug|fatal)\]"
                           r"|\bHTTP/|\w/[\w.-]+/|\b[A-Za-z]\w*\.[A-Za-z]\w*\.[A-Za-z]\w*"
                           r"|\bms\b"
                           # "fetch failed: 500 Internal Server Error", "AxiosError: …": an error's own message
                           r"|(?i:failed|error|exception)\s?:\s")


# A request line ("GET /api/orders 502"): a machine's text in English; in a Korean sentence, an endpoint named in
# prose ("신규 POST /v2/orders 는 201 + Location 헤더로 응답합니다. API 문서 업데이트 완료")
# (a request line followed by its status, "GET /api/orders 502 배포 완료", is a log line in any language)
_REQUEST_LINE = re.compile(r"\b(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+/(?:\S*\s+([1-5]\d\d)\b)?")


# Codes listed with slashes ("400/401/403 응답 스키마", "2xx/3xx/4xx/5xx 패널") are no path of a machine's text.
_CODE_LIST = re.compile(r"(?<![\w/])[1-5](?:\d\d|xx)(?:/[1-5](?:\d\d|xx))+(?![\w/])", re.IGNORECASE)


# The opening of a commit message (Conventional Commits' types), a merged PR, a TIL or a retrospective note.
_WORK_LOG = re.compile(r"\s*(?:(?:feat|fix|chore|docs|refactor|perf|test|tests|build|ci|style|revert|hotfix)"
                       r"(?:\([^)]{0,40}\))?!?:|merged\s+(?:pr\s*)?#\d+|pr\s*#\d+\b|til\s*:|회고\s*:|회의록\s*:)",
                       re.IGNORECASE)
# A known error message this long is pasted, unless quoted in a sentence ("the 'upstream prematurely closed
# connection' errors stopped after…"): the length from which reaches_chat_model takes a message for a paste.
_PASTED_MESSAGE = 20
_QUOTES = ("'", '"', "`", "‘", "’", "“", "”")
# an argument that sets the status a helper sends
_STATUS_ARGUMENT = re.compile(r"\b(?:permanent|status|status_code|statusCode|code)\s*[=:]", re.IGNORECASE)
# asks what a helper does on its own: "기본 상태코드", "by default", "status 안 주면", "without a status"
_DEFAULT_ASKED = re.compile(r"default|기본|디폴트|안\s?주면|안\s?넣으면|지정\s?안|안\s?건드"
                            r"|without\s+(?:a\s+|any\s+)?status|no\s+status", re.IGNORECASE)
# asks which one code to send or use: "뭐 써야 돼?", "뭘 줘야 해", "which should I return"
_ASKS_FOR_ONE = re.compile(r"(?:뭐|뭘|뭐로|뭘로|어떤\s?걸|어떤\s?거)\s?(?:써야|줘야|써|줘|돌려줘야|리턴해야|반환해야)"
                           r"|\bshould\s+(?:i|we)\s+(?:use|return|send)\b", re.IGNORECASE)
_NAMED_CHAT_WORDS = 5  # the fewest words, the masked status included, of a line that names a status in chat
# "'no healthy upstream' 메시지 뜰 때 코드", "… 나오면 코드 몇임": what a line that names a message asks for, in
# the words the cue lists do not hold.
_ASKS_FOR_ITS_CODE = re.compile(r"코드\s*몇|(?:코드|code|status)\s*\??\s*$", re.IGNORECASE)
# Around a status's name, quotes and brackets are prose ('Saved a Kibana search for "no healthy upstream"',
# "[FIX] Too Many Requests 재시도 로직 추가"); a body's key, markup, a path or a request line are a machine's.
_MACHINE_TEXT_AROUND_A_NAME = re.compile(r'[<>{}=|]|"\s*:|\w::\w|\bHTTP/|\w/[\w.-]+/'
                                         r"|\b[A-Za-z]\w*\.[A-Za-z]\w*\.[A-Za-z]\w*"
                                         r"|\b(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+/")
_HTTP_WORD_BEFORE = re.compile(r"\bhttp[\s:]*$", re.IGNORECASE)
# "is 204 fine for a DELETE?", "should we return 409 here", "is 207 a real status code": an English question that
# asks for a yes or a no (question mark or not: chat does not open with "is" or "should").
_YES_NO_QUESTION = re.compile(r"\s*(?:is|are|do|does|did|can|could|should|would|will|shall|may|must)\s",
                              re.IGNORECASE)


# What makes a class the topic of a question rather than the kind of code asked for: a topic or subject particle
# after it ("1xx 응답은 뭐에 쓰는 거예요", "4xx란"), or a question mark with no "which" before it ("what counts as
# success? 2XX?" asks about the class; "… a Location header. which 2xx?" asks for one of it).
_CLASS_TOPIC_AFTER = re.compile(r"\s?(?:응답|코드|에러|상태)?\s?(?:은|는|이란|란)(?![가-힣])|\s?\?")
_WHICH_BEFORE = re.compile(r"(?:which|what|어떤|무슨|어느|뭔)\s*$", re.IGNORECASE)


def _offered(query: str, lang: Lang, codes: tuple[int, ...]) -> Answer:
    """A line that names statuses but asks nothing about them: the codes are offered, not answered."""
    return Answer(query, "none", lang=lang, confidence=0.5, suggestions=codes[:3], note="not_sure")


def _written_as_code(text: str, hit: ConstantHit) -> bool:
    """`Redirect::to(…)`, `redirect(conn, to: …)`: the name qualified, or called."""
    if "." in hit.name or "::" in hit.name:
        return True
    after = text[hit.start + len(hit.name.lstrip(".")):].lstrip()  # (a member's dot is before its start)
    # a call, a block, a Rust macro, or a function with its arity as Erlang and Elixir write it (service_available/2)
    return after[:1] in ("(", "{", "!") or (after[:1] == "/" and after[1:2].isdigit())


def _class_is_the_topic(text: str, match: re.Match[str]) -> bool:
    if not _CLASS_TOPIC_AFTER.match(text, match.end()):
        return False
    return not _WHICH_BEFORE.search(text[max(0, match.start() - 12):match.start()])


# After a code: the asker doubts it and asks for another ("404 줘야 하나요 아니면 뭐?", "should it be a 404 or
# something else?", "400은 너무 뭉뚱그린 느낌", "301은 불안함", "200이랑 헷갈림", "404 주자는 사람도 있는데").
_DOUBTED_AFTER = re.compile(r"\s?(?:번|을|를|로|으로|이|가)?\s?(?:줘야|써야|리턴해야|반환해야|주는\s?게\s?맞)[^?]{0,12}"
                            r"(?:아니면\s?(?:뭐|뭘|다른)|아님\s?뭐)|\s?or\s+(?:something|what)\b"
                            r"|\s?(?:번)?(?:은|는)\s?(?:너무|좀\s?애매|애매|불안|별로|아닌\s?것\s?같)"
                            r"|\s?(?:번)?(?:이랑|랑|하고|과|와)\s?헷갈"
                            r"|\s?(?:을|를|로|으로)?\s?(?:주자는|쓰자는|하자는)\s?(?:사람|의견|쪽|얘기)"
                            r"|\s?(?:feels|seems|sounds)\s+(?:too|wrong|off)\b"
                            # "기본 응답 뭐임? 429 아님?", "이거 404 맞나요?": a guess put up to be checked
                            r"|\s?(?:번|이|가|은|는)?\s?(?:아님|아니야|아닌가요?|아니에요|맞나요?|맞죠|맞지|맞음|맞아요?)\s?\?"
                            # "검색 결과 0건이면 404 줘야 돼?": the code to send, put up to be checked
                            r"|\s?(?:을|를|로|으로)?\s?(?:줘야|써야|리턴해야|반환해야|내려야)\s?(?:돼|되나|되나요|하나|하나요|함|해)?\s?\?"
                            # "DELETE /users 치면 405 나옴?": a guess of what comes back, put up to be checked
                            r"|\s?(?:이|가)?\s?(?:나옴|나와요|나오나요|나오나|나오는\s?거\s?맞|뜸|떠요|뜨나요)\s?\?"
                            r"|\s?(?:이|가)?\s?(?:나가는|나오는|뜨는)\s?(?:거|게)\s?맞(?:지|죠|나요?|아요?)?\s?\?",
                            re.IGNORECASE)


# Later in an English question, what the code stated so far should have been: "the create endpoint returns 200 with
# the new order … What status should it actually return?", "a teammate returns 400 when … which code was designed
# for this?"
_SHOULD_IT_BE = re.compile(r"\b(?:should (?:it|we|this|they|the (?:server|api|endpoint)) (?:actually |really )?"
                           r"(?:be|return|send|respond|use)|what (?:should|would) (?:it|we) (?:be|return|send)"
                           r"|(?:was|is) designed for|more (?:correct|appropriate|precise|fitting)"
                           r"|(?:the )?(?:right|correct|proper) (?:code|status)(?! is))\b", re.IGNORECASE)


# "'404 page not found' 나오는 건 알겠고, …땐 몇 나와?", "503은 알겠는데 504는?": a code the asker already knows is
# the background of the question, not its answer.
_KNOWN_AFTER = re.compile(r"[^,.?!\n]{0,32}?(?:건|거는|것은|은|는)\s?(?:알겠|잘\s?알)")


def _is_excluded(text: str, start: int) -> bool:
    return bool(_EXCLUDED_AFTER.match(text, start + 3) or _KNOWN_AFTER.match(text, start + 3)
                or _EXCLUDED_BEFORE.search(text[max(0, start - 24):start].casefold())
                or bool(_LIKE_BEFORE.search(text[max(0, start - 9):start]) and _BUT_AFTER.match(text, start + 3)))


def _offer_top(scores: _Scores, best: dict[int, float], source: str) -> None:
    """Offer the three best codes (and any tied with the third). Only the top three answers are ever read
    (the answer and its suggestions), and a code below three others here cannot overtake them."""
    if len(best) > 3:
        cut = sorted(best.values(), reverse=True)[2]
        best = {code: value for code, value in best.items() if value >= cut}
    for code, value in best.items():
        scores.offer(code, value, source)


def _has_header_cue(text: str) -> bool:
    return "헤더" in text or ("header" in text.casefold() and bool(_HEADER_CUE.search(text)))


def _header_key(text: str) -> str:
    return "".join(_LATIN_RUN.findall(text.casefold()))


def detect_lang(text: str) -> Lang:
    return "ko" if has_hangul(text) else "en"


class Resolver:
    def __init__(self, registry: Registry, index: SearchIndex | None = None) -> None:
        self.registry = registry
        self._index = index
        self._cache: dict[tuple[str, str], Answer] = {}
        # Every header name and alias by its letters alone, so "Retry-After", "retry after" and "RetryAfter" meet.
        self._header_names = {_header_key(key): name for key, name in registry.header_lookup.items()}
        # first word -> the words of each header name starting with it ('keep' -> {keep, alive})
        self._header_words: dict[str, list[frozenset[str]]] = defaultdict(list)
        for key in registry.header_lookup:
            if parts := _LATIN_RUN.findall(key.casefold()):
                self._header_words[parts[0]].append(frozenset(parts))
        self._header_first_words = set(self._header_words)
        self._respell = Respeller(registry.spelling)
        self._constants = ConstantReader(registry)
        # Only the costly lookups are cached: a word not in the knowledge, compared with every indexed word. A word
        # the knowledge has (most words asked) is answered from the index at once and would only crowd them out.
        self._typo_matches = lru_cache(maxsize=4096)(self._typo_matches_uncached)
        self._is_misspelt_filler_cached = lru_cache(maxsize=4096)(self._is_misspelt_filler_uncached)
        self._ranker: Ranker | None = None
        self._chat: ChatReader | None = None
        self._header_ranker: HeaderRanker | None = None
        self._spelt: tuple[PhraseFinder, dict[str, int]] | None = None  # see _spelt_name
        self.last_rows: tuple[list[tuple[int, list[float]]], list[float]] | None = None
        self._terms = lru_cache(maxsize=4096)(self._terms_uncached)
        # (small: a question is viewed once, a repeated one is answered from the answer cache, and each view
        # holds three dicts over the codes)
        self._views = lru_cache(maxsize=32)(self._views_uncached)

    @property
    def header_ranker(self) -> HeaderRanker:
        """Built on first use: only a question that asks for a header needs it."""
        if self._header_ranker is None:
            self._header_ranker = HeaderRanker(self.registry, lambda text: terms_of_words(words(text)))
        return self._header_ranker

    @property
    def chat(self) -> ChatReader:
        if self._chat is None:
            self._chat = load_chat_reader()
        return self._chat

    def reaches_chat_model(self, text: str, q: Query, number_text: str, hits: list[CodeHit]) -> bool:
        """Whether a line that names a status by its number or class may be chat about it, for the model of
        bot/resolver/chat.py to decide. A number a status line, a log line or `status=` says is a status is one
        ("HTTP 418" alone is not: chat writes "HTTP 418 티셔츠 샀음"). A word or two ("503", "prod 502") is a
        question; so is a line that asks
        outright ("why", "차이", "list the 2xx codes", "is 204 fine for a DELETE?") or weighs two codes with a verb of
        choosing ("302 줄까 303 줄까", "404로 할지 410으로 할지"); two codes only joined are left to the model ("502랑
        504 알람 채널 분리했어요" tells); in a machine's text (a
        request line, markup, JSON) or an error page we know ("503 Service
        Unavailable No server is available to handle this request", "404 page not found": a message of some
        length, or most of the line; "I'm a teapot" on a mug is neither) a number is a status."""
        if any(h.strong and not _HTTP_WORD_BEFORE.search(number_text, max(0, h.start - 6), h.start) for h in hits):
            return False
        return len(q.words) >= 3 and not _MACHINE_TEXT.search(_CODE_LIST.sub(" ", text)) \
            and not ((found := _REQUEST_LINE.search(text)) and (not q.hangul or found.group(1))) \
            and not cues.ASKS_OUTRIGHT.found_in(q) \
            and not _YES_NO_QUESTION.match(text) and not _joined_codes(number_text, hits, _CHOOSING) \
            and not any(len(found) >= _PASTED_MESSAGE or 2 * len(found) >= len(text)
                        for _, found in self.index.signatures_in(q))

    @property
    def ranker(self) -> Ranker:
        """Loaded on first use, like the index."""
        if self._ranker is None:
            self._ranker = load_ranker(self.registry)
        return self._ranker

    @property
    def index(self) -> SearchIndex:
        """Loaded (or built) on first use: a question with a status number in it never needs it."""
        if self._index is None:
            self._index = load_index(self.registry)
        return self._index

    @property
    def _class_keys_by_length(self) -> dict[int, list[str]]:
        made: dict[int, list[str]] | None = self.__dict__.get("_class_keys_by_length_made")
        if made is None:
            made = defaultdict(list)
            for key in self.index.class_key_list:
                made[len(key)].append(key)
            self.__dict__["_class_keys_by_length_made"] = made = dict(made)
        return made

    # ----- public -------------------------------------------------------------------------------------------

    def resolve(self, query: str, lang: str = "auto") -> Answer:
        """The answer for one query. Repeated short queries (teams ask about 502 all day) come from a cache."""
        if len(query) > _CACHE_MAX_QUERY:
            return self._resolve(query, lang)
        key = (query, lang)
        answer = self._cache.get(key)
        if answer is None:
            answer = self._resolve(query, lang)
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))  # oldest first: dicts keep insertion order
            self._cache[key] = answer
        return answer

    def explain_message(self, body: str, lang: str = "auto") -> Answer:
        """The answer for a message someone asked to have explained (the context menu): like resolve, but a status
        the message only mentions ("[FIRING] upstream answered HTTP 504 for 5 minutes", "결제 API 503 복구 완료") is
        what they want explained, and two codes in a pasted message are a list, not a comparison."""
        answer = self.resolve(body, lang)
        if answer.kind == "none" and answer.suggestions and (stated := tuple(dict.fromkeys(
                hit.code for hit in find_codes(self.prepared(body)) if hit.code in self.registry.codes))):
            return Answer(answer.query, "code", stated, lang=answer.lang, confidence=0.9, evidence="number")
        if answer.kind == "compare":
            return Answer(answer.query, "code", answer.codes, lang=answer.lang, confidence=answer.confidence)
        return answer

    def prepared(self, query: str) -> str:
        """The text every part of the resolver reads: cleaned (NFKC, controls and mentions out) and respelt."""
        return self._respell(clean(query))

    def _resolve(self, query: str, lang: str) -> Answer:
        text = self.prepared(query)
        q = Query.of(text)
        answer = self._answer(query, text, q, lang)
        if answer.kind != "none" and _WORK_LOG.match(text) and "?" not in text and not cues.ASKS_OUTRIGHT.found_in(q):
            # "fix(api): return 409 on duplicate email", "Merged #2841 — map NOT_FOUND to 404", "TIL: …": a commit
            # message, a PR title or a note names a status to say what was done
            return _offered(query, answer.lang, answer.codes)
        if answer.kind == "code" and (answer.evidence in ("name", "signature") or (
                # in a Korean line, a name written as a name, capitals and all ("Service Unavailable 점검 페이지 문구
                # … 통일했음"), is named even when the words around it found the code too (an English line that
                # opens with one is most often a pasted error page)
                answer.evidence == "description" and q.hangul
                and (entry := self.registry.get(answer.codes[0])) is not None
                and " " in entry.phrase and entry.phrase in text)) \
                and (masked := self.named_chat_text(query, text, q, answer.codes[0])) is not None \
                and self.chat.only_mentions(masked, named=True):
            # "Too Many Requests 받던 파트너 연동, 호출 간격 늘리니까 깔끔해졌어요": a status named by its name or
            # its error message, in a line that reports work done, is chat as much as with its number. (An
            # answer read from the situation described is no mention: "permanent redirect that keeps POST".)
            return _offered(query, answer.lang, answer.codes)
        return answer

    def named_chat_text(self, query: str, text: str, q: Query, code: int) -> str | None:
        """The line with the name or error message of `code` it spells out masked as a status number, for the
        chat model, when the line may be chat about that status; None when it cannot be: no full name of the
        code in it, a paste (more than one line, a machine's text, another message we know), or a question
        asked outright."""
        if "\n" in query.strip() or _MACHINE_TEXT_AROUND_A_NAME.search(text) or cues.ASKS_OUTRIGHT.found_in(q) \
                or _YES_NO_QUESTION.match(text) or cues.WANTS_STATUS.found_in(q) or _ASKS_FOR_ITS_CODE.search(text):
            return None
        lowered = " ".join(text.casefold().split())
        found = next(((name, is_message, at) for name, is_message in self.index.names_of(code)
                      if (at := lowered.find(name)) >= 0), None)
        if found is None:
            return None
        name, is_message, at = found
        if not is_message and name.isascii() and not q.hangul and len(text) == len(lowered) \
                and text[at: at + len(name)].islower():
            return None  # in an English sentence a name in lower case is words: "sending way too many requests"
        masked = f"{lowered[:at]} 503 {lowered[at + len(name):]}"
        if is_message and len(name) >= _PASTED_MESSAGE and lowered[at - 1: at] not in _QUOTES \
                and not has_hangul(masked):
            return None  # an error message of some length is a paste of it, unless quoted in a sentence or Korean
            # is written around it ("client intended to send too large body 로그 이제 안 찍힘")
        rest = Query.of(masked)
        # A short line that names a status is a question ("Gateway Timeout 원인", "Request Entity Too Large error
        # on upload"): in the training lines that reach here, 26 of 28 of four words or fewer asked.
        if len(rest.words) < _NAMED_CHAT_WORDS or self.index.signatures_in(rest):
            return None  # (a second message we know: a paste of an error page)
        return masked

    def _answer(self, query: str, text: str, q: Query, lang: str) -> Answer:
        answer_lang: Lang = ("ko" if q.hangul else "en") if lang not in ("en", "ko") else lang  # type: ignore[assignment]
        if not text:
            return Answer(query=query, kind="none", lang=answer_lang, note="empty")

        # "5xx" / "500번대" name a class; take them out first so "500번대" is not read as 500.
        class_match = _CLASS.search(text) if q.digits and (
            "xx" in q.folded or "**" in text or "00" in text or "백" in text) else None
        if class_match and "대" in class_match.group(0) and "번" not in class_match.group(0) \
                and not _CLASS_UNITS_CONTEXT.match(text, class_match.end()):
            class_match = None  # "서버 200대 증설": two hundred machines; "500대 에러", "500번대" name the class
        number_text = text[: class_match.start()] + " " + text[class_match.end():] if class_match else text
        hits = find_codes(number_text) if q.digits else []
        numbers = [h.code for h in hits]
        if q.hangul:
            numbers += [n for n in korean_numeral_codes(number_text) if n not in numbers]
        known = [n for n in numbers if n in self.registry.codes]
        unknown = [n for n in numbers if n not in self.registry.codes]
        # "404 말고 뭐 써?", "which code other than 404?", "200 not 503": a code the asker rules out is dropped;
        # when none is left, the answer is another code, found from the rest of the question.
        excluded = {h.code for h in hits if _is_excluded(number_text, h.start)}
        if excluded and not (len(known) >= 2 and cues.COMPARE.found_in(q)):  # "308 instead of 301" compares
            known = [n for n in known if n not in excluded]

        if constant_answer := self._constant_answer(query, text, q, known, answer_lang):
            return constant_answer
        strong = any(h.strong for h in hits)
        if class_match and not known and not cues.LISTING.found_in(q) and not _class_is_the_topic(text, class_match) \
                and (one := self._one_of_class(query, q, class_match.group(1) or class_match.group(2), answer_lang)):
            return one  # "프록시가 원본 응답을 변형해서 줄 때 쓰는 2xx 있다던데": a code described, its class named
        if (known or class_match) and self.reaches_chat_model(text, q, number_text, hits) \
                and self.chat.only_mentions(text):
            # "the 502 bus is late again", "5xx 알람 임계치 올려뒀음": a line that names a status but asks nothing
            # about it is not a question.
            return _offered(query, answer_lang, tuple(known))
        if known and not strong and _ASKS_HEADER.search(text) and not cues.WANTS_STATUS.found_in(q) \
                and (header := self._header_of_codes(q, known)):
            # "405 줄 때 어떤 메서드 되는지 알려주는 헤더 이름 뭐였지", "which header do I set on a 201": a header of
            # that code's answer, the one the question describes
            return Answer(query, "header", header=header, lang=answer_lang, confidence=0.85, evidence="description")
        if len(known) >= 2 and (cues.COMPARE.found_in(q) or self._only_codes(q) or _joined_codes(number_text, hits)):
            return Answer(query, "compare", tuple(known[:4]), lang=answer_lang, confidence=0.97, evidence="number")
        if len(known) == 1 and not strong and len(hits) == 1 and (
                _DOUBTED_AFTER.match(number_text, hits[0].start + 3)
                or _SHOULD_IT_BE.search(number_text, hits[0].start + 3)) \
                and (other := self._described(query, q, self._score_text(q), set(), answer_lang)).kind == "code" \
                and other.evidence == "description":
            return other  # "검색 결과 0건일 때 404 줘야 하나요 아니면 뭐?": the situation decides, the guess does not
        if known and not class_match and not strong and len({n // 100 for n in known}) == 1 \
                and cues.CLASS_ASKED.found_in(q) and code_class(known[0]) in self.registry.classes:
            # "100 continue 같은 정보성 응답은 몇번대 계열임", "404는 몇 번대야?": the class of the code given as an
            # example
            return Answer(query, "class", cls=code_class(known[0]), lang=answer_lang, confidence=0.9, evidence="number")
        if known:
            return Answer(query, "code", self._as_seen(tuple(known), q), lang=answer_lang,
                          confidence=0.99 if strong else 0.95, evidence="stated" if strong else "number")

        if class_match:
            digit = class_match.group(1) or class_match.group(2)
            return Answer(query, "class", cls=f"{digit}xx", lang=answer_lang, confidence=0.95,
                          evidence="number")

        if unknown and any(h.strong for h in hits if h.code in unknown):
            return self._unknown_number(query, unknown[0], answer_lang)
        if unknown and len(q.words) <= 3:
            return self._unknown_number(query, unknown[0], answer_lang)

        if (named := self._named_in_markup(text, q)) is not None:
            return Answer(query, "code", self._as_seen((named,), q), lang=answer_lang, confidence=0.95,
                          evidence="name")

        if not excluded and (compared := self._compare_by_name(q)):
            return Answer(query, "compare", tuple(compared), lang=answer_lang, confidence=0.85, evidence="name")

        header_only = self._exact_header(text)
        if header_only:
            return Answer(query, "header", header=header_only, lang=answer_lang, confidence=0.97, evidence="name")

        key = q.compact
        exact = self.index.exact.get(key)
        if exact:
            return Answer(query, "code", (exact[0],), lang=answer_lang, confidence=exact[1], evidence="name")

        if cls := self.index.class_keys.get(key) or self._class_by_words(text, q.words):
            return Answer(query, "class", cls=cls, lang=answer_lang, confidence=0.9, evidence="name")
        # ("옛날 URL 전부 새 도메인으로 영구 리다이렉트, 뭐 써야 돼?": "all" of something else, one code asked for)
        if cues.LISTING.found_in(q) and not _ASKS_FOR_ONE.search(text) and (
                cls := self._class_by_words(unlisted := _LISTING_CUE.sub(" ", text), words(unlisted), loose=True)):
            return Answer(query, "class", cls=cls, lang=answer_lang, confidence=0.9, evidence="name")
        if not known and cues.CLASS_ASKED.found_in(q) and (cls := self._class_described(q)):
            return Answer(query, "class", cls=cls, lang=answer_lang, confidence=0.8, evidence="description")

        # (only a short question can be about a header: see _is_header_question)
        header = self._header(q) if len(q.words) <= 10 else None
        asks_header = bool(_ASKS_HEADER.search(text)) and not cues.WANTS_STATUS.found_in(q)
        if asks_header and (header is None or "-" not in header) and (described := self._header_described(q)) \
                and (header is None or header.casefold() in described.casefold().split("-")):
            # Named by a part of its name at most ("어떤 origin 허용하는지 … 넣는 헤더" is Access-Control-Allow-Origin)
            return Answer(query, "header", header=described, lang=answer_lang, confidence=0.8,
                          evidence="description")
        if asks_header and header and "-" in header and len(self._hyphenated_headers(text)) <= 1:
            # asked for by its name or one of its directives: "max-age 정하는 헤더 이름" is Cache-Control
            return Answer(query, "header", header=header, lang=answer_lang, confidence=0.85, evidence="name")
        if header and len(self._hyphenated_headers(text)) >= 2:
            header = None  # "If-None-Match 보냈고 ETag 똑같으면 서버는?" asks what happens, not what a header is
        scores = self._score_text(q)
        ranked = [(code, score) for code, score in scores.ranked() if code not in excluded]
        best_code, best = ranked[0] if ranked else (0, 0.0)
        if header and self._is_header_question(q, header, best) and not cues.WANTS_STATUS.found_in(q):
            return Answer(query, "header", header=header, lang=answer_lang, confidence=0.9, evidence="name")
        source = scores.source.get(best_code, "")
        if best >= NAME_SURE and source in ("signature", "name"):
            # A verbatim error message, or a name all but spelt out: nothing in the explanations can outweigh it.
            hit = self._signature_hit(scores, best_code)
            codes: tuple[int, ...] = (best_code,)
            if hit is not None and hit.shown >= 0 and hit.shown in self.registry.codes \
                    and cues.CLIENT_SIDE.found_in(q):
                codes = (hit.shown, best_code)  # "what does the browser get?": what it gets, then what it means
            else:
                codes = self._as_seen(codes, q)
            return Answer(query, "code", codes, lang=answer_lang, confidence=round(best, 3), evidence=source,
                          signature=hit)
        return self._described(query, q, scores, excluded, answer_lang)

    def _named_in_markup(self, text: str, q: Query) -> int | None:
        """The one code whose name (its reason phrase or a full alias) an error page's title or heading, or an
        error body's reason field, spells out; None when there is none, or when the slots name different codes."""
        if "<" not in text and '"' not in text:
            return None
        found: set[int] = set()
        for match in _NAME_SLOT.finditer(text):
            slot = _LEADING_NUMBER.sub("", match.group(2) or match.group(3) or "")
            exact = self.index.exact.get(Query.of(slot).compact)
            if exact is not None and exact[1] >= WEIGHT_ALIAS:
                found.add(exact[0])
        if len(found) != 1 or self.index.signatures_in(q):
            return None  # (a message we know says which software sent it, and what it sends: see _score_text)
        return found.pop()

    def _as_seen(self, codes: tuple[int, ...], q: Query) -> tuple[int, ...]:
        """One code the client never receives (nginx's 497 reaches it as 400), asked about from the client's
        side ("브라우저에 뭐 떠?"): what it receives first, then the code that explains it."""
        if len(codes) != 1 or (shown := self.registry.codes[codes[0]].shown) is None \
                or shown not in self.registry.codes or not cues.CLIENT_SEES.found_in(q) \
                or cues.INTERNAL_CODE.found_in(q):
            return codes
        return (shown, codes[0])

    def _one_of_class(self, query: str, q: Query, digit: str, lang: Lang) -> Answer | None:
        """"which 1xx lets the browser preload while the server thinks?", "ELB 전용 5xx": a class named to narrow
        down a code described. The described code when the fitted model is sure of it among that class's codes."""
        if len(q.words) < 4:
            return None  # "5xx 에러", "what are 4xx": the class itself
        outside = {code for code in self.registry.codes if str(code)[0] != digit}
        answer = self._described(query, q, self._score_text(q), outside, lang)
        return answer if answer.kind == "code" and answer.evidence == "description" else None

    def _described(self, query: str, q: Query, scores: _Scores, excluded: set[int], lang: Lang) -> Answer:
        """A situation, a description or a loose name: the fitted model weighs the ranker's two views and the
        name matcher's scores, and may prefer no answer (see bot/resolver/ranker.py)."""
        ranker = self.ranker
        view = self._views(tuple(q.words[:_RANKER_MAX_WORDS]))
        names = {code: value for code, value in scores.by_code.items() if scores.source.get(code) == "name"}
        signatures = {code: value for code, value in scores.by_code.items()
                      if scores.source.get(code) == "signature"}
        vendors = self.index.vendors_named_in(q) if ranker.vendor_slots else set()
        size = len(self._terms(tuple(q.words[:_RANKER_MAX_WORDS])))
        flags = {"unknown_share": view.unknown, "question": float(cues.QUESTION.found_in(q)),
                 "trouble": float(cues.TROUBLE.found_in(q)), "asks_code": float(cues.ASKS_CODE.found_in(q)),
                 "few_terms": float(size <= 2), "one_term": float(size <= 1), "length": min(size, 12) / 12,
                 "mass": math.log1p(view.mass),
                 "asking": intent_feature(q.text, ranker.model)}
        rows, query_row = ranker.candidates(view, names, signatures, vendors, flags)
        rows = [row for row in rows if row[0] not in excluded]
        self.last_rows = (rows, query_row)  # what the model saw, for bench/fit_ranker.py
        if not rows:
            return Answer(query, "none", lang=lang, note="no_match")
        ranked, sure = ranker.decide(rows, query_row)
        best_code = ranked[0][0]
        named_code, named = max(names.items(), key=lambda item: item[1], default=(0, 0.0))
        # (One word of a longer name is no name: "thanks, that worked!" shares only "work" with "server still
        # working". A one-word question stands on its name only when that name is all but spelt out: at most a
        # third of its words unmatched, the cover NAME_SURE's comment works out to about 0.75.)
        if sure < ranker.model.threshold and named >= (ONE_WORD_NAME_SURE if size <= 1 else ANSWER_THRESHOLD) \
                and named_code not in excluded:
            # A name with a typo ("to many requests", "찾을 수 업습니다"): what the name matcher is sure of stands
            # when the explanations have nothing to say.
            return Answer(query, "code", (named_code,), lang=lang, confidence=round(named, 3), evidence="name")
        if sure >= ranker.model.threshold:
            source = "signature" if best_code in signatures else "name" if names.get(best_code, 0.0) >= max(
                view.bm25.get(best_code, 0.0), view.snippet.get(best_code, 0.0)) else "description"
            return Answer(query, "code", self._as_seen((best_code,), q), lang=lang, confidence=round(sure, 3),
                          evidence=source, signature=self._signature_hit(scores, best_code))
        spelt = self._spelt_name(q.text)
        if spelt is not None and spelt not in excluded and cues.QUESTION.found_in(q):
            # "Service Unavailable 나오는 거 왜 그런지 아시는 분?", "Bad Gateway keeps popping up, what usually causes
            # that": a question that spells out a status's name is about that status, whatever else it describes
            return Answer(query, "code", (spelt,), lang=lang, confidence=max(round(named, 3), ANSWER_THRESHOLD),
                          evidence="name")
        suggestions = tuple(code for code, p in ranked[:3] if p >= SUGGEST_SHARE)
        if spelt is not None and spelt not in suggestions and spelt not in excluded:
            # "Gateway Timeout 알람 기준 5분으로 바꿔뒀어요, 이제 덜 울릴 거예요": a code whose name the line spells
            # out is offered first, whatever the rest of the line is about (a long line is matched against the
            # explanations only, so its name is not among the candidates)
            suggestions = (spelt, *suggestions)[:3]
        return Answer(query, "none", lang=lang, confidence=round(sure, 3), suggestions=suggestions,
                      note="no_match" if not suggestions else "not_sure")

    def _spelt_name(self, text: str) -> int | None:
        """The code whose name of two words or more the text spells out, the first if several: a reason phrase, a
        former one, the Korean name or an alias without a digit ("Gateway Timeout", "Request Entity Too Large",
        "게이트웨이 타임아웃"; each alias is one code's only; a one-word phrase such as Gone is an ordinary word)."""
        if self._spelt is None:
            phrases: dict[str, int] = {}
            for entry in self.registry:
                for name in (entry.phrase, *entry.former_phrases, entry.name_ko, *entry.aliases.en, *entry.aliases.ko):
                    name = name.strip()
                    if " " in name and not any(c.isdigit() for c in name):
                        phrases.setdefault(name.casefold(), entry.code)
            self._spelt = (PhraseFinder(phrases), phrases)
        finder, codes = self._spelt
        found = finder.found(text.casefold())
        return codes[min(found, key=lambda f: (f[0], -len(f[1])))[1]] if found else None

    def _signature_hit(self, scores: _Scores, code: int) -> SignatureHit | None:
        text = scores.signature.get(code)
        if text is None:
            return None
        source = self.index.signature_source.get(text)
        if source is None:
            return SignatureHit(text)
        written, software, where, shown, note_en, note_ko = source
        return SignatureHit(written, software, where, shown, (note_en, note_ko))

    def _views_uncached(self, parts: tuple[str, ...]) -> Views:
        return self.ranker.views(self._terms(parts))

    def _terms_uncached(self, parts: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(terms_of_words(list(parts))))

    # ----- framework constants ------------------------------------------------------------------------------

    def _constant_answer(self, query: str, text: str, q: Query, known: list[int], lang: Lang) -> Answer | None:
        """`HttpStatus.BAD_GATEWAY`, `w.WriteHeader(http.StatusTeapot)`: the code a constant stands for. A status
        number elsewhere in the question that disagrees wins ("we return HttpStatus.OK but clients see 500"), unless
        the question asks to confirm a guess ("SC_REQUEST_TOO_LONG 이거 414 맞죠?": the answer is 413, said plainly)."""
        every = self._constants.find(text)
        if any(hit.default for hit in every):
            # A helper's default status stands when the helper is pasted as code ("redirect_to(root_path)") or its
            # default is asked about; a status written beside it wins ("redirect_to root_path, status: :see_other",
            # "redirect(..., permanent=True)").
            stated = [hit for hit in every if not hit.default]
            if stated or _STATUS_ARGUMENT.search(text):
                every = stated
            elif not (q.hangul or "?" in text) or _DEFAULT_ASKED.search(text):
                pass  # a line of code, or a question about what the helper does alone
            else:
                every = [hit for hit in every if _written_as_code(text, hit)]
        found = [hit for hit in every if not hit.cls and hit.code in self.registry.codes]
        if not found:
            # `catch (ClientException $e)`, `ERR_BAD_RESPONSE`: a name for a whole class, unless a number says more
            named_class = next((hit for hit in every if hit.cls in self.registry.classes), None)
            if named_class is None or known:
                return None
            if any(str(code)[0] == named_class.cls[0] for code, _ in self.index.signatures_in(q)):
                return None  # "BadHttpRequestException: Request body too large": the message says which one
            return Answer(query, "class", cls=named_class.cls, lang=lang, confidence=0.95, evidence="constant",
                          constant=named_class)
        codes = tuple(dict.fromkeys(hit.code for hit in found))
        # "HttpStatusCode.Redirect 는 301이야 302야?": numbers offered as the choices, the constant among them, pick
        offered = len(known) >= 2 and any(code in known for code in codes)
        if any(n not in codes for n in known) and not cues.CONFIRM.found_in(q) and not offered:
            return None
        if len(codes) >= 2 and cues.COMPARE.found_in(q):
            return Answer(query, "compare", codes[:4], lang=lang, confidence=0.95, evidence="constant")
        first = found[0]
        # A name found in a harvested table is as sure as a number; one read from its words alone a little less.
        return Answer(query, "code", codes, lang=lang, confidence=0.97 if first.ecosystem else 0.9,
                      evidence="constant", constant=first)

    # ----- numbers ------------------------------------------------------------------------------------------

    @staticmethod
    def _only_codes(query: Query) -> bool:
        return all(word.isdigit() or word in {"and", "or", "와", "과", "랑"} for word in query.words)

    def _unknown_number(self, query: str, number: int, lang: Lang) -> Answer:
        cls = code_class(number)
        if cls is None:
            return Answer(query, "none", lang=lang, note="not_a_code", number=number)
        base = number // 100 * 100
        suggestions = (base,) if base in self.registry.codes else ()
        return Answer(query, "none", lang=lang, suggestions=suggestions, note="unregistered", number=number)

    # ----- classes, headers, comparisons --------------------------------------------------------------------

    def _class_by_words(self, text: str, parts: list[str], loose: bool = False) -> str | None:
        """A class named in words ("server errors", "리다이렉트"); loose also reads '서버 에러 코드' as 5xx."""
        if len(text) > 80:
            return None  # class names are short
        key = "".join(w for w in parts if w not in _CLASS_FILLER)
        if not key or len(key) > 40:
            return None
        if key in self.index.class_keys:
            return self.index.class_keys[key]
        if len(key) > 5:
            # (a similarity of 0.9 needs lengths within 0.9/1.1 of each other: only those keys are compared)
            low, high = math.ceil(len(key) * 0.9 / 1.1), int(len(key) * 1.1 / 0.9)
            choices = [k for length in range(low, high + 1) for k in self._class_keys_by_length.get(length, ())]
            match = process.extractOne(key, choices, scorer=Indel.normalized_similarity,
                                       score_cutoff=0.9) if choices else None
            if match:
                return self.index.class_keys[match[0]]
        if loose:
            for class_key, cls in self.index.class_keys.items():
                if len(class_key) >= 4 and class_key in key:
                    return cls
        return None

    def _class_described(self, query: Query) -> str | None:
        """The class a question asking for one describes: the class whose names share the most terms with it
        ('클라이언트 잘못' with 클라이언트 오류), when one class shares more than every other."""
        kept = _NEGATED.sub(" ", query.text)  # "the server screwed up, not the client": not the client's class
        asked = set(self._terms(tuple(words(kept)[:_RANKER_MAX_WORDS])))
        shared: dict[str, int] = {}
        for cls, info in self.registry.classes.items():
            names = [info.name.en, info.name.ko, *info.aliases.en, *info.aliases.ko]
            shared[cls] = len(asked & set(self._terms(tuple(words(" ".join(names)))))
                              - _CLASS_SHARED_TERMS)
        ranked = sorted(shared.items(), key=lambda item: item[1], reverse=True)
        if ranked[0][1] == 0 or ranked[0][1] == ranked[1][1]:
            return None
        return ranked[0][0]

    @staticmethod
    def _is_header_question(query: Query, header: str, best_code_score: float) -> bool:
        """A header named with 'header'/'헤더' in a short question, a hyphenated header name written out in a
        short question ("how does if-none-match work"), or a header named on its own."""
        text = query.text
        size = len(query.words)
        if size <= 10 and _has_header_cue(text) and (size <= 5 or cues.QUESTION.found_in(query)):
            return True  # "ETag 헤더가 뭐예요", not "refused since there's no Content-Length header"
        if "-" in header and header.casefold() in text.casefold() and size <= 8:
            return True
        return size <= 4 and best_code_score < 0.9

    def _hyphenated_headers(self, text: str) -> set[str]:
        """The headers a text names by a hyphenated name, and one-word names written as headers are (ETag)."""
        found = {name for match in _HYPHENATED.finditer(text)
                 if (name := self._header_names.get(_header_key(match.group(0)))) is not None}
        found |= {name for word in _LATIN_RUN.findall(text)
                  if (name := self._header_names.get(word.casefold())) is not None and word[:1].isupper()
                  and any(c.isupper() for c in word[1:])}
        return found

    def _header_described(self, query: Query) -> str | None:
        """The header a question describes without naming it (see bot/resolver/headers.py)."""
        return self.header_ranker.best(self._terms(tuple(query.words[:_RANKER_MAX_WORDS])))

    def _header_of_codes(self, query: Query, codes: list[int]) -> str | None:
        """Among the headers the codes' answers list, the one the question describes: one it names, else the
        best by the header ranker, else the first the first code lists (its most telling)."""
        among = list(dict.fromkeys(h.name for code in codes for h in self.registry.codes[code].headers))
        if not among:
            return None
        named = self._header(query)
        if named in among:
            return named
        return self.header_ranker.best(self._terms(tuple(query.words[:_RANKER_MAX_WORDS])), among)

    def _exact_header(self, text: str) -> str | None:
        """The query is just a header name like 'Content-Range' or 'x-request-id' (maybe with 'header')."""
        if len(text) > 60:
            return None
        stripped = _HEADER_CUE.sub(" ", text).strip(" ?.!:`'\"")
        if " " in stripped or "-" not in stripped:
            return None
        found = self.registry.header(stripped)
        return found[0] if found else None

    def _header(self, query: Query) -> str | None:
        """A header named in the text: hyphenated names anywhere ('the Retry-After value'), one-word names only
        with 'header'/'헤더' or on their own ('ETag'), so that 'connection timed out' is not the Connection header."""
        text = query.text
        if "'" not in text and "’" not in text and not any(
                need <= query.word_set for first in self._header_first_words & query.word_set
                for need in self._header_words[first]):
            return None  # no header has all its words here (an apostrophe splits words differently below)
        cue = _has_header_cue(text)
        if not cue and len(text) > 60:
            # Only a hyphenated name counts in a long text without the word 'header'.
            if "-" not in text:
                return None
            for match in _HYPHENATED.finditer(text):
                name = self._header_names.get(_header_key(match.group(0)))
                if name and "-" in name:
                    return name
            return None
        stripped = _HEADER_CUE.sub(" ", text).strip(" ?.!:`'\"")
        spans = [(m.group(0).casefold(), m.start(), m.end()) for m in _LATIN_RUN.finditer(text)]
        names = self._header_names
        for i in range(len(spans)):
            if spans[i][0] not in self._header_first_words:
                continue
            for size in range(min(_HEADER_MAX_WORDS, len(spans) - i), 0, -1):
                window = spans[i:i + size]
                name = names.get("".join(word for word, _, _ in window))
                if name is None:
                    continue
                gaps = [text[a[2]:b[1]] for a, b in itertools.pairwise(window)]
                if any(gap not in ("-", " ") for gap in gaps):
                    continue  # the words must be written together: 'Retry-After', 'retry after'
                start, end = window[0][1], window[-1][2]
                if text[start - 1:start] == "-" or text[end:end + 1] == "-":
                    continue  # part of a longer hyphenated word: 'max-age' is no Age header
                written = text[start:end]
                alone = _header_key(stripped) == _header_key(written)
                if ("-" in name and ("-" in written or cue or alone)) or cue or alone:
                    return name
        return None

    def _compare_by_name(self, query: Query) -> list[int] | None:
        if not cues.COMPARE.found_in(query):
            return None
        text = query.text
        body = _COMPARE_NOISE.sub(" ", text)
        parts = [p for p in _COMPARE_SPLIT.split(body) if p and p.strip()]
        if len(parts) < 2 and query.hangul:
            parts = [p for p in _COMPARE_GLUED.split(body) if p and p.strip()]
        if len(parts) < 2 or any(len(p.split()) > 6 for p in parts):
            return None  # "an empty or unexpected response" is one description, not two things compared
        codes: list[int] = []
        for part in parts[:4]:
            exact = self.index.exact.get(compact(part))
            if exact:
                code = exact[0]
            elif not cues.COMPARE_STRONG.found_in(query):
                # "or"/"which" alone also join things that are not compared: then both sides must be names
                return None
            elif (found := self._resolve(part, "auto")).kind == "code" and found.confidence >= ANSWER_THRESHOLD:
                code = found.codes[0]  # "인증 안 된 거": each side is a small description of its own
            else:
                return None
            if code not in codes:
                codes.append(code)
        if len(codes) < 2:
            return None
        header = self._header(query)
        if header and "-" in header and header.casefold() in text.casefold():
            return None  # "Cache-Control: no-store vs no-cache" compares directives of one header
        return codes

    # ----- names, aliases, symptoms -------------------------------------------------------------------------

    def _fuzzy_word(self, word: str) -> tuple[tuple[str, float], ...]:
        """Indexed words close to `word` (typo tolerant), with similarity 0..1. Hangul bigrams match exactly."""
        if word in self.index.idf or word in self.index.doc_words:
            return ((word, 1.0),)  # a word we know is not a typo
        if has_hangul(word) or len(word) < 4:
            return ()
        return self._typo_matches(word)

    def _typo_matches_uncached(self, word: str) -> tuple[tuple[str, float], ...]:
        out: dict[str, float] = {}
        cutoff = 80 if len(word) >= 6 else 85
        for candidate, score, _ in process.extract(word, self.index.vocabulary, scorer=fuzz.ratio,
                                                   score_cutoff=cutoff, limit=4):
            out.setdefault(candidate, score / 100.0)
        return tuple(out.items())

    def _score_text(self, query: Query) -> _Scores:
        scores = _Scores()
        index = self.index

        for code, signature in index.signatures_in(query):
            # a longer fragment is more specific: "Connection refused) while connecting to upstream" over
            # "Connection refused"
            if code not in scores.signature:
                scores.signature[code] = signature
            scores.offer(code, min(0.98, SIGNATURE_SCORE + len(signature) / 2000), "signature")

        analysed, stems = analyze_words(query.words)
        # A word said twice is no more evidence than once ("x x x" is not three hints of X-Forwarded-For).
        tokens = tuple(dict.fromkeys(t for t in analysed if not self._is_misspelt_filler(t)))
        # How long the question is in words: Hangul is matched by syllable pairs, but "임시 리다이렉트인데" is
        # two words, not seven pairs.
        size = sum(1 for t in tokens if t.isascii()) + sum(1 for stem in stems if stem not in KO_STOPWORDS)
        if not tokens or ("signature" in scores.source.values() and size > 8):
            return scores  # a pasted log line we recognise verbatim needs no word matching
        # A key is a few words: against a long sentence only the explanations can match (and scoring every
        # alias that shares a syllable pair with a long Korean sentence costs more than it finds). Typo
        # tolerance is for those short questions only.
        if size <= 8 and len(tokens) <= 10:
            self._score_keys(tokens, [self._fuzzy_word(t) for t in tokens], scores)
        best = max(scores.by_code.values(), default=0.0)
        if best >= 0.85:
            return scores
        # A whole-string comparison only helps when a word is not one we know: that is what a typo looks like.
        hangul_words = [w for w in query.words if has_hangul(w)]
        if hangul_words:
            # (a filler such as 뭐야 or 나오는데요 is not in the knowledge either, but it is no typo)
            typo = any(w not in KO_STOPWORDS and (stem := strip_korean_suffix(w)) not in index.hangul_words
                       and stem not in KO_STOPWORDS for w in hangul_words)
        else:
            typo = any(t not in index.idf and t not in index.doc_words for t in tokens)
        if not typo:
            return scores
        if 0 < len(hangul_words) <= 3 and index.korean_postings:
            # Whole-string jamo similarity catches typos inside syllables (타입아웃 ~ 타임아웃) in short names.
            # Only Korean keys that share a syllable pair with the query are compared: a typo leaves most intact.
            squeezed = _jamo("".join(hangul_words))
            # Indel similarity >= c needs lengths within a factor of (2 - c) / c of each other.
            low, high = len(squeezed) * 0.78 / 1.22, len(squeezed) * 1.22 / 0.78
            candidates: set[int] = set()
            for token in tokens:
                if found := index.korean_postings.get(token):
                    lengths, keys = found
                    candidates.update(keys[bisect.bisect_left(lengths, low):bisect.bisect_right(lengths, high)])
            positions = sorted(candidates)
            choices = list(map(index.korean_jamo.__getitem__, positions))
            for _, score, i in process.extract(squeezed, choices, scorer=fuzz.ratio, score_cutoff=78, limit=3):
                key = index.keys[positions[i]]
                scores.offer(key.code, key.weight * score / 100.0)
        elif len(tokens) <= 4:
            squeezed = query.compact
            if 5 <= len(squeezed) <= 40:
                choices, _ = index.exact_buckets.near(squeezed, 0.82)
                for choice, score, _ in process.extract(squeezed, choices, scorer=fuzz.ratio, score_cutoff=82,
                                                        limit=3):
                    code, weight = index.exact[choice]
                    scores.offer(code, weight * score / 100.0)
        return scores

    def _is_misspelt_filler(self, token: str) -> bool:
        """'eror', 'staus', 'respones': a typo of a word we ignore should be ignored too, not dilute the match."""
        if len(token) < 4 or token in self.index.doc_words or token in self.index.idf or has_hangul(token):
            return False
        return self._is_misspelt_filler_cached(token)

    def _is_misspelt_filler_uncached(self, token: str) -> bool:
        return process.extractOne(token, _FILLERS, scorer=fuzz.ratio, score_cutoff=80) is not None

    def _score_keys(self, tokens: tuple[str, ...], expanded: list[tuple[tuple[str, float], ...]],
                    scores: _Scores) -> None:
        """Names and aliases: how much of the key the query covers, and how much of the query the key explains.

        A key matched by one exactly spelt query word scores what the index worked out in advance for that
        word; only keys matched by two or more words, or by a typo, are scored here one by one."""
        index = self.index
        idf, postings = index.idf, index.postings
        # A key is a few words: a word said twice in the query ("not ... not") counts once.
        unique = dict(zip(tokens, expanded, strict=True))
        weights = {token: idf.get(token, index.unknown_idf) for token in unique}
        query_weight = sum(weights.values())
        key_hit: dict[int, float] = {}
        query_extra: dict[int, float] = {}  # what a typo match gains the query beyond what it gains the key
        exact: list[str] = []
        for token, matches in unique.items():
            if len(matches) == 1 and matches[0] == (token, 1.0):
                if token in postings:
                    exact.append(token)
                continue
            weight = weights[token]
            seen: set[int] = set()  # a typo close to several words: each key counts its best match once
            for word, similarity in matches:
                gain_key = similarity * idf[word] if word in idf else 0.0
                extra = similarity * weight - gain_key
                for position in postings.get(word, ()):
                    if position in seen:
                        continue
                    seen.add(position)
                    key_hit[position] = key_hit.get(position, 0.0) + gain_key
                    if extra:
                        query_extra[position] = query_extra.get(position, 0.0) + extra
        # Keys that two exact words (or an exact word and a typo) both match get their gains added up here.
        touched = set(key_hit)
        shared: set[int] = set()
        for token in exact:
            shared.update(touched.intersection(postings[token]))
            touched.update(postings[token])
        if shared:
            for token in exact:
                gain = idf[token]
                for position in shared.intersection(postings[token]):
                    key_hit[position] = key_hit.get(position, 0.0) + gain
        key_code, key_weight, key_total = index.key_code, index.key_weight, index.key_token_weight
        best: dict[int, float] = {}
        for position, hit in key_hit.items():
            key_cover = hit / key_total[position]
            if key_cover < MIN_KEY_COVER:
                continue
            query_cover = (hit + query_extra.get(position, 0.0)) / query_weight
            value = key_weight[position] * (1.0 if key_cover >= 1.0 else key_cover ** KEY_COVER_POWER) * (
                1.0 if query_cover >= 1.0 else query_cover ** QUERY_COVER_POWER)
            code = key_code[position]
            if value > best.get(code, 0.0):
                best[code] = value
        for token in exact:
            query_cover = idf[token] / query_weight
            scale = 1.0 if query_cover >= 1.0 else query_cover ** QUERY_COVER_POWER
            for code, factor in index.key_single.get(token, ()):
                value = factor * scale
                if value > best.get(code, 0.0):
                    best[code] = value
        _offer_top(scores, best, "name")


@lru_cache(maxsize=1)
def get_resolver() -> Resolver:
    return Resolver(get_registry())


def resolve(query: str, lang: str = "auto") -> Answer:
    return get_resolver().resolve(query, lang)
