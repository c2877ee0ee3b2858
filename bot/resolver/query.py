"""A query analysed once.

Every step of the resolver reads the same cleaned text and word list instead of scanning the text again:
on a long paste each regex scan costs more than the scoring itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.resolver.text import folded_words, has_digit, has_hangul, unhump


@dataclass(frozen=True, slots=True)
class Query:
    text: str  # cleaned (see text.clean)
    folded: str  # casefolded
    words: list[str]  # lower-cased Latin and Hangul runs, apostrophes dropped ("don't" -> "dont")
    word_set: frozenset[str]
    compact: str  # the words run together: the spacing- and punctuation-free key
    digits: bool
    hangul: bool

    @classmethod
    def of(cls, text: str) -> Query:
        folded = text.casefold()
        humped = unhump(text)  # (casefolded once more only when it had a lowerCamel word to cut)
        parts = folded_words(folded if humped is text else humped.casefold())
        return cls(text, folded, parts, frozenset(parts), "".join(parts), has_digit(text), has_hangul(text))
