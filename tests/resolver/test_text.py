from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bot.resolver.text as text_module
from bot.resolver.text import MAX_QUERY_CHARS, clean, compact, jamo, korean_numeral_codes, strip_korean_suffix


@pytest.mark.parametrize(("text", "codes"), [
    ("오백삼 에러", [503]), ("사백사", [404]), ("사공사", [404]), ("오백이", [502]), ("오백이가 뭐야", [502]),
    ("사백십팔", [418]), ("사백이십구 에러", [429]), ("오공삼", [503]), ("삼백일", [301]),
])
def test_korean_numerals(text: str, codes: list[int]) -> None:
    assert korean_numeral_codes(text) == codes


@pytest.mark.parametrize("text", ["사이", "일이삼", "공사 중", "이사 갑니다", "오백원", "구구단", "사과", "오늘"])
def test_words_are_not_numerals(text: str) -> None:
    assert korean_numeral_codes(text) == []


def test_jamo_makes_near_spellings_close() -> None:
    a, b = jamo("타임아웃"), jamo("타입아웃")
    assert len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def test_clean_caps_and_strips_controls() -> None:
    assert clean("a\x00b\u200bc\nd") == "a b c d"
    assert len(clean("x" * 1_000_000)) <= MAX_QUERY_CHARS


def test_a_long_paste_keeps_the_lines_that_can_name_a_status() -> None:
    frames = "".join(f"\tat com.example.service.Client{i}.call(Client{i}.java:{400 + i})\n" for i in range(150))
    trace = ("org.springframework.web.client.RestClientException: call failed\n" + frames
             + "Caused by: org.springframework.web.client.HttpClientErrorException: 429 Too Many Requests\n"
             + frames)
    assert len(trace) > 2 * MAX_QUERY_CHARS
    kept = clean(trace)
    assert len(kept) <= MAX_QUERY_CHARS
    assert "429 Too Many Requests" in kept and "RestClientException" in kept
    assert "Client7.java" not in kept  # a source line number is not a status


def test_a_long_paste_without_evidence_is_cut_to_its_first_piece() -> None:
    assert clean("lorem ipsum " * 10_000) == ("lorem ipsum " * 40)[:400].strip()


def test_compact_ignores_space_and_punctuation() -> None:
    assert compact("Request-URI  Too Long") == compact("request uri too long")
    assert compact("서비스 이용 불가") == compact("서비스이용불가")


@pytest.mark.parametrize(("word", "stem"), [("권한이", "권한"), ("게이트웨이와", "게이트웨이"), ("에러", "에러")])
def test_korean_suffixes(word: str, stem: str) -> None:
    assert strip_korean_suffix(word) == stem


# Stripping is written as suffix-set look-ups for speed; these regexes say the same thing readably.
_ENDING_SPEC = re.compile(r"^(.+?)(?:" + "|".join(text_module._KO_ENDINGS) + r")$")
_PARTICLE_SPEC = re.compile(r"^(..+?)(?:" + "|".join(text_module._KO_SUFFIXES) + r")$")


def _strip_once_spec(word: str) -> str:
    match = _ENDING_SPEC.match(word)
    if match and len(word) > 2:
        return match.group(1)
    match = _PARTICLE_SPEC.match(word)
    return match.group(1) if match else word


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from([*text_module._KO_ENDINGS, *text_module._KO_SUFFIXES, "요청", "게이트웨이", "타임",
                                 "가", "이", "ㅋ"]), min_size=1, max_size=4))
def test_stripping_matches_its_regex(pieces: list[str]) -> None:
    word = "".join(pieces)
    assert text_module._strip_once(word) == _strip_once_spec(word)


def test_respeller_rewrites_inside_words() -> None:
    respell = text_module.Respeller({"타겟": "타깃", "어플리케이션": "애플리케이션", "어플": "앱"})
    assert respell("ALB 타겟이 없어요") == "ALB 타깃이 없어요"  # the particle stays on
    assert respell("어플리케이션 로그, 어플 크래시") == "애플리케이션 로그, 앱 크래시"  # the longest spelling first
    assert respell("plain ascii target") == "plain ascii target"
    assert text_module.Respeller({})("타겟") == "타겟"


def test_terminal_colour_escapes_are_dropped() -> None:
    assert clean('"GET / HTTP/1.1" \x1b[32m200\x1b[0m') == '"GET / HTTP/1.1" 200'
    assert clean('"GET / HTTP/1.1" [31m404[0m') == '"GET / HTTP/1.1" 404'  # the ESC lost in a copy


def test_phrase_finder_reads_phrases_as_words_of_their_own() -> None:
    from bot.resolver.text import PhraseFinder

    finder = PhraseFinder(["gin", "play framework", "게이트웨이 타임아웃", "플라스크"])
    assert [p for _, p in finder.found("gin c.bind(&req) 실패하면")] == ["gin"]
    assert finder.found("login 화면") == []  # not inside a longer Latin word
    # a Korean particle may follow a word
    assert [p for _, p in finder.found("게이트웨이 타임아웃은 언제 나요")] == ["게이트웨이 타임아웃"]
    assert [p for _, p in finder.found("플라스크에서 redirect")] == ["플라스크"]
    assert finder.found("play the framework") == []  # every word, in order
