"""Fit the model that tells a line naming a status from a question about it (bot/resolver/chat_model.json).

    python bench/fit_chat.py [bench/training/*.jsonl]

Only bench/training/ is read (no evaluation set). The lines used are those the model is asked about: lines the
resolver answers from a bare status number or class that Resolver.reaches_chat_model lets through (three words
or more, no question word, not a machine's text), and those it answers from a status's name or error message
that Resolver.named_chat_text masks as a number. A
line is a question when its `expect` is not null.

1. Features as bot/resolver/chat.py makes them; a feature seen in fewer than MIN_COUNT lines is dropped.
2. L2-regularised logistic regression by gradient descent (numpy), its strength chosen by 5-fold
   cross-validated log loss.
3. The threshold on the probability of asking: on the out-of-fold probabilities, the one that costs least when
   answering a line of chat costs CHAT_COST missed questions (a missed question still gets the code offered as a
   suggestion; an answer to chat is the bot speaking up about nothing), with the lines weighted as if chat were
   CHAT_SHARE of the lines that name a status.
It prints the cross-validated accuracy per category at that threshold and writes the model with the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import msgspec
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fit_ranker import FOLDS, stratified_folds  # noqa: E402  (the same folds, stratified by question/chat)

from bot.registry import get_registry  # noqa: E402
from bot.resolver.chat import MODEL_PATH, ChatModel, ChatReader, features  # noqa: E402
from bot.resolver.extract import find_codes  # noqa: E402
from bot.resolver.query import Query  # noqa: E402
from bot.resolver.resolve import _CLASS, Resolver  # noqa: E402

MIN_COUNT = 2
CHAT_COST = 3.0
# In the question sets written for this project by authors who never saw it, chat is about a tenth of the lines
# and a line of chat names a status far less often than a question does; among lines that name one, chat is
# taken to be a fifth.
CHAT_SHARE = 0.2
STRENGTHS = (0.03, 0.1, 0.3, 1.0, 3.0)


def asked_lines(paths: list[Path]) -> list[dict]:
    """The training lines the model will be asked about, as the resolver meets them."""
    resolver = Resolver(get_registry())
    resolver._chat = ChatReader(ChatModel())  # no model: see what reaches it
    cut = _CLASS  # the resolver reads a class out of the text before its numbers
    out = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            text = row["q"]
            answer = resolver.resolve(text)
            number_text = cut.sub(" ", text)
            if answer.kind in ("code", "class", "compare") and answer.evidence in ("number", "stated") \
                    and resolver.reaches_chat_model(text, Query.of(text), number_text, find_codes(number_text)):
                # (the features are read from the text as the resolver reads it)
                out.append({"q": resolver.prepared(text), "asks": row["expect"] is not None, "cat": row.get("cat", "")})
            elif answer.kind == "code" and answer.evidence in ("name", "signature") and (
                    masked := resolver.named_chat_text(text, prepared := resolver.prepared(text), Query.of(prepared),
                                                       answer.codes[0])) is not None:
                # a status named by its name or its error message, masked as a number (see Resolver._resolve)
                out.append({"q": masked, "asks": row["expect"] is not None, "cat": row.get("cat", ""), "named": True})
    return out


def design(rows: list[dict], vocabulary: dict[str, int] | None = None) -> tuple[np.ndarray, dict[str, int]]:
    found = [list(dict.fromkeys(features(r["q"], r.get("named", False)))) for r in rows]
    if vocabulary is None:
        counts = Counter(f for fs in found for f in fs)
        vocabulary = {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= MIN_COUNT))}
    x = np.zeros((len(rows), len(vocabulary)), dtype=np.float64)
    for i, fs in enumerate(found):
        for f in fs:
            if (j := vocabulary.get(f)) is not None:
                x[i, j] = 1.0
    return x, vocabulary


def fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray, strength: float) -> tuple[np.ndarray, float]:
    """Weighted logistic regression, L2 on the weights (not the bias), by gradient descent with momentum."""
    w = np.zeros(x.shape[1])
    b = 0.0
    vw, vb = np.zeros_like(w), 0.0
    total = weight.sum()
    for _ in range(1500):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        g = weight * (p - y)
        gw = x.T @ g / total + strength * w / total
        gb = g.sum() / total
        vw = 0.9 * vw - 2.0 * gw
        vb = 0.9 * vb - 2.0 * gb
        w += vw
        b += vb
    return w, b


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="*", type=Path)
    a = ap.parse_args()
    paths = a.paths or sorted((ROOT / "bench" / "training").glob("*.jsonl"))
    rows = asked_lines(paths)
    y = np.array([1.0 if r["asks"] else 0.0 for r in rows])
    chat = int((y == 0).sum())
    asks = len(rows) - chat
    # weights that make chat CHAT_SHARE of the lines
    weight = np.where(y == 0, CHAT_SHARE / max(chat, 1), (1 - CHAT_SHARE) / max(asks, 1)) * len(rows)
    print(f"{len(rows)} training lines name a status: {asks} questions, {chat} chat")
    fold = stratified_folds(rows, key=lambda row: row["asks"], seed=7)

    best: tuple[float, float, np.ndarray] | None = None
    for strength in STRENGTHS:
        out_of_fold = np.zeros(len(rows))
        for k in range(FOLDS):
            train = [i for i in range(len(rows)) if fold[i] != k]
            test = [i for i in range(len(rows)) if fold[i] == k]
            x_train, vocabulary = design([rows[i] for i in train])
            x_test, _ = design([rows[i] for i in test], vocabulary)
            w, b = fit(x_train, y[train], weight[train], strength)
            out_of_fold[test] = 1 / (1 + np.exp(-(x_test @ w + b)))
        p = np.clip(out_of_fold, 1e-6, 1 - 1e-6)
        loss = float(-(weight * (y * np.log(p) + (1 - y) * np.log(1 - p))).sum() / weight.sum())
        print(f"  L2 {strength}: cross-validated log loss {loss:.3f}")
        if best is None or loss < best[0]:
            best = (loss, strength, out_of_fold)
    assert best is not None
    _, strength, out_of_fold = best

    def cost(threshold: float) -> float:
        answered_chat = ((out_of_fold >= threshold) & (y == 0)) * weight
        missed = ((out_of_fold < threshold) & (y == 1)) * weight
        return float(CHAT_COST * answered_chat.sum() + missed.sum())

    threshold = min((t / 100 for t in range(5, 96)), key=lambda t: (cost(t), abs(t - 0.5)))
    right = (out_of_fold >= threshold) == (y == 1)
    figures: dict[str, float] = {}
    for cat in sorted({r["cat"] for r in rows}):
        members = [i for i, r in enumerate(rows) if r["cat"] == cat]
        figures[cat] = round(float(right[members].mean()), 3)
    figures["questions answered"] = round(float(right[y == 1].mean()), 3)
    figures["chat left alone"] = round(float(right[y == 0].mean()), 3)
    print(f"L2 {strength}, threshold {threshold:.2f}: cross-validated {figures}")

    x, vocabulary = design(rows)
    w, b = fit(x, y, weight, strength)
    weights = {f: round(float(w[j]), 4) for f, j in vocabulary.items() if abs(w[j]) >= 1e-4}
    model = ChatModel(weights=weights, bias=round(float(b), 4), threshold=threshold,
                      fitted_on=f"{', '.join(p.name for p in paths)} ({len(rows)} lines naming a status)",
                      cross_validated=figures)
    MODEL_PATH.write_bytes(msgspec.json.format(msgspec.json.encode(model), indent=1) + b"\n")
    print(f"wrote {MODEL_PATH.relative_to(ROOT)}: {len(weights)} weights")


if __name__ == "__main__":
    main()
