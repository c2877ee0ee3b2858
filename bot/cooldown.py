"""Per-user and per-channel limits on unprompted answers, so nobody can make the bot flood a channel."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class Cooldowns:
    def __init__(self, user_seconds: float, channel_burst: int, channel_window: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.user_seconds = user_seconds
        self.channel_burst = channel_burst
        self.channel_window = channel_window
        self.clock = clock
        self._users: dict[int, float] = {}
        self._channels: dict[int, deque[float]] = {}

    def allow(self, user_id: int, channel_id: int) -> bool:
        """True (and the answer is counted) if neither the user nor the channel is over its limit."""
        now = self.clock()
        last = self._users.get(user_id)
        if last is not None and now - last < self.user_seconds:
            return False
        window = self._channels.setdefault(channel_id, deque())
        while window and now - window[0] >= self.channel_window:
            window.popleft()
        if len(window) >= self.channel_burst:
            return False
        window.append(now)
        self._users[user_id] = now
        if len(self._users) > 10_000:  # forget old users instead of growing forever
            cutoff = now - self.user_seconds
            self._users = {u: t for u, t in self._users.items() if t >= cutoff}
        return True
