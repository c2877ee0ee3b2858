"""Prometheus metrics of the gateway bot (`statusbot run`, on STATUSBOT_METRICS_PORT when it is set).

Counted where it happens (bot.adapters.discord.app); read by Prometheus in its text format from a small aiohttp
server beside the bot. Its own registry, so two bots in one test process do not share counters.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

OUTCOMES = ("answered", "dropped_too_old", "dropped_queue_full", "refused_late", "failed")


class BotMetrics:
    def __init__(self, latency: Callable[[], float], shards: Callable[[], int]) -> None:
        self.registry = CollectorRegistry()
        self.interactions = Counter("statusbot_interactions", "Interactions by kind and outcome",
                                    ("kind", "outcome"), registry=self.registry)
        self.answer_seconds = Histogram(
            "statusbot_answer_seconds", "From the interaction's creation (its snowflake) to the answer sent",
            buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0), registry=self.registry)
        self.resolve_seconds = Histogram(
            "statusbot_resolve_seconds", "Time to resolve one question",
            buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05), registry=self.registry)
        self.answers = Counter("statusbot_answers", "Answers by the class of their first code", ("cls",),
                               registry=self.registry)
        self.database_errors = Counter("statusbot_database_errors", "Settings writes the database refused",
                                       registry=self.registry)
        gateway = Gauge("statusbot_gateway_latency_seconds", "Heartbeat latency of the gateway",
                        registry=self.registry)
        gateway.set_function(lambda: latency() if latency() == latency() else 0.0)  # (NaN before the first beat)
        connected = Gauge("statusbot_shards_connected", "Gateway shards connected", registry=self.registry)
        connected.set_function(lambda: float(shards()))
