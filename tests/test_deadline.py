"""bot/deadline.py: how old an interaction is, whatever this host's clock says."""

from __future__ import annotations

from bot.deadline import DISCORD_EPOCH_MS, START_BY, InteractionClock, created_at


def minted(at: float) -> int:
    """A snowflake Discord would mint at Unix time `at`."""
    return int(at * 1000 - DISCORD_EPOCH_MS) << 22


def test_created_at_reads_the_snowflake() -> None:
    assert abs(created_at(minted(1_800_000_000.25)) - 1_800_000_000.25) < 0.002


def test_ages_on_a_host_whose_clock_is_right() -> None:
    clock = InteractionClock()
    assert clock.age(minted(1000.0), now=1000.05) < 0.1
    assert clock.can_start(minted(1000.0), now=1001.0)
    assert not clock.can_start(minted(1000.0), now=1000.0 + START_BY + 0.2)


def test_a_host_clock_100_s_ahead_or_behind_does_not_make_everything_too_old() -> None:
    for skew in (100.0, -100.0):
        clock = InteractionClock()
        # a fresh interaction seen 50 ms after its creation, on a skewed host clock
        assert clock.can_start(minted(5000.0), now=5000.05 + skew)
        assert clock.can_start(minted(5001.0), now=5001.05 + skew)
        # one that really waited 4 s is too old, skew or not
        assert not clock.can_start(minted(5002.0), now=5006.05 + skew)


def test_the_clock_difference_is_forgotten_after_a_while() -> None:
    clock = InteractionClock()
    clock.age(minted(0.0), now=-50.0)  # once, the host clock seemed 50 s behind
    # ten minutes later the clock is right again: a 4 s old interaction is too old, not "46 s young"
    for t in range(1, 30):
        clock.age(minted(t * 30.0), now=t * 30.0 + 0.05)
    assert not clock.can_start(minted(900.0), now=904.0)
