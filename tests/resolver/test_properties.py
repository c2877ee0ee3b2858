"""Any text at all gives a valid answer, and a huge paste costs no more than the cap."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.resolver.autocomplete import autocomplete
from bot.resolver.gate import is_status_question
from bot.resolver.resolve import Resolver, get_resolver
from bot.resolver.text import MAX_QUERY_CHARS

RESOLVER: Resolver = get_resolver()
KINDS = {"code", "compare", "class", "header", "none"}


def valid(answer: object) -> None:
    assert answer.kind in KINDS  # type: ignore[attr-defined]
    assert 0.0 <= answer.confidence <= 1.0  # type: ignore[attr-defined]
    assert len(answer.suggestions) <= 3  # type: ignore[attr-defined]
    for code in answer.codes:  # type: ignore[attr-defined]
        assert code in RESOLVER.registry.codes
    if answer.kind == "none":  # type: ignore[attr-defined]
        assert answer.codes == ()  # type: ignore[attr-defined]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=10_000))
def test_any_unicode_gives_a_valid_answer(text: str) -> None:
    valid(RESOLVER.resolve(text))
    is_status_question(text, RESOLVER)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_autocomplete_never_fails(text: str) -> None:
    for lang in ("en", "ko"):
        result = autocomplete(text, lang)
        assert len(result) <= 25


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["503", "HTTP/1.1", "게이트웨이", "timeout", "vs", "5xx", "@everyone", "\x00",
                                 "🙂", "Retry-After", "오백삼", "\"GET / HTTP/1.1\"", "401", "차이", " "]),
                max_size=30))
def test_mixed_fragments(parts: list[str]) -> None:
    valid(RESOLVER.resolve(" ".join(parts)))


def test_huge_input_is_cut_before_matching(monkeypatch) -> None:
    import importlib

    # (the package re-exports a function named resolve, so import the module by its full name)
    resolve_module = importlib.import_module("bot.resolver.resolve")

    seen: list[int] = []
    real = resolve_module.find_codes

    def recording(text: str):  # type: ignore[no-untyped-def]
        seen.append(len(text))
        return real(text)

    monkeypatch.setattr(resolve_module, "find_codes", recording)
    valid(RESOLVER.resolve("gateway timeout " + "x 12 " * 200_000))  # digits, so the number search runs
    assert seen and max(seen) <= MAX_QUERY_CHARS + 1
