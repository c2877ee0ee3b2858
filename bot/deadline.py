"""How old an interaction is, and whether an answer started now can still reach Discord in time.

Discord takes the first response to an interaction only within 3 s of its creation, which the interaction's
snowflake records (milliseconds since 2015-01-01, Discord's clock). Under a burst, an answer that starts too
late costs as much CPU as one that arrives in time and is refused anyway ("Unknown interaction"); letting it go
early leaves that CPU to the answers that can still make it.

Framework-free: the gateway adapter and an HTTP interactions endpoint both use it.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

DISCORD_EPOCH_MS = 1_420_070_400_000
RESPONSE_WINDOW = 3.0  # seconds Discord waits for the first response (its documented interaction rule)
# An answer is started only this long after creation: the rest of the window is for the callback itself, whose
# round trip under a burst of 6,000 stayed below 0.3 s at p99 in bench/load_bench.py; 0.5 s leaves room for a
# slower network to Discord than the loopback of the benchmark.
START_BY = RESPONSE_WINDOW - 0.5
# This host's clock and Discord's differ by some amount (NTP keeps it small, a VM without it may not): the
# smallest age seen over this long is taken as that difference. An interaction is seldom seen less than ~50 ms
# after its creation, so the estimate errs on the young side, never dropping an answer that had time.
CLOCK_MEMORY_S = 600.0
_BUCKET_S = 30.0


def created_at(snowflake: int) -> float:
    """The Unix time (s) a snowflake was minted."""
    return (DISCORD_EPOCH_MS + (snowflake >> 22)) / 1000


@dataclass
class InteractionClock:
    """Ages of interactions, corrected for the difference between this host's clock and Discord's."""

    _minima: deque[tuple[float, float]] = field(default_factory=deque)  # (bucket start, smallest raw age in it)

    def age(self, snowflake: int, now: float | None = None) -> float:
        """Seconds since Discord created the interaction, as well as this host can tell (≥ 0)."""
        now = time.time() if now is None else now
        raw = now - created_at(snowflake)
        self._remember(raw, now)
        offset = min(m for _, m in self._minima)
        return max(0.0, raw - offset)

    def can_start(self, snowflake: int, now: float | None = None) -> bool:
        return self.age(snowflake, now) <= START_BY

    def _remember(self, raw: float, now: float) -> None:
        minima = self._minima
        if minima and now - minima[-1][0] < _BUCKET_S:
            if raw < minima[-1][1]:
                minima[-1] = (minima[-1][0], raw)
        else:
            minima.append((now, raw))
        while len(minima) > 1 and now - minima[0][0] > CLOCK_MEMORY_S:
            minima.popleft()


@dataclass
class Counters:
    """What happened to interactions that were not answered normally; logged as one line a minute."""

    too_old: int = 0  # let go before any work: it could no longer be answered in time
    refused_late: int = 0  # answered, but Discord said Unknown interaction (10062)
    queue_full: int = 0  # let go because the queue of unanswered interactions was full
    failed: int = 0  # the callback failed otherwise (one log line each)

    def total(self) -> int:
        return self.too_old + self.refused_late + self.queue_full + self.failed

    def take(self) -> Counters:
        """The counts so far, and zero them."""
        taken = Counters(self.too_old, self.refused_late, self.queue_full, self.failed)
        self.too_old = self.refused_late = self.queue_full = self.failed = 0
        return taken
