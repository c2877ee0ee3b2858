"""Query understanding: text in, Answer out. Pure Python, no discord import."""

from bot.resolver.autocomplete import autocomplete
from bot.resolver.gate import is_status_question
from bot.resolver.resolve import Answer, Resolver, detect_lang, get_resolver, resolve

__all__ = ["Answer", "Resolver", "autocomplete", "detect_lang", "get_resolver", "is_status_question", "resolve"]
