"""Discord interactions as plain data, with no discord.py: what `statusbot serve` answers over HTTP.

Discord can deliver interactions to an HTTPS endpoint ("Interactions Endpoint URL") instead of the gateway; then
any number of identical replicas can answer them. This module is the framework-free core (after hikari's
interaction server): check the request's Ed25519 signature over the raw body before anything reads it, then turn
one interaction (a JSON dict) into the JSON response — the same answers, embeds and components as the gateway bot
(bot.render.discord_payload), the same settings (bot.settings_store). bot/adapters/serve.py puts it on aiohttp.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from bot.language import choose_lang
from bot.models import Lang
from bot.registry import Registry
from bot.render.discord_payload import answer_from_target, answer_payload, cut, escape
from bot.render.scan import scan_embed
from bot.resolver.autocomplete import Autocompleter
from bot.resolver.resolve import Answer, Resolver
from bot.scan import (
    ATTACHMENT_LINES,
    ATTACHMENT_MAX,
    ATTACHMENT_TIMEOUT,
    LOG_LINES_MIN,
    LOG_SUFFIXES,
    is_log_block,
    scan_bytes,
    scan_text,
)
from bot.settings_store import DETAILS, NOTE_MAX, SettingsBackend

log = logging.getLogger("statusbot.serve")

# Interaction types and response types (https://discord.com/developers/docs/interactions/receiving-and-responding)
PING, COMMAND, COMPONENT, AUTOCOMPLETE = 1, 2, 3, 4
PONG, MESSAGE, UPDATE, CHOICES = 1, 4, 7, 8
EPHEMERAL = 64
MANAGE_GUILD = 1 << 5
BODY_MAX = 1024 * 1024  # an interaction with a resolved context-menu message is tens of KB; a MiB is plenty
TIMESTAMP_SKEW = 300  # seconds: a signed request older (or newer) than this is a replay, not an interaction
MAX_QUERY = 2000  # what /http's option takes (the gateway bot's limit)
_TOGGLE_PREFIX, _DETAIL_PREFIX, _SELECT_PREFIX = "statusbot:lang:", "statusbot:more:", "statusbot:rel:"


class Verifier:
    """Ed25519 over X-Signature-Timestamp + the raw body, with the application's public key (hex)."""

    def __init__(self, public_key_hex: str) -> None:
        self._key = VerifyKey(bytes.fromhex(public_key_hex))  # ValueError for a key that is not 32 bytes of hex

    def verify(self, signature: str | None, timestamp: str | None, body: bytes, now: float | None = None) -> bool:
        if not signature or not timestamp or not timestamp.isdigit() or len(signature) != 128:
            return False
        if abs((time.time() if now is None else now) - int(timestamp)) > TIMESTAMP_SKEW:
            return False
        try:
            self._key.verify(timestamp.encode() + body, bytes.fromhex(signature))
        except (BadSignatureError, ValueError):
            return False
        return True


def permissions_of(value: object) -> int:
    """A permission string as Discord sends it: a non-negative decimal ASCII integer of at most 64 bits; anything
    else is no permission at all."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 20:
        return 0
    number = int(value)
    return number if number < 2**64 else 0


class FollowUp(Protocol):
    """Delivery of deferred answers: download a file Discord's CDN serves, post to an interaction's webhook."""

    async def download(self, url: str, limit: int, timeout: float) -> bytes: ...
    async def send(self, token: str, message: dict[str, Any]) -> None: ...


@dataclass
class Outcome:
    """The response to send and what it was, for the metrics."""

    body: dict[str, Any]
    kind: str  # ping, command, autocomplete, component, config, menu
    result: str = "answered"  # answered, refused, unknown


DEFERRED = 5


class Interactions:
    def __init__(self, registry: Registry, resolver: Resolver, store: SettingsBackend,
                 follow_up: FollowUp | None = None) -> None:
        self.registry, self.resolver, self.store = registry, resolver, store
        self.autocompleter = Autocompleter(registry, resolver)
        # (how a deferred answer is delivered: bot.adapters.serve posts it to the interaction's webhook)
        self.follow_up = follow_up
        self.pending: set[asyncio.Task[None]] = set()

    # ----- entry --------------------------------------------------------------------------------------------

    async def handle(self, interaction: Mapping[str, Any]) -> Outcome:
        kind = interaction.get("type")
        if kind == PING:
            return Outcome({"type": PONG}, "ping")
        data = interaction.get("data") if isinstance(interaction.get("data"), dict) else {}
        assert isinstance(data, dict)
        if kind == AUTOCOMPLETE:
            return Outcome(self._autocomplete(interaction, data), "autocomplete")
        if kind == COMPONENT:
            return self._component(interaction, data)
        if kind == COMMAND:
            name = data.get("name")
            if data.get("type") == 3:
                return Outcome(self._context_menu(interaction, data), "menu")
            if name == "http":
                return Outcome(self._http(interaction, data), "command")
            if name == "http-config":
                return await self._config(interaction, data)
        return Outcome(self._private(self._reply("error", "en")), "unknown", "unknown")

    # ----- helpers ------------------------------------------------------------------------------------------

    @staticmethod
    def _guild_id(interaction: Mapping[str, Any]) -> int | None:
        value = interaction.get("guild_id")
        return int(value) if isinstance(value, str) and value.isdigit() else None

    def _lang(self, interaction: Mapping[str, Any], explicit: object, text: str) -> Lang:
        server = self.store.guild(self._guild_id(interaction)).lang
        locale = interaction.get("locale")
        return choose_lang(explicit if isinstance(explicit, str) else None, server,
                           locale if isinstance(locale, str) else None, text)

    def _reply(self, key: str, lang: str, /, **values: object) -> str:
        # (`lang` positional-only: a reply may have a {lang} placeholder of its own, replies.show)
        template = self.registry.ui.text("replies", key, "ko" if lang == "ko" else "en")
        return template.format(**values) if values else template

    @staticmethod
    def _private(content: str) -> dict[str, Any]:
        return {"type": MESSAGE, "data": {"content": cut(content, 2000), "flags": EPHEMERAL,
                                          "allowed_mentions": {"parse": []}}}

    def _message(self, answer: Answer, guild_id: int | None, full: bool) -> dict[str, Any]:
        notes = self.store.guild(guild_id).notes
        relevant = {code: notes[code] for code in answer.codes if code in notes}
        payload = answer_payload(answer, self.registry, full=full, notes=relevant)
        if answer.kind == "code" and full and len(answer.codes) > len(payload["embeds"]):
            payload["content"] = self.registry.ui.text("notes", "too_many", answer.lang, count=len(answer.codes),
                                                       shown=len(payload["embeds"]))
        return payload

    def _full(self, asked: object, guild_id: int | None) -> bool:
        if asked in DETAILS:
            return asked == "full"
        return self.store.guild(guild_id).detail == "full"

    @staticmethod
    def _options(data: Mapping[str, Any]) -> dict[str, Any]:
        return {str(o.get("name")): o for o in data.get("options") or () if isinstance(o, dict)}

    # ----- /http and its autocomplete -----------------------------------------------------------------------

    def _http(self, interaction: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
        options = self._options(data)
        query = str((options.get("query") or {}).get("value") or "")[:MAX_QUERY]
        lang = self._lang(interaction, (options.get("lang") or {}).get("value"), query)
        guild_id = self._guild_id(interaction)
        answer = self.resolver.resolve(query, lang)
        message = self._message(answer, guild_id, self._full((options.get("detail") or {}).get("value"), guild_id))
        if (options.get("private") or {}).get("value") is True:
            message["flags"] = EPHEMERAL
        return {"type": MESSAGE, "data": message}

    def _autocomplete(self, interaction: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
        focused = next((o for o in self._options(data).values() if o.get("focused")), None)
        if focused is None:
            return {"type": CHOICES, "data": {"choices": []}}
        current = str(focused.get("value") or "")[:MAX_QUERY]
        lang = self._lang(interaction, None, current)
        return {"type": CHOICES, "data": {"choices": [
            {"name": cut(label, 100), "value": f"{code:03d}"} for code, label in
            self.autocompleter.suggest(current, lang)[:25]]}}

    # ----- the message context menu -------------------------------------------------------------------------

    def _context_menu(self, interaction: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
        messages = (data.get("resolved") or {}).get("messages") or {}
        target = messages.get(str(data.get("target_id"))) or {}
        attachment = next((a for a in target.get("attachments") or () if isinstance(a, dict)
                           and str(a.get("filename", "")).lower().endswith(LOG_SUFFIXES)), None)
        if attachment is not None:
            return self._defer_attachment(interaction, attachment)
        parts = [str(target.get("content") or "")]
        for embed in target.get("embeds") or ():
            if isinstance(embed, dict):
                parts += [str(embed.get("title") or ""), str(embed.get("description") or "")]
                parts += [f"{f.get('name', '')} {f.get('value', '')}" for f in embed.get("fields") or ()
                          if isinstance(f, dict)]
        body = "\n".join(p for p in parts if p)
        lang = self._lang(interaction, None, body)
        if body.count("\n") + 1 >= LOG_LINES_MIN:
            summary = scan_text(body).to_data()
            if is_log_block(summary):
                return {"type": MESSAGE, "data": scan_embed(summary, self.registry, lang)}
        answer = self.resolver.explain_message(body, lang)
        if answer.kind == "none" or not answer.codes:
            return self._private(self._reply("no_codes_in_message", lang))
        return {"type": MESSAGE, "data": self._message(answer, self._guild_id(interaction), False)}

    def _defer_attachment(self, interaction: Mapping[str, Any], attachment: Mapping[str, Any]) -> dict[str, Any]:
        """A log attachment: answered "thinking…" (type 5) at once, summarised in the background and delivered
        as the follow-up (a download can outlast Discord's 3 s)."""
        lang = self._lang(interaction, None, "")
        size = int(attachment.get("size") or 0)
        url, token = str(attachment.get("url") or ""), str(interaction.get("token") or "")
        if size > ATTACHMENT_MAX:
            return self._private(self._reply("log_too_big", lang, size=f"{size / 1024 / 1024:.1f}",
                                             limit=f"{ATTACHMENT_MAX // 1024 // 1024}"))
        if self.follow_up is None or not url.startswith(("https://", "http://")) or not token:
            return self._private(self._reply("log_unreadable", lang))
        task = asyncio.ensure_future(self._summarise(url, str(attachment.get("filename") or ""), token, lang))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)
        return {"type": DEFERRED}

    async def _summarise(self, url: str, name: str, token: str, lang: Lang) -> None:
        follow_up = self.follow_up
        assert follow_up is not None
        try:
            content = await follow_up.download(url, ATTACHMENT_MAX, ATTACHMENT_TIMEOUT)
            summary = (await asyncio.to_thread(scan_bytes, content, name, ATTACHMENT_LINES)).to_data()
            message = (scan_embed(summary, self.registry, lang, name) if summary["codes"] else
                       self._private(self._reply("no_codes_in_message", lang))["data"])
        except Exception as exc:  # a slow, missing or damaged file is one line and a polite private reply
            log.warning("Could not summarise an attachment: %r", exc)
            message = self._private(self._reply("log_unreadable", lang))["data"]
        await follow_up.send(token, message)

    # ----- buttons and the select ---------------------------------------------------------------------------

    def _component(self, interaction: Mapping[str, Any], data: Mapping[str, Any]) -> Outcome:
        custom_id = str(data.get("custom_id") or "")
        guild_id = self._guild_id(interaction)
        if custom_id.startswith(_SELECT_PREFIX):
            lang: Lang = "ko" if custom_id.endswith(":ko") else "en"
            values = data.get("values") or []
            code = int(values[0]) if values and str(values[0]).isdigit() else -1
            if code not in self.registry.codes:
                return Outcome(self._private(self._reply("error", lang)), "component", "refused")
            answer = Answer(str(code), "code", (code,), lang=lang, confidence=1.0)
            message = self._message(answer, guild_id, False)
            message["flags"] = EPHEMERAL
            return Outcome({"type": MESSAGE, "data": message}, "component")
        for prefix in (_TOGGLE_PREFIX, _DETAIL_PREFIX):
            if custom_id.startswith(prefix):
                fields = custom_id[len(prefix):].split(":")
                if len(fields) < 2 or fields[1] not in ("en", "ko"):
                    break
                target, lang = fields[0], "ko" if fields[1] == "ko" else "en"
                full = fields[2:] == ["f"]  # lang: ":f" when the message shows the full answer; more: show "f"
                shown = answer_from_target(target, lang, self.registry)
                if shown is None:
                    break
                message = self._message(shown, guild_id, full)
                if prefix == _DETAIL_PREFIX and not self._asked_by(interaction):
                    message["flags"] = EPHEMERAL  # someone else's answer: theirs stays as it was
                    return Outcome({"type": MESSAGE, "data": message}, "component")
                return Outcome({"type": UPDATE, "data": message}, "component")
        return Outcome(self._private(self._reply("error", "en")), "component", "refused")

    @staticmethod
    def _asked_by(interaction: Mapping[str, Any]) -> bool:
        message = interaction.get("message") or {}
        if int(message.get("flags") or 0) & EPHEMERAL:
            return True
        clicker = ((interaction.get("member") or {}).get("user") or interaction.get("user") or {}).get("id")
        metadata = message.get("interaction_metadata") or message.get("interaction") or {}
        asker = (metadata.get("user") or {}).get("id")
        return asker is not None and asker == clicker

    # ----- /http-config -------------------------------------------------------------------------------------

    async def _config(self, interaction: Mapping[str, Any], data: Mapping[str, Any]) -> Outcome:
        guild_id = self._guild_id(interaction)
        lang = self._lang(interaction, None, "")
        if guild_id is None:
            return Outcome(self._private(self._reply("guild_only", lang)), "config", "refused")
        member = interaction.get("member") or {}
        if not permissions_of(member.get("permissions")) & MANAGE_GUILD:
            return Outcome(self._private(self._reply("need_manage_server", lang)), "config", "refused")
        path: list[str] = []
        options = list(data.get("options") or ())
        while options and isinstance(options[0], dict) and options[0].get("type") in (1, 2):  # (sub)commands
            path.append(str(options[0].get("name")))
            options = list(options[0].get("options") or ())
        values = {o.get("name"): o.get("value") for o in options if isinstance(o, dict)}
        settings = self.store.guild(guild_id)
        command = " ".join(path)
        if command == "language" and values.get("value") in ("auto", "en", "ko"):
            await self.store.set_lang(guild_id, str(values["value"]))
            text = self._reply("config_lang", lang, value=values["value"])
        elif command == "detail" and values.get("value") in DETAILS:
            await self.store.set_detail(guild_id, str(values["value"]))
            text = self._reply("config_detail", lang, value=self._reply(f"detail_{values['value']}", lang))
        elif command == "pictures" and isinstance(values.get("enabled"), bool):
            await self.store.set_pictures(guild_id, bool(values["enabled"]))
            text = self._reply("pictures", lang, value=self._reply("on" if values["enabled"] else "off", lang))
        elif command == "note add" and isinstance(values.get("code"), int) and isinstance(values.get("text"), str):
            code, note = int(str(values["code"])), str(values["text"])
            if code not in self.registry.codes:
                text = self._reply("note_unknown_code", lang, code=f"{code:03d}")
            elif not note.strip() or len(note) > NOTE_MAX:
                return Outcome(self._private(self._reply("error", lang)), "config", "refused")
            else:
                await self.store.set_note(guild_id, code, note)
                text = self._reply("note_added", lang, code=f"{code:03d}")
        elif command == "note remove" and isinstance(values.get("code"), int):
            code = int(str(values["code"]))
            removed = await self.store.remove_note(guild_id, code)
            text = self._reply("note_removed" if removed else "note_missing", lang, code=f"{code:03d}")
        elif command == "note list":
            notes = settings.notes
            text = "\n".join(f"**{c:03d}**: {escape(notes[c], NOTE_MAX)}" for c in sorted(notes)) \
                or self._reply("notes_none", lang)
        elif command == "show":
            channels = ", ".join(f"<#{c}>" for c in sorted(settings.channels)) or "-"
            text = self._reply("show", lang, lang=settings.lang, channels=channels,
                               pictures=self._reply("on" if settings.pictures else "off", lang),
                               detail=self._reply(f"detail_{settings.detail}", lang))
        elif command in ("channel-add", "channel-remove"):
            chosen = values.get("channel") or interaction.get("channel_id")
            if not (isinstance(chosen, str) and chosen.isdigit()):
                return Outcome(self._private(self._reply("error", lang)), "config", "refused")
            channel = int(chosen)
            if command == "channel-add":
                added = await self.store.add_channel(guild_id, channel)
                text = self._reply("channel_added" if added else "channel_already", lang, channel=f"<#{channel}>")
            else:
                removed = await self.store.remove_channel(guild_id, channel)
                text = self._reply("channel_removed" if removed else "channel_missing", lang, channel=f"<#{channel}>")
        elif command == "channels":
            listed = ", ".join(f"<#{c}>" for c in sorted(settings.channels))
            text = self._reply("channels_list", lang, channels=listed) if listed else self._reply("channels_none", lang)
        else:
            return Outcome(self._private(self._reply("error", lang)), "config", "unknown")
        return Outcome(self._private(text), "config")
