"""Does a line that names a status ask about it, or only mention it?

"503 점검 페이지 문구 수정해서 배포했어요", "5xx 알람 임계치 올려뒀음" and "201 vs 200 정리 PR 머지했어요" name
statuses the way "배포하고 나서부터 502", "5xx 갑자기 튀는데" and "502 vs 504" do; what tells them apart is the
register of the rest of the line (done work, plans, thanks, numbers of buses and rooms) more than any one word. A
logistic regression over the line's words, its Korean endings and the resolver's cue words decides it, fitted by
bench/fit_chat.py on the training lines that name a status (bench/training/, never an evaluation set). Lines that
say outright that a number is a status (a status line, `status=503`, a log line) or ask outright (a question word,
"차이", "구분") never reach it: see Resolver.reaches_chat_model.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import msgspec

from bot.resolver import cues
from bot.resolver.query import Query
from bot.resolver.ranker import intent_tokens

MODEL_PATH = Path(__file__).resolve().parent / "chat_model.json"

# What the line says about a status is read with the status itself masked: "404 페이지 시안" and "502 페이지 시안"
# are the same chat, "what does 425 mean" and "what does 511 mean" the same question.
_STATUS_NUMBER = re.compile(r"(?<![\d.])[1-5]\d\d(?![\d.])")
_STATUS_CLASS = re.compile(r"(?<![\w])(?:[1-5](?:xx|XX|\*\*|00\s?번\s?대|백\s?번\s?대)|[2-5]00s\b)")
# Articles and the copula say how long and how formal a sentence is, not whether it asks: the training chat is
# written in whole sentences and the training questions tersely, and a model that read them would learn that.
_REGISTER_WORDS = frozenset({"the", "a", "an", "of", "is", "are", "was", "were", "be", "been", "it", "its"})
_LAST_HANGUL_WORD = re.compile(r"([\uac00-\ud7a3]+)[^\uac00-\ud7a3]*$")
_EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF]")
_JAMO_RUN = re.compile("[\u1100-\u11FF\u3131-\u318E]{2,}")  # (the resolver's text is NFKC: its ㅋ is U+110F)
_CUES = {"question": cues.QUESTION, "trouble": cues.TROUBLE_WITH_A_STATUS, "asks_code": cues.ASKS_CODE,
         "wants_status": cues.WANTS_STATUS, "compare": cues.COMPARE_STRONG, "listing": cues.LISTING,
         "report": cues.CHAT_REPORT, "http": cues.HTTP_CONTEXT, "confirm": cues.CONFIRM}


class ChatModel(msgspec.Struct):
    weights: dict[str, float] = {}
    bias: float = 0.0
    # Below this probability of asking, the line is taken for chat: chosen by bench/fit_chat.py (see there).
    threshold: float = 0.0
    fitted_on: str = ""
    cross_validated: dict[str, float] = {}


def masked(text: str) -> str:
    return _STATUS_NUMBER.sub(" 503 ", _STATUS_CLASS.sub(" 5xx ", text))


def features(text: str, named: bool = False) -> list[str]:
    """The line's features: its words and Korean endings and stems (status numbers masked), the cue words it
    carries, the words on either side of the status, and how long the line is; `named` when the status was named
    by its name or error message (masked as a number by the resolver), which is chat or a question in other
    proportions than a number is."""
    line = masked(text)
    query = Query.of(line)
    found = [token for token in intent_tokens(line) if token not in _REGISTER_WORDS]
    carried = [f"cue:{name}" for name, cue in _CUES.items() if cue.found_in(query)]
    found += carried or ["cue:none"]  # neither asks, reports trouble, nor names where statuses come from
    if _EMOJI.search(text):
        found.append("emoji")  # 🎉 👍: chat's punctuation
    if _JAMO_RUN.search(text):
        found.append("jamo")  # ㅋㅋ ㅠㅠ ㅇㅋ
    # The sentence-final ending carries the speech act in Korean: "…받았는데 귀엽네요" states, "…뜨는데 왜
    # 이래요?" asks; an ending anywhere else ("~는데") joins clauses.
    last = _LAST_HANGUL_WORD.search(line)
    if last:
        found += [f"end:{last.group(1)[-2:]}", f"end1:{last.group(1)[-1]}"]
    if line.rstrip().endswith("?"):
        found.append("end:?")
    words = [word for word in query.words if word not in _REGISTER_WORDS]
    if words:
        # how a line opens and closes: a PR title or a changelog opens with its verb ("Return 409 on …", "Fix 404
        # on …"), a status update closes with what is done ("… resolved", "… 해결")
        found += [f"first:{words[0]}", f"last:{words[-1]}"]
    if any(len(word) > 4 and word.endswith("ed") and word.isascii() for word in words):
        found.append("past_en")  # fixed, resolved, deployed: work reported as done
    for i, word in enumerate(words):
        if word in ("503", "5xx"):  # the words on either side: "room 404", "500 signups", "404 페이지", "502 났던"
            found.append(f"before:{words[i - 1]}" if i else "at:first")
            found.append(f"after:{words[i + 1]}" if i + 1 < len(words) else "at:last")
    if len(words) <= 3:
        found.append("short")
    if named:
        found.append("named")
    return found


class ChatReader:
    def __init__(self, model: ChatModel) -> None:
        self.model = model

    def asks(self, text: str, named: bool = False) -> float:
        """The probability that a line naming a status asks about it (or reports trouble with it)."""
        weights = self.model.weights
        x = self.model.bias + sum(weights.get(f, 0.0) for f in dict.fromkeys(features(text, named)))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))

    def only_mentions(self, text: str, named: bool = False) -> bool:
        """True when a line that names a status is chat about it, not a question (no fitted model: never)."""
        if not self.model.weights:
            return False
        return self.asks(text, named) < self.model.threshold


def load_chat_reader(path: Path = MODEL_PATH) -> ChatReader:
    try:
        model = msgspec.json.decode(path.read_bytes(), type=ChatModel)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError):
        model = ChatModel()
    return ChatReader(model)
