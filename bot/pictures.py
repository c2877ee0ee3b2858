"""Optional pictures for answers (off by default): links to http.cat, only for codes that site has."""

from __future__ import annotations

# Codes http.cat serves a picture for. The bot only puts the link in the embed; it downloads nothing.
HTTP_CAT_CODES = frozenset({
    100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
    400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 420, 421, 422,
    423, 424, 425, 426, 428, 429, 431, 444, 451, 495, 496, 497, 499, 500, 501, 502, 503, 504, 506, 507, 508, 509,
    510, 511, 521, 522, 523, 525, 530, 599,
})


def picture_url(code: int, base: str = "https://http.cat/") -> str:
    return f"{base.rstrip('/')}/{code}" if code in HTTP_CAT_CODES else ""
