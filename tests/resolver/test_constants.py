"""Framework status constants: read from the harvested tables, or from the words of the name."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import pytest

from bot.registry import Registry
from bot.resolver.constants import ConstantReader


@pytest.fixture(scope="module")
def by_name_only(registry: Registry) -> ConstantReader:
    """A reader with no tables: what the name alone says."""
    return ConstantReader(replace(registry, constants=MappingProxyType({})))


@pytest.mark.parametrize(("text", "code"), [
    ("HttpStatus.GATEWAY_TIMEOUT", 504),
    ("w.WriteHeader(http.StatusServiceUnavailable)", 503),
    ("HttpStatusCode.PayloadTooLarge 이거 몇 번이에요?", 413),  # Ktor; a Korean particle is not part of the name
    ("render json: err, status: :unprocessable_entity", 422),
    ("raise HTTPException(status_code=status.HTTP_409_CONFLICT)", 409),
    ("HTTP_STATUS_BAD_GATEWAY", 502),  # a project's own constant
    ("StatusCodes.HTTP_502", 502),  # a number inside the name
    ("org.springframework.web.client.HttpServerErrorException$InternalServerError: 500", 500),
])
def test_a_name_built_from_a_reason_phrase_is_read_without_a_table(
        by_name_only: ConstantReader, text: str, code: int) -> None:
    hits = by_name_only.find(text)
    assert hits and hits[0].code == code
    assert hits[0].ecosystem == ""


@pytest.mark.parametrize("text", [
    "It's OK. Found the problem, thanks",
    "nginx.conf 에서 client_max_body_size 늘렸는데도 안돼요",
    "see e.g. the docs at api.example.com/users",
    "response.status is undefined",
    "NullPointerException at Foo.bar",
])
def test_prose_and_other_identifiers_are_not_constants(by_name_only: ConstantReader, text: str) -> None:
    assert by_name_only.find(text) == []


def test_a_table_decides_over_the_words_and_names_the_ecosystem(registry: Registry) -> None:
    from bot.models import ConstantNote, ConstantsFile

    table = ConstantsFile(ecosystem=".NET", language="C#", source="test", qualifiers=("HttpStatusCode",),
                          constants={"Redirect": 302, "Moved": 301},
                          notes={"Redirect": ConstantNote("misleading", "It is 302.", "302입니다.")})
    reader = ConstantReader(replace(registry, constants=MappingProxyType({"dotnet": table})))
    hit = reader.find("return StatusCode((int)HttpStatusCode.Redirect);")[0]
    assert (hit.name, hit.code, hit.ecosystem) == ("HttpStatusCode.Redirect", 302, ".NET")
    assert hit.note is not None and hit.note.state == "misleading"


def test_resolver_answers_a_constant_with_the_code_and_says_where_it_is_from(resolver) -> None:
    answer = resolver.resolve("return new ResponseEntity<>(body, HttpStatus.BAD_GATEWAY);")
    assert answer.kind == "code" and answer.codes[0] == 502
    assert answer.evidence == "constant" and answer.constant is not None


def test_a_stated_number_that_disagrees_wins_over_the_constant(resolver) -> None:
    answer = resolver.resolve("we return HttpStatus.OK but clients see HTTP/1.1 500")
    assert answer.codes and answer.codes[0] == 500


def test_two_constants_compared(resolver) -> None:
    answer = resolver.resolve("HttpStatus.FOUND vs HttpStatus.SEE_OTHER")
    assert answer.kind == "compare" and sorted(answer.codes) == [302, 303]


def test_exception_classes_and_prefixed_names_read_from_their_words(registry: Registry) -> None:
    reader = ConstantReader(registry)
    for text, code in (("throw new ImATeapotException()", 418), ("raise NotFoundError()", 404),
                       ("InternalServerError", 500), ("HttpVersionNotSupportedException", 505)):
        hits = reader.find(text)
        assert hits and hits[0].code == code, text


def test_a_symbol_is_read_from_symbol_tables_only_and_every_owner_is_named(registry: Registry) -> None:
    reader = ConstantReader(registry)
    (hit,) = reader.find("render status: :forbidden")
    assert hit.code == 403 and "Dart" not in (hit.ecosystem, *hit.also) and "hapi Boom" not in hit.also
    (shared,) = reader.find("HttpStatusCode.NotFound")
    assert {".NET", "Ktor"} <= {shared.ecosystem, *shared.also}


def test_a_name_missing_from_its_namespace_is_not_borrowed(registry: Registry) -> None:
    reader = ConstantReader(registry)
    assert [h.code for h in reader.find('http.Redirect(w, r, "/login", http.StatusSeeOther)')] == [303]


def test_a_swift_implicit_member_and_an_either_or_guess() -> None:
    from bot.registry import load_registry
    from bot.resolver.resolve import Resolver

    resolver = Resolver(load_registry())
    member = resolver.resolve("throw Abort(.notExtended)  // Vapor")
    assert member.codes == (510,) and member.constant is not None and member.constant.name == ".notExtended"
    assert resolver.resolve("Abort(.imATeapot)").codes == (418,)
    # the numbers offered as choices, the constant among them: the constant picks
    assert resolver.resolve("C# HttpStatusCode.Redirect 는 301이야 302야?").codes == (302,)
    # a number that disagrees and is no choice still wins (what clients see)
    assert resolver.resolve("we return HttpStatus.OK but clients see 500").codes[:1] == (500,)


def test_a_lower_camel_name_with_a_number_is_a_constant_of_its_table(registry: Registry) -> None:
    # Drogon's k404NotFound: no capital first, no underscore, no qualifier; its digits say it is no word of prose
    from bot.models import ConstantsFile

    table = ConstantsFile(ecosystem="Drogon", language="C++", source="test", qualifiers=(),
                          constants={"k404NotFound": 404, "k503ServiceUnavailable": 503})
    reader = ConstantReader(replace(registry, constants=MappingProxyType({"drogon": table})))
    hits = reader.find("resp->setStatusCode(k503ServiceUnavailable);")
    assert [(h.code, h.ecosystem) for h in hits] == [(503, "Drogon")]
    assert reader.find("upgraded to iPhone 12 yesterday") == []


def test_a_name_for_a_whole_class_answers_the_class_and_says_so(resolver, registry: Registry) -> None:  # type: ignore[no-untyped-def]
    from bot.render.text import render_answer

    answer = resolver.resolve("catch (GuzzleHttp\\Exception\\ServerException $e) { retry(); }")
    assert answer.kind == "class" and answer.cls == "5xx" and answer.evidence == "constant"
    assert answer.constant is not None and answer.constant.ecosystem == "Guzzle"
    assert "any 5xx response" in render_answer(answer, registry)
    # axios's ERR_BAD_REQUEST reads as "bad request" by its words, but its table says any 4xx
    assert resolver.resolve("error.code === 'ERR_BAD_REQUEST'").cls == "4xx"
    # a number in the question says more than the class
    assert resolver.resolve("ClientException with a 409 from the orders API").codes[:1] == (409,)


def test_a_table_of_common_words_is_read_only_behind_its_qualifier(resolver) -> None:  # type: ignore[no-untyped-def]
    # JAX-RS's NotSupportedException is 415 as rs.NotSupportedException; bare, it is as likely .NET's (no status)
    qualified = resolver.resolve("throw new jakarta.ws.rs.NotSupportedException();")
    assert qualified.codes[:1] == (415,) and qualified.constant is not None
    bare = resolver.resolve("throw new NotSupportedException();")
    assert bare.constant is None or bare.constant.ecosystem != "Jakarta REST (JAX-RS)"


def test_an_error_code_inside_an_error_body_is_data_not_a_constant(resolver) -> None:  # type: ignore[no-untyped-def]
    # S3 answers 400 with <Code>EntityTooLarge</Code>; Play's EntityTooLarge (413) is a name in Scala code
    answer = resolver.resolve("<Error><Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum "
                              "allowed size</Message></Error>")
    assert answer.codes[:1] == (400,) and answer.constant is None
    assert resolver.resolve("Future.successful(EntityTooLarge(\"10 MB at most\"))").codes[:1] == (413,)


def test_a_name_other_ecosystems_share_is_read_as_the_one_the_question_names(resolver) -> None:  # type: ignore[no-untyped-def]
    # Play's Redirect is 303, ASP.NET Core's Results.Redirect 302: Play's only when the question says Play
    assert resolver.resolve("return Results.Redirect(url);").codes[:1] == (302,)
    play = resolver.resolve("in Play Framework, what does Redirect(routes.Home.index()) send by default?")
    assert play.codes[:1] == (303,) and play.constant is not None and play.constant.ecosystem == "Play Framework"
    assert resolver.resolve("Jersey 쓰는데 NotSupportedException 던지면 클라는 몇 받아요?").codes[:1] == (415,)


def test_a_helpers_default_yields_to_a_status_written_beside_it(resolver) -> None:  # type: ignore[no-untyped-def]
    # Rails's redirect_to sends 302 unless given a status (knowledge/constants/rails_helpers.toml: defaults = true)
    assert resolver.resolve("redirect_to orders_path").codes == (302,)
    assert resolver.resolve("redirect_to orders_path, status: :see_other").codes == (303,)
    assert resolver.resolve("redirect_to 기본 상태코드가 뭐예요?").codes[:1] == (302,)
    # what to pass, not what it does alone
    asked = resolver.resolve("Turbo 쓰는데 폼 제출 후 redirect_to에 status 뭐 줘야 해요?")
    assert asked.constant is None or not asked.constant.default


def test_a_shared_helper_name_is_read_as_the_framework_the_question_names(resolver) -> None:  # type: ignore[no-untyped-def]
    # Redirect::to is 303 in axum and 307 in actix-web; Phoenix's redirect() is a bare call
    assert resolver.resolve('actix-web에서 Redirect::to("/login") 기본 상태코드').codes[:1] == (307,)
    assert resolver.resolve('axum Redirect::to("/login") default status').codes[:1] == (303,)
    assert resolver.resolve('Phoenix에서 redirect(conn, to: "/") 기본 상태코드').codes[:1] == (302,)
    # an argument that sets the status: not the default (302) but what the situation says
    assert resolver.resolve('Django redirect("home", permanent=True) 쓰면 몇 번?').codes[:1] != (302,)


def test_a_helper_named_as_a_plain_word_is_read_when_the_question_names_its_framework(resolver) -> None:  # type: ignore[no-untyped-def]
    # "redirect" is everyone's word: Sinatra's (302 for a GET) only in a question that says Sinatra
    sinatra = resolver.resolve("Sinatra redirect 기본 상태코드")
    assert sinatra.codes[:1] == (302,) and sinatra.constant is not None and sinatra.constant.ecosystem == "Sinatra"
    assert resolver.resolve("litestar @delete 핸들러 기본 status").codes[:1] == (204,)
    # without the framework's name a plain word stays a word
    assert resolver.resolve("redirect 기본 상태코드").constant is None


def test_a_name_behind_a_variable_is_the_named_frameworks(resolver) -> None:  # type: ignore[no-untyped-def]
    # gin's context is usually `c`, which is also Hono's qualifier: the framework the question names decides
    assert resolver.resolve("gin c.Bind(&req) 실패하면 자동으로 몇 박힘?").codes[:1] == (400,)
    # a mention is a word of its own: "gin" inside "login" names nothing
    assert resolver.resolve("login 화면에서 Bind 에러").constant is None


def test_a_helpers_default_where_it_runs(resolver) -> None:  # type: ignore[no-untyped-def]
    # knowledge/constants/nextjs_helpers.toml: redirect() is 307, 303 in a Server Action (contexts.redirect)
    assert resolver.resolve("next/navigation redirect('/login') 기본 상태코드").codes[:1] == (307,)
    assert resolver.resolve("Next.js server action 안에서 redirect() 호출하면 몇번으로 나가?").codes[:1] == (303,)
