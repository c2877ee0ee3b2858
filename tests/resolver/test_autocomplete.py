from __future__ import annotations

import pytest

from bot.resolver.autocomplete import MAX_CHOICES, MAX_LABEL, POPULAR, autocomplete


def codes(text: str, lang: str = "en") -> list[int]:
    return [code for code, _ in autocomplete(text, lang)]  # type: ignore[arg-type]


def test_empty_gives_most_asked() -> None:
    assert codes("")[:5] == list(POPULAR[:5])


@pytest.mark.parametrize(("text", "expected"), [
    ("5", 503), ("50", 504), ("503", 503), ("gat", 504), ("gateway t", 504), ("게이", 504), ("서비", 503),
    ("not fo", 404), ("teap", 418), ("요청 한도", 429), ("섭", 503), ("too many", 429),
])
def test_finds(text: str, expected: int) -> None:
    assert expected in codes(text)


def test_numbers_are_prefix_matches() -> None:
    assert all(str(c).startswith("50") for c in codes("50"))
    assert codes("404") == [404]


def test_limits() -> None:
    for text in ("", "5", "4", "e", "a", "서", "error"):
        for lang in ("en", "ko"):
            result = autocomplete(text, lang)  # type: ignore[arg-type]
            assert len(result) <= MAX_CHOICES
            assert all(0 < len(label) <= MAX_LABEL for _, label in result)


def test_labels_follow_language() -> None:
    (_, en), = autocomplete("503", "en")
    (_, ko), = autocomplete("503", "ko")
    assert en.startswith("503 Service Unavailable")
    assert ko.startswith("503 서비스 이용 불가")


def test_typo_falls_back_to_fuzzy() -> None:
    assert 504 in codes("gatway timout")
