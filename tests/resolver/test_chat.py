"""The model that tells a line naming a status from a question about it (bot/resolver/chat.py)."""

from __future__ import annotations

from bot.resolver.chat import ChatModel, ChatReader, features, load_chat_reader
from bot.resolver.query import Query
from bot.resolver.resolve import Resolver


def test_the_status_itself_is_masked() -> None:
    assert features("404 페이지 시안 올렸어요") == features("502 페이지 시안 올렸어요")
    assert features("what does 425 mean") == features("what does 511 mean")
    assert "5xx" in features("5xx 알람 임계치 올려뒀음") and "5xx" in features("a spike of 500s")


def test_the_fitted_model_is_shipped_with_its_figures() -> None:
    reader = load_chat_reader()
    assert reader.model.weights and 0.0 < reader.model.threshold < 1.0
    assert reader.model.cross_validated["chat left alone"] >= 0.8
    assert reader.model.cross_validated["questions answered"] >= 0.85


def test_without_a_model_nothing_is_taken_for_chat(tmp_path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "chat_model.json"
    broken.write_text("{not json", encoding="utf-8")
    reader = load_chat_reader(broken)
    assert reader.model == ChatModel()
    assert not reader.only_mentions("5xx 알람 임계치 올려뒀음")


def test_done_work_that_names_a_status_is_offered_not_answered(resolver: Resolver) -> None:
    for line in ("5xx 알람 채널 새로 팠고 임계치도 낮춰뒀습니다", "404 페이지 새 디자인 적용 완료했어요",
                 "어제 저녁 504 건은 타임아웃 늘려서 해결했어요 👍",
                 "merged the PR that maps 409s to a nicer message, thanks all",
                 "merged the 301 vs 308 redirect fix"):
        answer = resolver.resolve(line)
        assert answer.kind == "none", (line, answer)


def test_trouble_and_questions_that_name_a_status_are_answered(resolver: Resolver) -> None:
    for line, code in (("배포하고 나서 502 계속 떠요", 502), ("결제 API 500 에러 갑자기 터짐", 500),
                       ("getting 429 from the github api since this morning", 429),
                       ("is 207 a real status code", 207), ("429 에러 해결 방법", 429)):
        answer = resolver.resolve(line)
        assert answer.kind == "code" and answer.codes[0] == code, (line, answer)


def test_a_status_line_never_reaches_the_model(resolver: Resolver) -> None:
    reader = ChatReader(ChatModel(weights={"503": -50.0}, threshold=0.5))  # a model that calls everything chat
    resolver._chat = reader
    try:
        assert resolver.resolve("HTTP/1.1 503 Service Unavailable 배포했습니다").codes == (503,)
        assert resolver.resolve("GET /api/orders 502 배포 완료").codes == (502,)
        assert resolver.resolve("502랑 504 차이 정리했어요").kind == "compare"  # asks outright: 차이
    finally:
        resolver._chat = None


def test_codes_compared_with_vs_are_still_a_comparison(resolver: Resolver) -> None:
    # "vs" no longer puts a line out of the model's reach (PR titles say it too); a question with it stays one.
    for line in ("502 vs 504", "401 vs 403 for an expired token", "200 vs 201 after a POST"):
        assert resolver.resolve(line).kind == "compare", line


def _assert_offered(resolver: Resolver, lines: tuple[tuple[str, int], ...]) -> None:
    for line, code in lines:
        answer = resolver.resolve(line)
        assert answer.kind == "none" and code in answer.suggestions, (line, answer)


def test_done_work_that_names_a_status_by_its_name_or_message_is_offered_not_answered(resolver: Resolver) -> None:
    _assert_offered(resolver, (("Gateway Timeout 알람 기준 5분으로 바꿔뒀어요, 이제 덜 울릴 거예요", 504),
                               ("'upstream timed out' 로그는 배치 쿼리 인덱스 추가하고 나서 안 찍힙니다", 504),
                               ("Shipped the new Service Unavailable page with our logo, thanks design team 🎉", 503)))


def test_trouble_named_by_a_status_name_or_message_is_answered(resolver: Resolver) -> None:
    for line, code in (("Gateway Timeout 계속 떠요", 504), ("결제 요청마다 Too Many Requests 나옴", 429),
                       ("upstream timed out while reading response header from upstream", 504),
                       ("Service Unavailable The server is temporarily unable to service your request due to "
                        "maintenance downtime or capacity problems. Please try again later.", 503)):
        answer = resolver.resolve(line)
        assert answer.kind == "code" and answer.codes[0] == code, (line, answer)


def test_a_name_in_lower_case_in_an_english_sentence_is_words_not_a_name(resolver: Resolver) -> None:
    # masked as a status, "sending far too many requests" would read as a report about a 429
    reader = ChatReader(ChatModel(weights={"named": -50.0}, threshold=0.5))  # calls every named line chat
    resolver._chat = reader
    try:
        line = "the vendor API is throttling us because we keep sending far too many requests"
        assert resolver.named_chat_text(line, line, Query.of(line), 429) is None
        assert resolver.resolve("Too Many Requests 재시도 로직 PR 머지했어요").kind == "none"
    finally:
        resolver._chat = None


def test_a_commit_message_or_pr_title_that_names_a_status_is_offered_not_answered(resolver: Resolver) -> None:
    _assert_offered(resolver, (("fix(orders): return 422 instead of 500 on a bad coupon", 422),
                               ("feat: Service Unavailable 점검 페이지 다크 모드 지원", 503),
                               ("Merged #512 — map grpc Unavailable to 503", 503)))
    assert resolver.resolve("fix: 배포 후 502 나는데 원인이 뭘까요").kind == "code"  # it asks all the same


def test_a_message_someone_asks_to_explain_is_explained_even_when_it_only_mentions(resolver: Resolver) -> None:
    # in a channel "결제 API 503 복구 완료했습니다" asks nothing; picked in the context menu, its 503 is the question
    line = "결제 API 503 복구 완료했습니다"
    assert resolver.resolve(line).kind == "none"
    explained = resolver.explain_message(line)
    assert explained.kind == "code" and explained.codes == (503,)
    # two codes in a pasted message are a list, not a comparison
    assert resolver.explain_message("upstream returned 502, retry got 504").kind == "code"
