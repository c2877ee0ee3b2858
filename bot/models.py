"""Typed, immutable shapes of the knowledge files.

msgspec validates the TOML against these structs (types, required fields, unknown
keys); the registry adds the cross-file checks (headers exist, related codes exist,
Korean text has Hangul, aliases are not claimed twice).
"""

from __future__ import annotations

from typing import Literal

import msgspec

Status = Literal["standard", "reserved", "obsolete", "temporary", "vendor"]
Direction = Literal["request", "response", "both"]
Lang = Literal["en", "ko"]


class Text(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One sentence or paragraph in both languages."""

    en: str
    ko: str

    def get(self, lang: Lang) -> str:
        return self.ko if lang == "ko" else self.en


class TextList(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A list of short items in both languages (the lists may differ in length)."""

    en: tuple[str, ...] = ()
    ko: tuple[str, ...] = ()

    def get(self, lang: Lang) -> tuple[str, ...]:
        return self.ko if lang == "ko" else self.en


class Spec(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    title: str  # "RFC 9110", "nginx docs", "Cloudflare docs"
    url: str
    section: str = ""  # "15.6.4"; empty for vendor pages

    def label(self) -> str:
        return f"{self.title} §{self.section}" if self.section else self.title


class HeaderRef(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str  # must exist in knowledge/headers.toml
    why: Text  # why this header matters for this code


class RelatedRef(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: int  # must exist in knowledge/codes/
    note: Text  # one-line contrast with the code of the file


class Meaning(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Another meaning of the same number (a vendor's, or a legacy one)."""

    phrase: str
    name_ko: str
    status: Status
    summary: Text
    spec: Spec
    vendor: str = ""
    detail: Text | None = None
    aliases: TextList = TextList()
    signatures: tuple[str, ...] = ()
    scenarios: TextList = TextList()


class CodeFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One file in knowledge/codes/: the primary meaning plus any other meanings."""

    code: int
    phrase: str
    name_ko: str
    status: Status
    summary: Text
    detail: Text
    spec: Spec
    retry: Text
    cacheable: bool  # heuristically cacheable by default (RFC 9110 §15.1; 451 by RFC 7725 §3)
    vendor: str = ""
    # The status the client receives when it is not this code (nginx's internal 494-497 reach it as 400): a
    # question about what the browser sees is answered with both.
    shown: int | None = None
    former_phrases: tuple[str, ...] = ()  # older official names, e.g. "Payload Too Large"
    headers: tuple[HeaderRef, ...] = ()
    related: tuple[RelatedRef, ...] = ()
    causes: TextList = TextList()
    checks: TextList = TextList()
    aliases: TextList = TextList()
    # Situations in which this code is the answer, written from the asker's side ("signing up with an email
    # that is already taken", "업로드하다가 용량 초과로 끊겨요"): questions are asked from the situation, not the code.
    scenarios: TextList = TextList()
    # Verbatim fragments of error messages, log lines or vendor error pages that
    # point at this code (e.g. nginx's "upstream timed out"). Language-neutral.
    signatures: tuple[str, ...] = ()
    other_meanings: tuple[Meaning, ...] = ()


class HeaderInfo(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    direction: Direction
    summary: Text
    spec: Spec
    aliases: tuple[str, ...] = ()
    # how people describe the header when they do not remember its name ("the header that says how long to
    # wait"): what bot/resolver/headers.py reads besides the summary
    scenarios: TextList = TextList()


class HeadersFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    headers: dict[str, HeaderInfo]
    # Hyphenated Title-Case terms in the code files' text that are not header names (PHP-FPM, Wi-Fi, M-GET):
    # the checker asks for a table for every other one it finds
    not_headers: tuple[str, ...] = ()


class ClassInfo(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: Text
    summary: Text
    detail: Text
    aliases: TextList = TextList()


class ClassesFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    classes: dict[str, ClassInfo]


class SpellingFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """knowledge/spelling.toml: loanword spellings people type -> the spelling the knowledge uses."""

    ko: dict[str, str] = {}


class GlossaryTerm(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    use: str  # the word statusbot writes
    avoid: tuple[str, ...]  # variants the knowledge's Korean text must not use
    note: str = ""


class GlossaryFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """knowledge/glossary.toml: one Korean vocabulary for everything the knowledge says."""

    terms: tuple[GlossaryTerm, ...] = ()


CONSTANT_STATES = ("deprecated", "removed", "misleading", "since")  # since: only from some version on


class ConstantNote(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Why one framework constant deserves a warning: deprecated, removed, or named unlike its code."""

    state: str  # one of CONSTANT_STATES (checked by the registry, which can then name the constant)
    en: str
    ko: str


class ConstantsFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """knowledge/constants/*.toml: one ecosystem's status constants, harvested from its source."""

    ecosystem: str  # "Spring Framework"
    language: str  # "Java"
    source: str  # the file and version the names were read from
    constants: dict[str, int] = {}  # the name as written in the library -> its status code
    # a name that stands for a whole class, not one code (Guzzle's ClientException: any 4xx) -> "4xx"
    classes: dict[str, str] = {}
    qualifiers: tuple[str, ...] = ()  # what is written before the name in code: "HttpStatus" (HttpStatus.OK)
    short: str = ""  # the ecosystem's name in an answer's "In code" line ("Spring"); empty: not shown there
    # false: a name is read as this table's only behind one of its qualifiers (`rs.NotSupportedException` is
    # JAX-RS's 415; a bare NotSupportedException is as likely .NET's, which has no status)
    bare: bool = True
    # single names read as this table's only behind a qualifier (the rest of the table is read bare too)
    qualified_only: tuple[str, ...] = ()
    # words that name the ecosystem in a question ("jax-rs", "play framework"): when the question says one, the
    # names above are read bare too ("JAX-RS에서 throw new NotSupportedException() 하면?")
    mentions: tuple[str, ...] = ()
    # true: the codes are what a helper sends when given none (Rails's redirect_to: 302). A status written beside
    # it wins ("redirect_to root_path, status: :see_other"), and it answers only a pasted use or a question about
    # the default ("redirect_to에 status 뭐 주라고?" asks what to pass, not what it does alone)
    defaults: bool = False
    # a name whose code depends on where it runs or what it is given: name -> {words that say so (lower case): code}
    # (Next.js's redirect() is 307, but 303 in a Server Action: `contexts.redirect = {"server action" = 303}`;
    # ASP.NET Core's Results.Redirect is 302, 308 with `permanent: true, preserveMethod: true`)
    contexts: dict[str, dict[str, int]] = {}
    notes: dict[str, ConstantNote] = {}


class KoreanWordsFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """knowledge/korean_words.toml: technical nouns the Korean analyser must keep whole."""

    nouns: tuple[str, ...] = ()


SIGNATURE_PLACES = ("error page", "error log", "access log", "response body", "exception", "console", "header")


class Signature(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One verbatim fragment of what a piece of software prints or sends, and the code it points at."""

    text: str  # the constant part of the message, as the software writes it
    code: int  # the status it means (must have a file in knowledge/codes/)
    where: str  # one of SIGNATURE_PLACES: where people meet this text
    # the status the client actually receives, when it differs from `code` (nginx answers 400 for its 494-497)
    shown: int | None = None
    note: Text | None = None  # what the text tells you beyond the code, when it tells more


class SignaturesFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """knowledge/signatures/*.toml: one piece of software's error pages and messages, harvested from its source
    or documentation."""

    software: str  # "nginx"
    source: str  # the files, pages and versions the texts were read from
    signatures: tuple[Signature, ...]


class UiFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """knowledge/ui.toml: the words around the knowledge (field names, notes), in both languages."""

    labels: dict[str, Text]
    status: dict[str, Text]
    direction: dict[str, Text]
    cache: dict[str, Text]
    notes: dict[str, Text]
    commands: dict[str, Text] = {}
    replies: dict[str, Text] = {}
    places: dict[str, Text] = {}  # where a signature is met ("error log"), for "this is nginx's error log line"

    def text(self, section: str, key: str, lang: Lang, **values: object) -> str:
        table: dict[str, Text] = getattr(self, section)
        template = table[key].get(lang)
        return template.format(**values) if values else template
