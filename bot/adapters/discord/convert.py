"""Plain payload data (bot.render.discord_payload) -> discord.py objects.

The renderer is the one source of truth for what a message looks like; this module only
rebuilds it as Embeds and a View whose items are the persistent DynamicItems.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.adapters.discord.views import DetailToggle, LanguageToggle, RelatedSelect


def embeds_from(payload: dict[str, Any]) -> list[discord.Embed]:
    return [discord.Embed.from_dict(data) for data in payload.get("embeds", [])]


def view_from(payload: dict[str, Any]) -> discord.ui.View | None:
    view = discord.ui.View(timeout=None)
    for row_index, row in enumerate(payload.get("components", [])):
        for component in row.get("components", []):
            if component["type"] == 2 and "url" in component:
                view.add_item(discord.ui.Button(style=discord.ButtonStyle.link, label=component["label"],
                                                url=component["url"], row=row_index))
            elif component["type"] == 2:
                toggle: LanguageToggle | DetailToggle | None = (
                    LanguageToggle.from_id(component["custom_id"])
                    or DetailToggle.from_id(component["custom_id"], component.get("label", "")))
                if toggle is not None:
                    toggle.item.row = row_index
                    view.add_item(toggle)
            elif component["type"] == 3:
                select = RelatedSelect(component["custom_id"], component["placeholder"], component["options"])
                select.item.row = row_index
                view.add_item(select)
    return view if view.children else None


def message_kwargs(payload: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for send_message / channel.send / edit_message."""
    kwargs: dict[str, Any] = {"embeds": embeds_from(payload), "allowed_mentions": discord.AllowedMentions.none()}
    view = view_from(payload)
    if view is not None:
        kwargs["view"] = view
    if payload.get("content"):
        kwargs["content"] = payload["content"]
    return kwargs
