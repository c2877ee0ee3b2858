"""The description ranker: its two views, its fitted model, and the situations it exists for."""

from __future__ import annotations

import math

import msgspec
import pytest

from bot.registry import Registry
from bot.resolver.analyzer import terms
from bot.resolver.ranker import (
    ACCEPT_FEATURES,
    FEATURES,
    MODEL_PATH,
    QUERY_FEATURES,
    ModelFile,
    Ranker,
    analyse_knowledge,
    intent_tokens,
    load_ranker,
    rank,
)
from bot.resolver.resolve import Resolver


@pytest.fixture(scope="module")
def ranker(registry: Registry) -> Ranker:
    return load_ranker(registry)


def test_the_fitted_model_names_every_feature() -> None:
    model = msgspec.json.decode(MODEL_PATH.read_bytes(), type=ModelFile)
    assert set(model.weights) == set(FEATURES)
    assert set(model.accept_weights) == set(ACCEPT_FEATURES)
    assert 0.0 < model.threshold < 1.0 and model.intent and model.intent_scale > 0
    assert model.cross_validated.get("all", 0.0) > 0.5  # the fit's own figure is recorded with it
    assert set(QUERY_FEATURES) <= set(ACCEPT_FEATURES)


def test_views_run_from_zero_to_one(ranker: Ranker) -> None:
    views = ranker.views(terms("업로드하다가 용량 초과라고 뜨면서 끊겨요"))
    assert 413 in sorted(views.bm25, key=views.bm25.__getitem__, reverse=True)[:3]
    assert max(views.snippet, key=views.snippet.__getitem__) == 413
    for table in (views.bm25, views.snippet, views.cover.of_codes(views.bm25)):
        assert all(0.0 <= value <= 1.0 + 1e-9 for value in table.values())
    assert views.cover.of_codes([413])[413] > 0.5  # most of the question's words are in 413's texts
    assert views.unknown == 0.0 and views.mass > 0


def test_words_no_knowledge_uses_count_as_unknown(ranker: Ranker) -> None:
    views = ranker.views(terms("zzqx flurble"))
    assert views.unknown == 1.0 and not views.bm25


def test_rank_is_a_softmax() -> None:
    ranked = rank([(404, [1.0, 0.0]), (410, [0.0, 1.0]), (500, [0.0, 0.0])], [2.0, 1.0])
    assert [code for code, _ in ranked] == [404, 410, 500]
    assert math.isclose(sum(p for _, p in ranked), 1.0)


def test_a_left_out_scenario_is_not_in_the_knowledge(registry: Registry) -> None:
    scenario = registry.codes[413].scenarios.ko[0]
    full = analyse_knowledge(registry)
    without = analyse_knowledge(registry, frozenset({scenario}))
    assert len(without.snippet_terms) == len(full.snippet_terms) - 1


def test_intent_tokens_keep_the_korean_ending() -> None:
    assert {"~나요", "~니다"} <= set(intent_tokens("에러 나나요 배포했습니다"))
    assert "?" in intent_tokens("what now?")


# The kinds of question the ranker is for, as the issue that asked for it put them.
@pytest.mark.parametrize(("query", "code"), [
    ("업로드하다가 용량 초과라고 뜨면서 끊겨요", 413),
    ("이미 있는 아이디로 가입 요청 오면 몇 번 줘야 돼?", 409),
    ("로그인은 됐는데 관리자 페이지만 막혀요", 403),
    ("응답 오기 전에 사용자가 창 닫으면 nginx 로그에 뭐 찍혀?", 499),
    ("변경 없으면 본문 없이 캐시된 거 쓰라는 응답", 304),
    ("what code when someone signs up with an email that's taken", 409),
    ("deployment scaled to zero, what does ingress return", 503),
])
def test_situations_find_their_code(resolver: Resolver, query: str, code: int) -> None:
    answer = resolver.resolve(query)
    assert (answer.kind, answer.codes) == ("code", (code,)), answer


def test_an_answer_from_the_ranker_carries_its_probability(resolver: Resolver) -> None:
    answer = resolver.resolve("이미 있는 아이디로 가입 요청 오면 몇 번 줘야 돼?")
    assert answer.evidence == "description" and 0.5 <= answer.confidence <= 1.0
