"""Framework status constants in a question: `HttpStatus.BAD_GATEWAY`, `http.StatusTeapot`, `status: :forbidden`.

Two ways to read one, in this order:
1. The tables in knowledge/constants/, harvested from each library's source. They are needed because many names
   mislead (.NET `Redirect` is 302, `HttpURLConnection.HTTP_MOVED_TEMP` is 302, Apache's `SC_REQUEST_TOO_LONG`
   is 413) and because they say which ecosystem the name belongs to and whether it is deprecated.
2. Any other identifier built from a reason phrase (Ktor `HttpStatusCode.PayloadTooLarge`, Elixir
   `:bad_gateway`, a project's own `HTTP_STATUS_BAD_GATEWAY`) is split into words, stripped of its namespace and
   read as the phrase it spells, or as the number it embeds (`HTTP_502`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from bot.models import ConstantNote
from bot.registry import Registry
from bot.resolver.text import PhraseFinder, bounded

# A dotted or `::` path of identifiers, or a Ruby/Elixir symbol. ASCII only: Python's \w would glue a Korean
# particle onto the name ("HttpStatus.OK이").
# (`$` joins a Java nested class to its outer class in a stack trace: HttpClientErrorException$NotFound)
_TOKEN = re.compile(r"(?<![\w:$])(:?)([A-Za-z_]\w*(?:(?:\.|::|\$)[A-Za-z_]\w*)*)", re.ASCII)
_PATH_SEP = re.compile(r"\.|::|\$")
# What any constant the loop below can read has in it: a qualified name (`HttpStatus.OK`, `Response::HTTP_OK`), a
# symbol (`:not_found`), an underscore inside a name (`SC_GONE`), a lower-case letter before a capital
# (`NotModified`) or a call (`redirect(conn, to: "/")`, read as a helper when the question names its framework).
# Prose has none of them, and a sentence's full stop has a space after it.
_MAY_HOLD_A_CONSTANT = re.compile(r"[A-Za-z0-9_](?:\.|::?|\$)[A-Za-z_]|[a-z]\(|(?<![\w:]):[A-Za-z_]"
                                  r"|[A-Za-z0-9]_[A-Za-z0-9]|[a-z][A-Z]")
# The words of a question, for the names a table whose ecosystem it names may hold as plain words
_PLAIN_WORD = re.compile(r"[A-Za-z_]\w*", re.ASCII)
_CAMEL_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", re.ASCII)
# Namespaces written into the name itself: Go's Status…, servlet's SC_…, Symfony's HTTP_…, DRF's HTTP_429_….
_NAME_PREFIXES = ("http", "status", "sc", "code", "statuscode", "httpstatus", "response")
_NAME_SUFFIXES = ("exception", "error", "exc")
# A qualifier that says "this is a status": HttpStatus, HttpStatusCode, StatusCodes, Response, http (Go)…
_STATUS_QUALIFIER = re.compile(r"status|http|response", re.IGNORECASE)


# Languages that write Class::CONSTANT (the others write Class.CONSTANT)
SCOPED_LANGUAGES = frozenset({"PHP", "Rust", "C++", "Crystal"})

# code (or class, "4xx"), ecosystem, language, note, also in, a helper's default (ConstantsFile.defaults)
_Found = tuple[int | str, str, str, ConstantNote | None, tuple[str, ...], bool]


@dataclass(frozen=True)
class ConstantHit:
    """One constant found in a question. `ecosystem` is empty when the name was read from its words alone."""

    name: str  # as written, with its qualifier: "HttpStatusCode.Redirect"
    code: int
    ecosystem: str = ""
    language: str = ""
    note: ConstantNote | None = None
    start: int = 0
    also: tuple[str, ...] = ()  # other ecosystems with the same name for the same code (HttpStatusCode.NotFound)
    cls: str = ""  # for a name that stands for a whole class (Guzzle's ClientException): "4xx", and code is 0
    default: bool = False  # a helper's default status (ConstantsFile.defaults)


def _words_of(name: str) -> list[str]:
    """'GATEWAY_TIMEOUT', 'GatewayTimeout', 'gateway_timeout' -> ['gateway', 'timeout']; digits kept apart."""
    parts: list[str] = []
    for chunk in name.split("_"):
        parts += [p.lower() for p in _CAMEL_PART.findall(chunk)]
    return parts


def _strong_shape(name: str) -> bool:
    """Whether a name looks like a constant rather than a word of prose: 'SC_GONE', 'NotModified', not 'OK' or
    'Found' at the start of a sentence. (A capital after the first letter of a mixed-case name starts a second
    word, so PascalCase needs no splitting here.)"""
    if "_" in name.strip("_"):
        return True
    if name[0].isupper():
        return not name.isupper() and any(c.isupper() for c in name[1:])
    # lowerCamel with a digit in it is a constant too: Drogon's k404NotFound, Haskell's status404
    return any(c.isdigit() for c in name) and any(c.isupper() for c in name[1:])


class ConstantReader:
    def __init__(self, registry: Registry) -> None:
        # name -> [(ecosystem stem, code)]; (qualifier, name) -> the same, for the ecosystems using that qualifier
        self._by_name: dict[str, list[tuple[str, int | str]]] = defaultdict(list)
        self._by_qualified: dict[tuple[str, str], list[tuple[str, int | str]]] = defaultdict(list)
        self._tables = registry.constants
        self._qualifiers = frozenset(q for table in registry.constants.values() for q in table.qualifiers)
        # names read bare only when the question names their ecosystem (see ConstantsFile.mentions)
        self._by_name_if_mentioned: dict[str, list[tuple[str, int | str]]] = defaultdict(list)
        # Each mention word found stands for the tables of every mention word inside it ("play framework" holds
        # "play"): exactly the tables whose words occur in the question. A mention is a word of its own ("gin" in
        # "gin c.Bind", not in "login"; "bottle" not in "bottleneck"); a Korean particle may follow it ("gin에서").
        stems_of_word: dict[str, set[str]] = defaultdict(set)
        for stem, table in registry.constants.items():
            for word in table.mentions:
                stems_of_word[word].add(stem)
        self._stems_within = {word: frozenset(s for other, stems in stems_of_word.items() if other in word
                                               for s in stems) for word in stems_of_word}
        self._mention_finder = PhraseFinder(stems_of_word)
        # Every name of a table that says which words name its ecosystem: in a question that names it, such a name
        # is read even written as a plain word ("Sinatra redirect 기본 상태코드", "litestar에서 delete 핸들러는 몇").
        self._names_of = {stem: frozenset([*table.constants, *table.classes])
                          for stem, table in registry.constants.items() if table.mentions}
        self._mentionable = frozenset().union(*self._names_of.values())
        for stem, table in registry.constants.items():
            entries: list[tuple[str, int | str]] = [*table.constants.items(), *table.classes.items()]
            for name, code in entries:
                if table.bare and name not in table.qualified_only:
                    self._by_name[name].append((stem, code))
                else:
                    self._by_name_if_mentioned[name].append((stem, code))
                for qualifier in table.qualifiers:
                    self._by_qualified[(qualifier, name)].append((stem, code))
        # (ecosystem, helper) -> where it runs -> its default there (ConstantsFile.contexts)
        self._contexts = {(table.ecosystem, name): [(re.compile(bounded(words)), code)
                                                    for words, code in places.items()]
                          for table in registry.constants.values() for name, places in table.contexts.items()}
        # reason phrases (current and former) by their letters: 'gatewaytimeout' -> 504
        self._phrases: dict[str, int] = {}
        for entry in registry:
            for phrase in (entry.phrase, *entry.former_phrases):
                self._phrases.setdefault("".join(_words_of(re.sub(r"[^A-Za-z0-9]+", "_", phrase))), entry.code)
        self._known_codes = frozenset(registry.codes)

    def find(self, text: str) -> list[ConstantHit]:
        """Every constant in the text, in order. Cheap when there is none: one regex pass over ASCII runs."""
        may_hold = _MAY_HOLD_A_CONSTANT.search(text) is not None
        if not may_hold and not self._mentionable.intersection(_PLAIN_WORD.findall(text)):
            return []
        mentioned = self._mentioned(text)
        if not may_hold and not mentioned:
            return []
        hits: list[ConstantHit] = []
        folded = ""
        named_there = frozenset().union(*(self._names_of.get(stem, ()) for stem in mentioned))
        for match in _TOKEN.finditer(text):
            symbol, path = match.group(1) == ":", match.group(2)
            if text[match.start() - 1: match.start()] == ">" and text[match.end(): match.end() + 1] == "<":
                continue  # an element's value in an error body (S3's <Code>EntityTooLarge</Code>), not code
            parts = _PATH_SEP.split(path)
            name, qualifier = parts[-1], parts[-2] if len(parts) > 1 else ""
            # A constant-shaped name, a symbol, or a name behind a status-ish namespace may be read from a table
            # or from its words; any other name only from a table under its own qualifier ("HttpStatus.OK").
            shaped = symbol or _strong_shape(name) or bool(qualifier and _STATUS_QUALIFIER.search(qualifier)) \
                or name in named_there
            # Swift's implicit member, `Abort(.notExtended)`, `.status(.created)`: a dot with no name before it
            start = match.start()
            member = not qualifier and start > 0 and text[start - 1] == "." \
                and (start < 2 or not text[start - 2].isalnum())
            if not qualifier and not shaped and not member:
                continue  # an ordinary word of prose: most tokens of a question end here
            sep = "::" if "::" in path else "."
            found = (self._from_member(name) if member else None) \
                or self._from_table(name, qualifier, shaped, symbol, sep, mentioned) \
                or (self._from_words(name, qualifier, symbol) if shaped else None)
            if found is not None:
                code, ecosystem, language, note, also, default = found
                if places := self._contexts.get((ecosystem, name)):
                    folded = folded or text.casefold()
                    if (there := next((c for words, c in places if words.search(folded)), None)) is not None:
                        code, default = there, False  # what the question says decides, not the default
                written = f"{qualifier}{sep}{name}" if qualifier else (
                    f":{name}" if symbol else f".{name}" if member else name)
                is_class = isinstance(code, str)
                hits.append(ConstantHit(written, 0 if is_class else int(code), ecosystem, language, note,
                                        match.start(), also, cls=str(code) if is_class else "", default=default))
        return hits

    def _mentioned(self, text: str) -> frozenset[str]:
        """The tables whose ecosystem the question names (ConstantsFile.mentions)."""
        found = self._mention_finder.found(text.casefold())
        return frozenset().union(*(self._stems_within[word] for _, word in found)) if found else frozenset()

    def _from_member(self, name: str) -> _Found | None:
        """An implicit member is a Swift enum case: the Swift tables' name, else the name read as its words."""
        for stem, _ in self._by_name.get(name, ()):
            if self._tables[stem].language == "Swift":
                return self._from_table(name, self._tables[stem].qualifiers[0], True)
        return self._from_words(name, "", True) if name[:1].islower() and any(c.isupper() for c in name) else None

    def _from_table(self, name: str, qualifier: str, shaped: bool, symbol: bool = False, sep: str = ".",
                    mentioned: frozenset[str] = frozenset()) -> _Found | None:
        owners = self._by_qualified.get((qualifier, name)) if qualifier else None
        if not owners and qualifier and (named := [o for o in (*self._by_name.get(name, ()),
                                                               *self._by_name_if_mentioned.get(name, ()))
                                                   if o[0] in mentioned]):
            owners = named  # "gin c.Bind(&req)": behind a variable, the name of the framework the question names
        if not owners:
            # Behind a namespace some table uses, a name that table lacks is something else of that namespace
            # (Go's http.Redirect is a function; .NET's Redirect constant is no answer to it).
            if not shaped or qualifier in self._qualifiers:
                return None
            owners = [*self._by_name.get(name, ()),
                      *(o for o in self._by_name_if_mentioned.get(name, ()) if o[0] in mentioned)]
        if owners and mentioned and (named := [o for o in owners if o[0] in mentioned]):
            # the question says whose name it is: `Redirect::to` is axum's, Rocket's, Laravel's and actix-web's
            owners = named
        if owners and symbol:  # :not_found is Ruby's or Elixir's, never Dart's notFound or Boom.notFound()
            owners = [(stem, code) for stem, code in owners if not self._tables[stem].qualifiers]
        if owners and qualifier:
            # `Status::NotFound` is Rocket's (Rust), `Status.NotFound` Deno's: the separator tells the languages apart
            written_so = [(stem, code) for stem, code in owners
                          if (self._tables[stem].language in SCOPED_LANGUAGES) == (sep == "::")]
            owners = written_so or owners
        if not owners:
            return None
        # The same name in several ecosystems almost always means the same code; when not, the most common wins.
        # Every ecosystem holding it with that code is named, and a note (deprecated, misleading) is given only
        # when it holds for all of them: axios deprecates HttpStatusCode.UnprocessableEntity, .NET does not.
        counts: dict[int | str, int] = defaultdict(int)
        for _, code in owners:
            counts[code] += 1
        code = max(counts, key=lambda c: counts[c])
        # (the main ecosystems, those with a short name for the "In code" line, are named first: `head :no_content`
        # is Rails's before it is Plug's, HttpStatus.I_AM_A_TEAPOT Spring's before Micronaut's)
        stems = sorted(dict.fromkeys(s for s, c in owners if c == code), key=lambda s: not self._tables[s].short)
        table = self._tables[stems[0]]
        also = tuple(e for e in dict.fromkeys(self._tables[s].ecosystem for s in stems[1:]) if e != table.ecosystem)
        notes = [self._tables[s].notes.get(name) for s in stems]
        note = notes[0] if all(n is not None and n.state == notes[0].state for n in notes) else None  # type: ignore[union-attr]
        return code, table.ecosystem, table.language, note, also, table.defaults

    def _from_words(self, name: str, qualifier: str, symbol: bool) -> _Found | None:
        words = _words_of(name)
        found = self._from_phrase_words(words, qualifier, symbol)
        # An exception or error class named after its status (NestJS BadGatewayException, a project's
        # NotFoundError) reads as the phrase without its last word; InternalServerError keeps its own.
        if found is None and len(words) > 2 and words[-1] in _NAME_SUFFIXES:
            found = self._from_phrase_words(words[:-1], qualifier, symbol)
        return found

    def _from_phrase_words(self, words: list[str], qualifier: str, symbol: bool) -> _Found | None:
        whole = "".join(words)  # before the namespace is cut: HttpVersionNotSupported is a phrase with "http"
        namespaced = False
        while words and words[0] in _NAME_PREFIXES:
            words, namespaced = words[1:], True
        if words and words[0].isdigit():  # HTTP_502, HTTP_201_CREATED
            number = int(words[0])
            return (number, "", "", None, (), False) if number in self._known_codes else None
        # One plain word ('Conflict') is read only behind a namespace: a qualifier, a symbol's colon, or a prefix
        # written into the name (aiohttp's HTTPForbidden, Django's HttpResponseGone).
        if not words or (len(words) < 2 and not (qualifier or symbol or namespaced)):
            return None
        code = self._phrases.get("".join(words))
        if code is None and namespaced:
            code = self._phrases.get(whole)
        return (code, "", "", None, (), False) if code is not None else None
