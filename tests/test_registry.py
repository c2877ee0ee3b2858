"""The registry refuses broken knowledge with a message naming the file, the field and the problem."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.registry import KnowledgeError, code_class, load_registry, normalize_alias
from tests.conftest import KNOWLEDGE


@pytest.fixture()
def knowledge_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


def _edit(path: Path, change: Callable[[str], str]) -> None:
    text = path.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text, "the fixture edit did not apply"
    path.write_text(changed, encoding="utf-8")


def _error(directory: Path) -> KnowledgeError:
    with pytest.raises(KnowledgeError) as info:
        load_registry(directory)
    return info.value


def test_real_knowledge_loads(registry) -> None:
    assert len(registry) >= 90
    assert registry.get(503) is not None


def test_entries_are_immutable(registry) -> None:
    entry = registry.get(503)
    with pytest.raises(AttributeError):
        entry.phrase = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        registry.codes[999] = entry  # type: ignore[index]


def test_bad_toml_names_the_file(knowledge_copy: Path) -> None:
    _edit(knowledge_copy / "codes" / "503.toml", lambda t: t.replace('phrase = "Service Unavailable"', "phrase = "))
    error = _error(knowledge_copy)
    assert error.file == "knowledge/codes/503.toml"
    assert error.field == "(syntax)"
    assert "invalid TOML" in error.problem


def test_missing_field_is_named(knowledge_copy: Path) -> None:
    _edit(knowledge_copy / "codes" / "503.toml", lambda t: t.replace("cacheable = false\n", ""))
    error = _error(knowledge_copy)
    assert (error.file, error.field) == ("knowledge/codes/503.toml", "cacheable")
    assert "missing required field" in error.problem


def test_wrong_type_is_named(knowledge_copy: Path) -> None:
    _edit(knowledge_copy / "codes" / "503.toml", lambda t: t.replace("cacheable = false", 'cacheable = "no"'))
    error = _error(knowledge_copy)
    assert error.field == "cacheable"
    assert "Expected `bool`" in error.problem


def test_unknown_header(knowledge_copy: Path) -> None:
    _edit(knowledge_copy / "codes" / "503.toml", lambda t: t.replace('name = "Retry-After"', 'name = "Retry-Afterr"'))
    error = _error(knowledge_copy)
    assert error.file == "knowledge/codes/503.toml"
    assert error.field.startswith("headers[") and error.field.endswith("].name")
    assert "Retry-Afterr" in error.problem


def test_a_header_named_in_the_text_needs_a_table(knowledge_copy: Path) -> None:
    _edit(knowledge_copy / "codes" / "503.toml",
          lambda t: t.replace('summary.en = "', 'summary.en = "Check X-Made-Up-Header. ', 1))
    error = _error(knowledge_copy)
    assert (error.file, error.field) == ("knowledge/codes/503.toml", "summary")
    assert "X-Made-Up-Header" in error.problem and "headers.toml" in error.problem


def test_a_term_listed_as_no_header_passes(knowledge_copy: Path) -> None:
    _edit(knowledge_copy / "codes" / "503.toml",
          lambda t: t.replace('summary.en = "', 'summary.en = "See Made-Up-Term. ', 1))
    _edit(knowledge_copy / "headers.toml", lambda t: t.replace('not_headers = [', 'not_headers = ["Made-Up-Term", ', 1))
    assert load_registry(knowledge_copy).get(503) is not None


def test_the_glossary_keeps_one_vocabulary(knowledge_copy: Path) -> None:
    path = knowledge_copy / "codes" / "503.toml"
    original = path.read_text(encoding="utf-8")
    _edit(path, lambda t: t.replace('summary.ko = "', 'summary.ko = "접근 로그를 봅니다. ', 1))
    error = _error(knowledge_copy)
    assert (error.file, error.field) == ("knowledge/codes/503.toml", "summary.ko")
    assert "'접근 로그'" in error.problem and "'액세스 로그'" in error.problem
    # a command in backticks, and what people type, are not our vocabulary
    path.write_text(original.replace('summary.ko = "', 'summary.ko = "`grep 접근 로그` ', 1), encoding="utf-8")
    assert load_registry(knowledge_copy).get(503) is not None
    path.write_text(original.replace('scenarios.ko = [', 'scenarios.ko = [\n  "접근 로그에 서비스 불가가 찍혀요",', 1),
                    encoding="utf-8")
    assert load_registry(knowledge_copy).get(503) is not None


def test_related_code_must_exist(knowledge_copy: Path) -> None:
    (knowledge_copy / "codes" / "502.toml").unlink()
    error = _error(knowledge_copy)
    assert "related code 502 does not exist" in error.problem
    assert error.field.startswith("related[")


def test_korean_field_needs_hangul(knowledge_copy: Path) -> None:
    _edit(knowledge_copy / "codes" / "503.toml",
          lambda t: t.replace('name_ko = "서비스 이용 불가"', 'name_ko = "Service Unavailable"'))
    error = _error(knowledge_copy)
    assert (error.file, error.field) == ("knowledge/codes/503.toml", "name_ko")
    assert "no Hangul" in error.problem


def test_duplicate_alias_between_codes(knowledge_copy: Path) -> None:
    # 502 claims "bad gateway"; claiming it again (spelt differently) from 503 must fail.
    _edit(knowledge_copy / "codes" / "503.toml",
          lambda t: t.replace('aliases.en = ["service unavailable",',
                              'aliases.en = ["service unavailable", "Bad-Gateway",'))
    error = _error(knowledge_copy)
    assert error.file == "knowledge/codes/503.toml"
    assert "already claimed by 502" in error.problem


def test_file_name_must_match_code(knowledge_copy: Path) -> None:
    shutil.move(knowledge_copy / "codes" / "503.toml", knowledge_copy / "codes" / "513.toml")
    error = _error(knowledge_copy)
    assert "file name says 513" in error.problem


def test_unknown_field_is_rejected(knowledge_copy: Path) -> None:
    _edit(knowledge_copy / "codes" / "503.toml",
          lambda t: t.replace("cacheable = false", "cacheable = false\nsumary = 1"))
    error = _error(knowledge_copy)
    assert "sumary" in str(error)


def test_invalid_utf8(knowledge_copy: Path) -> None:
    (knowledge_copy / "codes" / "503.toml").write_bytes(b"code = 503\nphrase = \"\xff\xfe\"\n")
    assert "not valid UTF-8" in _error(knowledge_copy).problem


def test_missing_directory(tmp_path: Path) -> None:
    assert "not found" in _error(tmp_path / "nowhere").problem


def test_code_class() -> None:
    assert code_class(503) == "5xx"
    assert code_class(100) == "1xx"
    assert code_class(0) is None


def test_normalize_alias() -> None:
    assert normalize_alias("Request-URI Too Long") == normalize_alias("request uri too long")


@pytest.mark.parametrize(("line", "problem"), [
    ('"캐쉬" = "캐시캐쉬"', "rewritten again"),  # a right side that contains a left side would loop
    ('"cache" = "캐시"', "no Hangul"),
    ('"캐쉬" = "캐쉬"', "the same"),
])
def test_bad_spelling_table(knowledge_copy: Path, line: str, problem: str) -> None:
    _edit(knowledge_copy / "spelling.toml", lambda t: t.replace('"캐쉬" = "캐시"', line))
    error = _error(knowledge_copy)
    assert error.file == "knowledge/spelling.toml" and problem in error.problem


def test_spelling_table_is_optional(knowledge_copy: Path) -> None:
    (knowledge_copy / "spelling.toml").unlink()
    assert not load_registry(knowledge_copy, cache=False).spelling


_GOOD_CONSTANTS = '''ecosystem = "Example"
language = "Java"
qualifiers = ["ExampleStatus"]
qualified_only = ["FOUND"]
mentions = ["example framework"]
source = "example/example Status.java @ 1.0"

[constants]
FOUND = 302
MOVED_TEMP = 302

[classes]
ClientError = "4xx"

[notes.MOVED_TEMP]
state = "misleading"
en = "It is 302, not 307."
ko = "307이 아니라 302입니다."
'''


@pytest.mark.parametrize(("old", "new", "where", "problem"), [
    ("FOUND = 302", "FOUND = 1302", "constants.FOUND", "not a status code"),
    ('qualifiers = ["ExampleStatus"]', 'qualifiers = ["Example Status"]', "qualifiers[0]", "not an identifier"),
    ("[notes.MOVED_TEMP]", "[notes.MOVED_TEMPORARILY]", "notes.MOVED_TEMPORARILY", "does not list"),
    ('ko = "307이 아니라 302입니다."', 'ko = "302, not 307."', "notes.MOVED_TEMP.ko", "no Hangul"),
    ('state = "misleading"', 'state = "wrong"', "notes.MOVED_TEMP.state", "Expected"),
    ('ClientError = "4xx"', 'ClientError = "4XX"', "classes.ClientError", "not a class"),
    ('qualified_only = ["FOUND"]', 'qualified_only = ["LOST"]', "qualified_only[0]", "not one of the file's names"),
    ('mentions = ["example framework"]', 'mentions = ["Example"]', "mentions[0]", "lower case"),
    ('ClientError = "4xx"', 'FOUND = "3xx"', "classes.FOUND", "listed under constants too"),
    # a code that depends on where a helper runs or what it is given belongs to one of the file's names
    ("[notes.MOVED_TEMP]", '[contexts.LOST]\n"post" = 303\n\n[notes.MOVED_TEMP]', "contexts.LOST",
     "not one of the file's constants"),
    ("[notes.MOVED_TEMP]", '[contexts.FOUND]\n"Post" = 303\n\n[notes.MOVED_TEMP]', "contexts.FOUND", "lower case"),
])
def test_bad_constants_table(knowledge_copy: Path, old: str, new: str, where: str, problem: str) -> None:
    (knowledge_copy / "constants").mkdir(exist_ok=True)
    table = knowledge_copy / "constants" / "example.toml"
    table.write_text(_GOOD_CONSTANTS.replace(old, new), encoding="utf-8")
    error = _error(knowledge_copy)
    assert error.file == "knowledge/constants/example.toml"
    assert error.field == where
    assert problem in error.problem


def test_constants_table_loads(knowledge_copy: Path) -> None:
    (knowledge_copy / "constants").mkdir(exist_ok=True)
    (knowledge_copy / "constants" / "example.toml").write_text(_GOOD_CONSTANTS, encoding="utf-8")
    table = load_registry(knowledge_copy, cache=False).constants["example"]
    assert table.constants == {"FOUND": 302, "MOVED_TEMP": 302}
    assert table.classes == {"ClientError": "4xx"}
    assert table.qualified_only == ("FOUND",) and table.mentions == ("example framework",)  # (filed by its stem)
    assert table.notes["MOVED_TEMP"].state == "misleading"


_GOOD_SIGNATURES = '''software = "Example"
source = "example 1.0 src/errors.c"

[[signatures]]
text = "example upstream went away"
code = 502
where = "error log"
'''


def test_a_signatures_file_loads(knowledge_copy: Path) -> None:
    (knowledge_copy / "signatures" / "zexample.toml").write_text(_GOOD_SIGNATURES, encoding="utf-8")
    table = load_registry(knowledge_copy, cache=False).signatures["zexample"]
    assert table.signatures[0].code == 502 and table.signatures[0].shown is None


@pytest.mark.parametrize(("change", "field", "problem"), [
    (lambda t: t.replace("example upstream went away", "gone"), "signatures[0].text", "too short"),
    (lambda t: t.replace("code = 502", "code = 512"), "signatures[0].code", "no file"),
    (lambda t: t.replace('where = "error log"', 'where = "somewhere"'), "signatures[0].where", "Expected one of"),
    (lambda t: t.replace("code = 502", "code = 502\nshown = 502"), "signatures[0].shown", "differs"),
    (lambda t: t.replace("example upstream went away", "upstream timed out"), "signatures[0].text", "one code"),
    (lambda t: t + 'note.en = "only English"\n', "signatures[0]", ""),
])
def test_bad_signatures_are_named(knowledge_copy: Path, change: Callable[[str], str], field: str,
                                  problem: str) -> None:
    (knowledge_copy / "signatures" / "zexample.toml").write_text(change(_GOOD_SIGNATURES), encoding="utf-8")
    error = _error(knowledge_copy)
    assert error.file == "knowledge/signatures/zexample.toml"
    assert error.field.startswith(field) and problem in error.problem


def test_a_scenario_may_not_state_its_own_code(knowledge_copy: Path) -> None:
    _edit(knowledge_copy / "codes" / "413.toml",
          lambda t: t.replace("scenarios.ko = [\n", 'scenarios.ko = [\n  "413 떠요",\n', 1))
    error = _error(knowledge_copy)
    assert error.field == "scenarios.ko[0]" and "own code" in error.problem


def test_korean_words_must_be_words(knowledge_copy: Path) -> None:
    _edit(knowledge_copy / "korean_words.toml", lambda t: t.replace('"리다이렉트",', '"리다 이렉트",', 1))
    error = _error(knowledge_copy)
    assert error.file == "knowledge/korean_words.toml" and "one Korean word" in error.problem


@pytest.mark.parametrize(("replacement", "problem"), [
    ("{numbr}", "unknown placeholder {numbr}"),  # a typo would only fail when `ask 999` shows the note
    ("{number", "broken placeholder"),
])
def test_ui_placeholders_are_checked(knowledge_copy: Path, replacement: str, problem: str) -> None:
    _edit(knowledge_copy / "ui.toml", lambda t: t.replace("{number}", replacement, 1))
    error = _error(knowledge_copy)
    assert error.file == "knowledge/ui.toml" and problem in error.problem


def test_ui_placeholders_agree_between_languages(knowledge_copy: Path) -> None:
    _edit(knowledge_copy / "ui.toml", lambda t: t.replace('ko = "{number}은(는) HTTP', 'ko = "이 값은 HTTP', 1))
    error = _error(knowledge_copy)
    assert error.file == "knowledge/ui.toml" and "same placeholders" in error.problem
