"""Which header a description is about: "응답에 허용 메서드 목록 담는 헤더 이름 뭐였지?" (Allow), "which header tells
the client how long to wait after a 429" (Retry-After).

Only for a question that asks for a header and names none (cues.ASKS_HEADER): the question says what the
header does, and the knowledge says it too, in the header's summary (both languages) and in the `why` of every
code file that lists it. Each header is one document over those texts, ranked by BM25 (k1 = 1.2, b = 0.75,
the textbook defaults: there is no header-question data to fit them on), over the same analysed terms as the
code ranker. The best header is the answer when it shares at least one term with the question that few
headers share (idf above MIN_IDF): a question that asks for a header wants the best one there is.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from bot.registry import Registry

K1 = 1.2
B = 0.75
MIN_IDF = 1.0  # a term in more than about a quarter of the headers' texts tells them apart too little


class HeaderRanker:
    def __init__(self, registry: Registry, terms: Callable[[str], list[str]]) -> None:
        texts: dict[str, list[str]] = defaultdict(list)
        for name, info in registry.headers.items():
            # What defines the header (its name, summary and descriptions) twice, where codes mention it once:
            # a code's `why` names other headers beside it ("ETag, used with If-None-Match").
            own = [name.replace("-", " "), info.summary.en, info.summary.ko, *info.aliases, *info.scenarios.en,
                   *info.scenarios.ko]
            texts[name] += own + own
        for entry in registry.codes.values():
            for header in entry.headers:
                if header.name in texts:
                    texts[header.name] += [header.why.en, header.why.ko]
        self.names = sorted(texts)
        counts = [Counter(terms(" ".join(texts[name]))) for name in self.names]
        lengths = [sum(c.values()) for c in counts]
        average = sum(lengths) / max(1, len(lengths))
        documents: dict[str, int] = Counter(term for c in counts for term in c)
        n = len(self.names)
        self.idf = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in documents.items()}
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, c in enumerate(counts):
            norm = K1 * (1 - B + B * lengths[i] / average)
            for term, tf in c.items():
                self.postings[term].append((i, tf * (K1 + 1) / (tf + norm)))

    def best(self, query_terms: Iterable[str], among: Iterable[str] | None = None) -> str | None:
        """The header the terms describe best; `among`: only these (the headers a code's answer lists), where
        the first of them wins when the terms tell none apart."""
        allowed = None if among is None else {self.names.index(n) for n in among if n in self.names}
        scores: dict[int, float] = defaultdict(float)
        rare = False
        for term in dict.fromkeys(query_terms):
            idf = self.idf.get(term, 0.0)
            rare = rare or idf >= MIN_IDF
            for i, gain in self.postings.get(term, ()):
                if allowed is None or i in allowed:
                    scores[i] += idf * gain
        if allowed is not None:
            first = next((n for n in among or () if n in self.names), None)
            return self.names[max(scores, key=scores.__getitem__)] if scores else first
        if not rare or not scores:
            return None
        return self.names[max(scores, key=scores.__getitem__)]
