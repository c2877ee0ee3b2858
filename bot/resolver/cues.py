"""Cue words: does a query ask a question, report trouble, compare, or ask for a list?

Each cue is a set of words checked against the query's word set, plus a few phrases and Korean fragments
looked for as substrings. This replaces big alternation regexes, which Python's `re` tries at every
position of the text: on a long paste one of those cost more than scoring the whole knowledge.
Words are as a query's words are cut (lower case, apostrophes dropped: "can't" is "cant").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.resolver.query import Query


@dataclass(frozen=True)
class Cue:
    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()  # word beginnings: "refus" for refused, refusing, refuses
    phrases: tuple[str, ...] = ()  # lower-case substrings of the text: "timed out", "?"
    korean: tuple[str, ...] = ()  # substrings of Hangul text: Korean endings and particles glue onto words
    # The substrings as one pattern of literals: `re` skips ahead to a possible first character, so one search
    # costs a quarter to a half of testing each substring in turn, on a short question and on a long paste alike
    # (measured with 8 to 50 fragments).
    _korean: re.Pattern[str] | None = field(init=False, repr=False, compare=False, default=None)
    _phrases: re.Pattern[str] | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        for name, literals in (("_korean", self.korean), ("_phrases", self.phrases)):
            if literals:
                pattern = re.compile("|".join(map(re.escape, sorted(literals, key=len, reverse=True))))
                object.__setattr__(self, name, pattern)

    def found_in(self, query: Query) -> bool:
        if not self.words.isdisjoint(query.word_set):
            return True
        if self._korean is not None and query.hangul and self._korean.search(query.text):
            return True
        if self._phrases is not None and self._phrases.search(query.folded):
            return True
        return bool(self.prefixes) and any(w.startswith(self.prefixes) for w in query.word_set)


def _spaced(*fragments: str) -> tuple[str, ...]:
    """Korean fragments written with or without the space: '안 돼' and '안돼'."""
    out: list[str] = []
    for fragment in fragments:
        out.append(fragment)
        if " " in fragment:
            out.append(fragment.replace(" ", ""))
    return tuple(out)


QUESTION = Cue(
    words=frozenset({"what", "whats", "how", "why", "when", "which", "explain", "meaning", "mean", "does", "do"}),
    phrases=("?",),
    # (설명 as a request: "설명해 주세요", "설명 좀"; "설명드렸음" reports one)
    korean=("뭐", "무슨", "뜻", "의미", "어떻게", "언제", "왜", "알려", "설명해", "설명 좀", "설명 부탁", "설명이 필요",
            "인가요", "나요", "예요", "에요"),
)

# Reports a problem: an error word, a failure, a limit, something gone.
TROUBLE = Cue(
    words=frozenset({
        "error", "errors", "fail", "fails", "failed", "failing", "failure", "denied", "deny", "timeout", "expired",
        "invalid", "unavailable", "down", "cannot", "cant", "couldnt", "wont", "doesnt", "isnt", "not", "no",
        "unable", "wrong", "missing", "broken", "return", "returns", "says", "getting", "got", "removed", "deleted",
        "gone", "moved", "closed", "reset", "unreachable", "dropped", "killed", "stuck", "hung", "hang", "hangs",
        "slow",
    }),
    prefixes=("refus", "reject", "block", "exceed", "crash", "limit"),
    phrases=("timed out", "too many", "too large", "too big", "too long", "too slow", "gave up", "give up"),
    korean=_spaced("에러", "오류", "실패", "거절", "거부", "차단", "안 돼", "안 됨", "안 됩", "안 해",
                   "안 함", "안 한", "안 하", "떠요", "뜹니다", "뜨네", "뜸", "나와요", "나옵니다", "나오는",
                   "나옴", "초과", "만료", "없", "못", "끊", "느려", "늦", "필요", "안 되", "막혔", "막혀",
                   "막힘", "튕겨", "튕김", "포기", "죽었", "죽어", "죽음", "뻗", "터졌", "터짐"),
)

# TROUBLE without the everyday Korean fragments (늦다, 없다, 못, 필요): for a number in a line of chat, which reports
# trouble with a status only in the stronger words ("429번 버스 타고 가는 중 10분 늦어요" reports none).
# (and with the words of a status rate going wrong: "a spike of 500s")
TROUBLE_WITH_A_STATUS = Cue(words=TROUBLE.words | {"spike", "spikes", "spiking", "surge", "surging", "again"},
                            prefixes=TROUBLE.prefixes, phrases=TROUBLE.phrases,
                            korean=tuple(k for k in TROUBLE.korean if k not in ("늦", "없", "못", "필요")))

# Two things compared. "or" and "which" also join things that are not compared ("an empty or unexpected
# response"), so COMPARE_STRONG leaves them out.
_COMPARE_KO = _spaced("차이", "비교", "다른 점", "다른가", "달라", "다르", "다름", "다릅", "구분", "구별", "헷갈",
                      "나눠", "나누",
                      "대신", "중에", "중 뭐", "어느", "아니면", "또는", "혹은")
COMPARE_STRONG = Cue(
    words=frozenset({"vs", "versus", "difference", "different", "diff", "compare", "comparison"}),
    phrases=("instead of", "rather than"),
    korean=_COMPARE_KO,
)
# (with two codes in the question: "402 쓰자는데 403이 낫지 않음?", "200 줘도 됨? 201이 낫나", "is 410 better here")
COMPARE = Cue(words=COMPARE_STRONG.words | {"or", "which", "better"}, phrases=COMPARE_STRONG.phrases,
              korean=(*_COMPARE_KO, "다른", *_spaced("낫지", "낫나", "나은", "나을까", "낫겠", "낫냐")))

# "all 3xx codes", "클라이언트 에러 코드 목록": the whole class, not one code.
LISTING = Cue(
    words=frozenset({"all", "list", "lists", "types", "kinds", "every", "codes", "class", "category", "family"}),
    korean=("목록", "종류", "리스트", "전부", "모든", "코드들", "전체", "계열", "대역", "정리", "뭐뭐"),
)

# Asks for a class by what it means: "클라이언트 잘못으로 나는 에러들 몇번대라고 불러?", "서버 쪽 에러 대역은 몇 번대?",
# "the family of codes that means the server screwed up".
CLASS_ASKED = Cue(
    phrases=("family of codes", "class of codes", "range of codes", "group of codes", "codes family",
             "which class", "what class", "which family", "what family", "which range", "what range",
             "range of status", "range of codes"),
    # ("대역" alone is a range of anything: "클플 IP 대역 차단")
    korean=_spaced("번대", "몇 번 대", "백번대", "계열 코드", "어떤 대역", "무슨 대역", "몇 대역", "코드 대역",
                   "무슨 계열", "어떤 계열", "계열이라고", "계열은 몇",
                   "에러 대역", "응답 대역", "상태 대역", "번 대역", "대역으로 필터", "대역으로 묶"),
)

# For the channel gate: a question in chat, or a report of an error.
CHAT_QUESTION = Cue(
    words=frozenset({"what", "whats", "why", "how", "meaning", "mean", "means", "explain", "difference", "vs",
                     "versus"}),
    phrases=("?", "anyone know"),
    korean=("뭐", "무슨", "뜻", "의미", "왜", "어떻게", "알려", "설명", "차이", "비교", "인가요", "나요", "해결",
            "원인"),
)
CHAT_REPORT = Cue(
    words=frozenset({"error", "errors", "err", "fail", "failed", "failing", "fails", "failure", "status", "code",
                     "returned", "returns", "returning", "getting", "got", "throw", "throws", "response", "exception",
                     "http", "https", "timeout"}),
    phrases=("timed out",),
    korean=("에러", "오류", "실패", "응답", "떠요", "뜨네", "뜹니다", "나요", "나와요", "발생", "터졌"),
)

# Asks outright about what it names: a question word, a comparison, a request for a list or an explanation. A line
# that names a status and says one of these is a question, whatever else it says (see Resolver._only_mentions).
ASKS_OUTRIGHT = Cue(
    words=frozenset({"what", "whats", "why", "how", "which", "explain", "meaning", "mean", "means", "difference",
                     "differences", "list", "overview", "tell", "compare"}),
    korean=_spaced("뭐", "뭘", "뭔", "머임", "무슨", "뜻", "의미", "왜", "어떻게", "어디", "알려", "설명해", "설명 좀",
                   "설명 부탁", "차이",
                   "비교", "구분", "헷갈", "몇 번", "정리해 줘", "정리 좀", "어느 상황", "언제 써", "언제 씀", "방법",
                   "해결법", "까요", "까?", "인가요", "건가요", "나요?", "뭐뭐", "어떤 코드", "어떤 응답", "어떤 게 있",
                   # "302 줄까 303 줄까": which to send, asked without a question mark
                   "줄까", "쓸까", "보낼까", "내려줄까", "리턴할까", "반환할까"),
)

# Asks what the client (not the server's log) sees: nginx logs 494 but the browser receives 400.
CLIENT_SIDE = Cue(
    words=frozenset({"browser", "client", "clients", "actually", "actual", "receive", "receives", "user", "users"}),
    korean=("브라우저", "클라", "실제", "사용자", "받는"),
)

# Asks what reaches the client, for a code that never does (nginx's 497 reaches it as 400): "브라우저에 뭐 떠?",
# "what does the browser actually get". Narrower than CLIENT_SIDE, whose "client" is often the one who sent
# something ("클라가 인증서 안 보냄"); a question about the internal code itself says so (INTERNAL_CODE).
CLIENT_SEES = Cue(
    words=frozenset({"browser", "browsers", "actually", "receive", "receives", "received", "see", "sees", "saw",
                     "observe", "observes", "observed", "displayed", "screen"}),
    korean=_spaced("브라우저", "화면", "입장", "실제로", "받는", "받아요", "받음", "받은", "받았", "보여"),
)
INTERNAL_CODE = Cue(
    words=frozenset({"internal", "internally", "nonstandard", "error_page"}),
    phrases=("non-standard", "error_page"),
    # "nginx 로그에 찍히는 코드", "로그엔 몇번으로 남아": what the server writes down, not what the client gets
    korean=("내부", "비표준", "error_page", "로그에 찍히", "로그엔", "로그에 남", "로그에는 몇"),
)

# Asks for a status code, or reports one: what a question about a situation says that chat does not ("which code
# should I return", "몇 번 줘야 돼", "뭐가 떠요", "에러 나요").
ASKS_CODE = Cue(
    words=frozenset({"code", "codes", "status", "return", "returns", "returned", "respond", "responds", "response",
                     "error", "errors", "which", "what", "whats", "get", "gets", "getting", "got", "see", "sees",
                     "answer", "answers", "send", "sends", "fail", "fails", "failed", "reply", "replies"}),
    phrases=("?",),
    korean=_spaced("코드", "상태", "몇", "번", "리턴", "응답", "반환", "줘야", "주면", "줘요", "줌", "뜨", "떠", "뜸",
                   "에러", "오류", "뭐", "무슨", "어떤", "나와", "나옴", "나요", "실패", "줄까"),
)

# Asks which status code: narrower than ASKS_CODE ("what", "뭐" and "?" ask about anything, a header too). A
# question that names a header and asks for a code ("Location 헤더도 줄 건데 뭐 리턴?") is about the code.
WANTS_STATUS = Cue(
    phrases=("which code", "what code", "which status", "what status", "status code", "which response",
             "what response", "should i return", "should we return", "do i return", "do we return",
             "should return", "to return"),
    korean=_spaced("몇 번", "몇번", "몇으로", "상태 코드", "상태코드", "응답 코드",
                   "응답코드", "리턴", "반환", "무슨 코드", "어떤 코드", "뭔 코드",
                   "코드 뭐", "코드는 뭐", "코드가 뭐", "코드?", "뭘 줘야", "뭐 줘야",
                   "뭐 줘", "뭘 줘", "주는 코드", "뭘로 줘", "뭐로 줘",
                   # "Range 헤더가 파일 크기 넘어서 들어오면 뭐 줌?", "Authorization 헤더 없이 호출하면 뭐 떠요": what
                   # comes back, not the header
                   "뭐 줌", "뭐 줌?", "뭐 떠", "뭐 뜸", "뭐 나와", "뭐 나옴", "뭐 와요", "뭐 옴"))

# Asks to confirm a belief about a constant or name: "SC_REQUEST_TOO_LONG 이거 414 맞죠?", "is HTTP_MOVED_TEMP 301
# right?". The number is the asker's guess, so the constant's own code answers (and may correct it).
CONFIRM = Cue(
    words=frozenset({"right", "correct", "isnt", "same", "equal", "equals", "really"}),
    phrases=("is it ", "is that ", "it's ", "its "),
    korean=_spaced("맞죠", "맞나", "맞아", "맞음", "맞지", "맞습", "맞는", "아닌가", "아니죠", "아님", "같은 거",
                   "인 거", "임?", "이야?", "인가?", "인가요?", "이죠?"),
)

# The things a status comes from or goes to: a number in a sentence about them is a status ("saw a 504 from the
# LB"), a number in a sentence about buses and signups is not.
HTTP_CONTEXT = Cue(
    words=frozenset({
        "http", "https", "api", "apis", "server", "servers", "nginx", "apache", "iis", "lb", "alb", "elb", "load",
        "balancer", "proxy", "gateway", "upstream", "backend", "frontend", "client", "browser", "curl", "request",
        "requests", "endpoint", "log", "logs", "cdn", "cloudflare", "cloudfront", "ingress", "pod", "pods", "k8s",
        "kubernetes", "service", "route", "url", "page", "site", "web", "header", "headers", "app", "spring",
        "django", "express", "fastapi", "rails", "node", "envoy", "istio", "haproxy", "traefik", "vercel",
        "netlify", "heroku", "aws", "s3", "redirect", "redirects",
    }),
    korean=("서버", "요청", "응답", "로그", "프록시", "게이트웨이", "브라우저", "클라", "엔드포인트", "페이지",
            "사이트", "헤더", "배포", "로드밸런서", "로드 밸런서", "인그레스", "리다이렉트", "백엔드", "프론트"),
)
