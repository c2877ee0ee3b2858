"""The resolver on our own regression set and on the behaviours the CLI contract promises."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from bot.resolver.resolve import Answer, Resolver, detect_lang

HERE = Path(__file__).parent


def correct(expect: Any, answer: Answer) -> bool:
    if expect is None:
        return answer.kind == "none"
    if isinstance(expect, list):
        return answer.kind == "compare" and sorted(answer.codes) == sorted(expect)
    if isinstance(expect, dict):
        return answer.kind == "header" and (answer.header or "").lower() == expect["header"].lower()
    if isinstance(expect, str):
        return answer.kind == "class" and answer.cls == expect
    return answer.kind == "code" and bool(answer.codes) and answer.codes[0] == expect


def score(resolver: Resolver, name: str) -> tuple[dict[str, list[int]], list[str]]:
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: list[str] = []
    for line in (HERE / name).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        answer = resolver.resolve(row["q"])
        ok = correct(row["expect"], answer)
        per[row["cat"]][0] += ok
        per[row["cat"]][1] += 1
        if not ok:
            misses.append(f"{row['q']!r}: expected {row['expect']}, got {answer.kind} {answer.codes} {answer.cls}")
    return per, misses


def test_regression_set(resolver: Resolver) -> None:
    per, misses = score(resolver, "regression.jsonl")
    total = sum(n for _, n in per.values())
    right = sum(ok for ok, _ in per.values())
    assert right / total >= 0.97, misses
    for cat, (ok, n) in per.items():
        assert ok / n >= 0.9, (cat, misses)


@pytest.mark.parametrize(("name", "floor"), [("heldout.jsonl", 0.93), ("heldout2.jsonl", 0.86),
                                           ("identifiers.jsonl", 0.91)])
def test_heldout_sets(resolver: Resolver, name: str, floor: float) -> None:
    """Queries written by people who never saw the knowledge or the code. heldout.jsonl has since been used to
    calibrate the abstention thresholds; heldout2.jsonl has not, so it is the honest estimate. The floors sit a
    little under today's scores so that a regression fails here."""
    per, misses = score(resolver, name)
    total = sum(n for _, n in per.values())
    right = sum(ok for ok, _ in per.values())
    assert right / total >= floor, misses


def test_languages() -> None:
    assert detect_lang("게이트웨이 타임아웃") == "ko"
    assert detect_lang("gateway timeout") == "en"


def test_lang_option_wins(resolver: Resolver) -> None:
    assert resolver.resolve("게이트웨이 타임아웃", "en").lang == "en"
    assert resolver.resolve("gateway timeout", "ko").lang == "ko"
    assert resolver.resolve("gateway timeout", "auto").lang == "en"


def test_several_codes_in_order(resolver: Resolver) -> None:
    answer = resolver.resolve("saw a 504 from the LB, then 502 from nginx")
    assert answer.kind == "code" and answer.codes == (504, 502)


def test_out_of_range_number_is_not_forced(resolver: Resolver) -> None:
    for query in ("600", "999", "status 777"):
        answer = resolver.resolve(query)
        assert answer.kind == "none" and answer.note == "not_a_code", query


def test_unregistered_in_range(resolver: Resolver) -> None:
    answer = resolver.resolve("299")
    assert answer.kind == "none" and answer.note == "unregistered" and answer.suggestions == (200,)


def test_abstains_with_suggestions(resolver: Resolver) -> None:
    answer = resolver.resolve("gateway")
    assert answer.kind in ("none", "code")
    if answer.kind == "none":
        assert 0 < len(answer.suggestions) <= 3


def test_empty(resolver: Resolver) -> None:
    answer = resolver.resolve("   ")
    assert answer.kind == "none" and answer.note == "empty"


def test_header_answer_names_header(resolver: Resolver) -> None:
    answer = resolver.resolve("retry-after")
    assert answer.kind == "header" and answer.header == "Retry-After"


def test_confidence_range(resolver: Resolver) -> None:
    for query in ("503", "gatway timout", "hello", "401 vs 403", "5xx", "Retry-After"):
        assert 0.0 <= resolver.resolve(query).confidence <= 1.0


def test_mostly_silent_on_chat(resolver: Resolver) -> None:
    """The resolver itself (not only the channel gate) should not explain ordinary chat."""
    lines = [line for line in (HERE / "chat_lines.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    answered = [line for line in lines if resolver.resolve(line).kind != "none"]
    assert len(answered) <= len(lines) // 50, answered


def test_vendor_code_needs_its_vendor(resolver: Resolver) -> None:
    generic = resolver.resolve("the reverse proxy gave up waiting for the upstream app to respond")
    assert generic.codes != (524,)  # not answered as Cloudflare's code when Cloudflare is not named
    assert resolver.resolve("cloudflare gave up waiting for the origin to respond").codes == (524,)


@pytest.mark.parametrize(("query", "kind", "codes"), [
    ("which code other than 404 for a resource that was deleted permanently?", "code", (410,)),  # 404 ruled out
    ("instead of 404, what should the API return for a deleted resource that is gone forever?", "code", (410,)),
    ("영구 삭제된 리소스는 404 말고 어떤 코드를 쓰나요?", "code", (410,)),
    ("the health check says 200 not 503", "code", (200,)),  # the other code stays
    ("301 대신 308 써야 하나요?", "compare", (301, 308)),  # two codes weighed against each other
    ("302 주면 안 되고 폼 제출 후에 GET으로 다시 보내는 건 뭐 써요", "code", (303,)),  # 주면 안 된다: ruled out
])
def test_a_code_ruled_out(resolver: Resolver, query: str, kind: str, codes: tuple[int, ...]) -> None:
    answer = resolver.resolve(query)
    assert (answer.kind, answer.codes) == (kind, codes)


def test_a_code_found_wanting_is_ruled_out(resolver: Resolver) -> None:
    # "better than a plain 404": 404 is out; what is left is 410, answered or (when the ranker is unsure of this
    # wording, as it is at 0.42 against its 0.425 threshold with today's knowledge) offered first.
    answer = resolver.resolve("the page is deleted for good and won't return, is there something better than a "
                              "plain 404?")
    assert 404 not in answer.codes and 404 not in answer.suggestions, answer
    assert (answer.codes or answer.suggestions)[:1] == (410,), answer


@pytest.mark.parametrize(("typed", "standard"), [
    ("ALB 타겟 그룹에 등록된 타겟이 하나도 없대요", "ALB 타깃 그룹에 등록된 타깃이 하나도 없대요"),
    ("이 메소드는 허용 안 된다고 떠요", "이 메서드는 허용 안 된다고 떠요"),
    ("엑세스 토큰 만료됐대요", "액세스 토큰 만료됐대요"),
])
def test_loanword_spellings_meet(resolver: Resolver, typed: str, standard: str) -> None:
    """Questions are read with knowledge/spelling.toml, so the spelling people type finds the same answer."""
    a, b = resolver.resolve(typed), resolver.resolve(standard)
    assert (a.kind, a.codes) == (b.kind, b.codes) and a.kind == "code"


def test_a_number_in_chat_is_offered_not_answered(resolver: Resolver) -> None:
    for chat in ("the 502 bus is late again, be there in 10", "we hit 500 signups yesterday 🎉",
                 "버스 502번 타고 가면 30분이면 도착해요"):
        answer = resolver.resolve(chat)
        assert answer.kind == "none" and answer.suggestions, chat
    for question in ("saw a 504 from the LB, then 502 from nginx", "tell me about 511", "we keep getting 502s",
                     "POST /api/v2/payments 409 12.345 ms - 87", "404 에러 떠요"):
        assert resolver.resolve(question).kind == "code", question


def test_names_compared_with_a_korean_particle_after_english(resolver: Resolver) -> None:
    assert resolver.resolve("Not Found랑 Gone 차이가 뭐예요").codes == (404, 410)
    assert resolver.resolve("Bad Gateway랑 Gateway Timeout 뭐가 다름?").kind == "compare"


def test_a_guess_to_confirm_is_answered_by_the_constant(resolver: Resolver) -> None:
    answer = resolver.resolve("HttpStatus.SC_REQUEST_TOO_LONG 이거 414 맞죠?")
    assert answer.kind == "code" and answer.codes[0] == 413 and answer.constant is not None
    # a status the asker saw is no guess: it wins over the constant
    assert resolver.resolve("we return HttpStatus.OK but clients see 500").codes[0] == 500


@pytest.mark.parametrize(("question", "header"), [
    ("지원 안 하는 메서드로 요청 왔을 때 응답에 허용 메서드 목록 담는 헤더 이름 뭐였지?", "Allow"),
    ("API 종료 예정 날짜를 알려 주는 헤더가 뭐죠", "Sunset"),
    ("리다이렉트할 때 이동할 주소를 담는 헤더가 뭐였지", "Location"),
])
def test_a_header_described_but_not_named(resolver: Resolver, question: str, header: str) -> None:
    answer = resolver.resolve(question)
    assert (answer.kind, answer.header) == ("header", header)


def test_a_question_about_a_code_that_mentions_a_header_is_about_the_code(resolver: Resolver) -> None:
    for question in ("게시글 작성 API 성공하면 뭐 리턴? Location 헤더도 줄 거",
                     "Content-Length 헤더 없는 업로드는 몇 번으로 거절해요?"):
        assert resolver.resolve(question).kind == "code", question


@pytest.mark.parametrize(("question", "cls"), [
    ("클라이언트 잘못으로 나는 에러들은 몇 번대예요?", "4xx"), ("서버 쪽 에러 대역은 몇 번대죠", "5xx"),
    ("리다이렉트는 몇 번대야", "3xx"),
])
def test_a_class_asked_by_what_it_means(resolver: Resolver, question: str, cls: str) -> None:
    answer = resolver.resolve(question)
    assert (answer.kind, answer.cls) == ("class", cls)


def test_a_lower_camel_identifier_is_read_as_words(resolver: Resolver) -> None:
    from bot.resolver.text import words

    assert words("notFound() permanentRedirect GitHub") == ["not", "found", "permanent", "redirect", "github"]
    assert words("gRPC iPhone maxBytesReader") == ["grpc", "iphone", "max", "bytes", "reader"]


def test_numbers_of_things_in_chat_are_not_statuses(resolver: Resolver) -> None:
    for chat in ("서버 200대 증설 완료했습니다", "302번 버스 타고 가는 중인데 5분 늦어요",
                 "502호 회의실 예약 못 했어요"):
        assert resolver.resolve(chat).kind == "none", chat
    for question in ("500대 에러가 늘었어요", "500번대 에러", "502 떠서 못 들어가요"):
        assert resolver.resolve(question).kind != "none", question


def test_connection_numbers_and_socket_errnos_are_not_statuses(resolver: Resolver) -> None:
    nginx = "2026/12/03 10:00:00 [error] 7#7: *412 client intended to send too large body: 15728640 bytes"
    assert resolver.resolve(nginx).codes[0] == 413
    envoy = ("upstream connect error or disconnect/reset before headers. reset reason: connection failure, "
             "transport failure reason: delayed connect error: 111")
    assert resolver.resolve(envoy).codes[0] == 503
    assert resolver.resolve("**503** 떠요").codes[0] == 503  # markdown bold is no connection number


def test_two_headers_named_ask_what_happens_and_a_part_of_a_name_is_no_name(resolver: Resolver) -> None:
    answer = resolver.resolve("브라우저가 If-None-Match 보냈고 ETag가 같으면 서버는 뭘 줘요?")
    assert (answer.kind, answer.codes[:1]) == ("code", (304,))
    described = resolver.resolve("CORS에서 어느 origin을 허용하는지 서버가 응답에 넣는 헤더가 뭐지")
    assert (described.kind, described.header) == ("header", "Access-Control-Allow-Origin")
    assert resolver.resolve("ETag 헤더가 뭐예요").header == "ETag"


def test_a_class_said_not_to_be_meant_is_left_out(resolver: Resolver) -> None:
    answer = resolver.resolve("which family of codes means the server failed, not the client?")
    assert (answer.kind, answer.cls) == ("class", "5xx")


def test_a_class_named_to_narrow_down_a_described_code(resolver: Resolver) -> None:
    # "which 2xx …" describes one code of the class; "2xx 응답은 …" and "list the 2xx codes" ask about the class.
    answer = resolver.resolve("we accepted the job but will only process it later in a queue, which 2xx fits that?")
    assert answer.kind == "code" and answer.codes == (202,), answer
    assert resolver.resolve("2xx 응답은 뭐에 쓰는 거예요").kind == "class"
    assert resolver.resolve("list the 2xx codes").kind == "class"


@pytest.mark.parametrize(("query", "header"), [
    ("413 줄 때 얼마까지 보낼 수 있는지는 못 알려줘도 다시 시도하라고 언제 알려주는 헤더 있어요?", "Retry-After"),
    ("on a 405, which header lists the methods the resource does take?", "Allow"),
    ("what header goes with a 401 to tell the client how to log in?", "WWW-Authenticate"),
])
def test_a_header_asked_for_by_its_code(resolver: Resolver, query: str, header: str) -> None:
    # A question that asks for a header and names a code is about a header of that code's answer.
    answer = resolver.resolve(query)
    assert (answer.kind, answer.header) == ("header", header), answer


def test_an_internal_code_asked_from_the_browser_side(resolver: Resolver) -> None:
    # nginx's 497 never reaches the client: asked what the browser shows, the answer is 400, then 497.
    seen = resolver.resolve("nginx ssl 포트로 평문 HTTP 요청을 보냈을 때 브라우저 화면에 나오는 코드")
    assert seen.kind == "code" and seen.codes == (400, 497), seen
    internal = resolver.resolve("nginx 내부 코드 중에 https 포트로 평문 http 요청 온 거 뜻하는 번호")
    assert internal.kind == "code" and internal.codes == (497,), internal


def test_a_code_the_asker_doubts_gives_way_to_the_situation(resolver: Resolver) -> None:
    # "N 줘야 하나요 아니면 뭐?": the situation decides; a doubted code that fits stays.
    assert resolver.resolve("이미 가입된 이메일이면 400 줘야 돼 아니면 다른 거?").codes[:1] == (409,)
    assert resolver.resolve("이미 가입된 이메일로 회원가입하면 409 줘야 해요 아니면 뭐?").codes[:1] == (409,)
    assert resolver.resolve("일이삼 줘야 하나요 아니면 뭐?").kind in ("code", "none")  # a number in words: no crash
    # doubt said another way: too vague, uneasy, confused with it, someone else's proposal
    for line in ("중복 이메일 가입 요청인데 400은 너무 포괄적이라 더 맞는 코드 있어요?",
                 "회원가입 때 이미 있는 이메일이면 400이랑 헷갈리는데 뭘 줘야 돼요?",
                 "이미 등록된 이메일로 가입 시도하면 400 주자는 사람도 있던데 보통 뭐 줘요?",
                 "이미 등록된 이메일로 가입하면 뭘 줘야 돼? 400 아님?"):
        assert resolver.resolve(line).codes[:1] == (409,), line


def test_one_word_of_a_longer_name_is_no_name(resolver: Resolver) -> None:
    # "work" is one word of 102's "server still working"; a typo of a whole name still names it.
    assert resolver.resolve("thanks, that worked!").kind == "none"
    assert resolver.resolve("forbiden").codes[:1] == (403,)


def test_a_directive_names_its_header_and_is_no_header_itself(resolver: Resolver) -> None:
    # "max-age" is a Cache-Control directive, not the Age header.
    answer = resolver.resolve("응답을 몇 초 동안 캐시할지 max-age 넣는 헤더 이름이 뭐였죠")
    assert (answer.kind, answer.header) == ("header", "Cache-Control"), answer
    assert resolver.resolve("what does the Age header mean").header == "Age"


def test_an_error_page_names_its_status_in_its_title_or_reason_field(resolver: Resolver) -> None:
    # nginx's built-in pages carry no number, only the reason phrase in <title> and <h1>; Spring's error body
    # carries it in "error". A message we know (API Gateway's "Internal server error" with a 502) still decides.
    page = "<html>\r\n<head><title>Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>Gateway Time-out</h1>" \
           "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>"
    assert resolver.resolve(page).codes[:1] == (504,)
    assert resolver.resolve('{"timestamp":"2024-01-01T00:00:00Z","error":"Method Not Allowed","path":"/a"}'
                            ).codes[:1] == (405,)
    assert resolver.resolve('{"title": "Not Found", "detail": "no order 7"}').codes[:1] == (404,)
    assert resolver.resolve('<title>Bad Gateway</title> <h1>Not Found</h1>').kind != "code"  # two names: no guess
    lambda_error = '{"message": "Internal server error"} 이고 실행 로그엔 Malformed Lambda proxy response'
    assert resolver.resolve(lambda_error).codes[:1] == (502,)


def test_the_guess_a_question_corrects_is_not_the_answer(resolver: Resolver) -> None:
    # "301인 줄 알았는데": the asker's guess is what the answer corrects, not what it is.
    answer = resolver.resolve("Next.js redirects에 permanent: true 주면 실제 응답코드는 뭐예요? 301인 줄 알았는데")
    assert answer.codes[:1] == (308,), answer
    grpc = resolver.resolve("grpc-gateway에서 FAILED_PRECONDITION은 http로 뭐가 나가요? 412일 줄 알았는데")
    assert grpc.codes[:1] == (400,), grpc


def test_a_code_the_asker_already_knows_is_not_the_answer(resolver: Resolver) -> None:
    assert resolver.resolve("503은 알겠는데 504는 뭐야?").codes[:1] == (504,)
    answer = resolver.resolve("라우터 매칭 안 될 때 404 나오는 건 알겠고, 백엔드 포트가 틀려서 연결 안 될 땐 몇 나와?")
    assert answer.codes[:1] != (404,), answer


def test_two_codes_side_by_side_in_chat_are_left_alone(resolver: Resolver) -> None:
    # "N랑 M" compares in a question and lists in an announcement: the chat model reads which.
    assert resolver.resolve("502랑 504 알람 채널 분리했어요. 이제 알람 채널 보시면 됩니다").kind == "none"
    for question in ("409랑 412 헷갈려요", "302 줄까 303 줄까", "401이야 403이야?",
                     "로그인 성공하고 대시보드로 보낼 때 302 줄까 303 줄까",  # a whole sentence around it
                     "탈퇴한 회원 프로필 조회는 404? 410?", "빈 목록이면 404 줘야 돼 200 줘야 돼?",
                     "만료된 쿠폰에 400 줄지 410 줄지 모르겠음"):
        assert resolver.resolve(question).kind == "compare", question


def test_all_of_something_else_is_no_list_of_a_class(resolver: Resolver) -> None:
    # "전부" (all) is about the URLs here, and the question asks which one code to use
    answer = resolver.resolve("사이트 이전하면서 옛 주소들 전부 새 주소로 영구 리다이렉트 하려는데 뭘 써야 해요?")
    assert answer.kind == "code" and answer.codes[0] in (301, 308), answer
    assert resolver.resolve("리다이렉트 코드 전부 정리해줘").kind == "class"


def test_a_range_of_ip_addresses_is_no_class_of_codes(resolver: Resolver) -> None:
    # "대역" is any range: "IP 대역" names addresses, "어떤 대역" asks for a class of codes
    answer = resolver.resolve("방화벽이 클라우드플레어 IP 대역을 막아버렸는데 사용자는 몇번 에러 봄?")
    assert answer.kind != "class", answer
    assert resolver.resolve("서버 잘못인 에러들은 어떤 대역이에요?").cls == "5xx"


def test_a_code_given_as_an_example_of_a_class_answers_the_class(resolver) -> None:  # type: ignore[no-untyped-def]
    assert resolver.resolve("100 continue 같은 정보성 응답은 몇번대 계열임").cls == "1xx"
    assert resolver.resolve("404는 몇 번대야?").cls == "4xx"
    # a class written out with a code of it asks about the code
    assert resolver.resolve("500번대 에러 중에 502가 뭐야").codes[:1] == (502,)


def test_a_question_that_spells_out_a_status_name_is_about_it(resolver) -> None:  # type: ignore[no-untyped-def]
    # long lines match names weakly; the name written out in a question still decides
    assert resolver.resolve("Bad Gateway keeps popping up on the admin portal, what usually causes that").codes[:1] \
        == (502,)
    assert resolver.resolve("게이트웨이 타임아웃은 정확히 어떤 상황에서 나는 건가요?").codes[:1] == (504,)
    # told, not asked
    assert resolver.resolve("신규 입사자분께 Payment Required는 실무에서 거의 안 쓴다고 설명드렸음 ㅎㅎ").kind == "none"
