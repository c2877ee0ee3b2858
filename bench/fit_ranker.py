"""Fit the description ranker's model (bot/resolver/model.json) on the training questions.

    python bench/fit_ranker.py [bench/training/*.jsonl] [--quick]

What is fitted, on bench/training/ only (no evaluation set is ever read here):
1. BM25F's field weights and k1, by coordinate search on 5-fold cross-validated accuracy;
2. for each setting, the linear model that weighs each candidate's features against "no answer": a
   conditional logit (softmax over the candidates and "no answer"), by gradient descent with L2;
3. abstention: a shift of "no answer"'s bias, chosen on a held-out validation split (a fifth of the questions,
   stratified by category) so that a wrong answer costs twice a missed one: in a team channel a confident
   wrong code does more harm than "not sure".
It prints the cross-validated accuracy per category and writes model.json with the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import msgspec
import numpy as np
from msgspec.structs import replace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.registry import get_registry  # noqa: E402
from bot.resolver.ranker import (  # noqa: E402
    FEATURES,
    FIELDS,
    MODEL_PATH,
    QUERY_FEATURES,
    ModelFile,
    Ranker,
    default_model,
    load_counts,
)
from bot.resolver.resolve import Resolver  # noqa: E402

WRONG_COST = 2.0  # a wrong answer costs this many missed answers (see the module's docstring)
CHAT_COST = 4.0  # and an answer to a line that asked nothing costs this many: the bot spoke up uninvited
L2 = 0.01
FOLDS = 5
SEED = 20261202


def features(rows_in: list[dict], ranker: Ranker) -> list[dict]:
    """For each question that reaches the ranker: its candidates' features and the index of the expected
    answer among [no answer, candidates...] (0 when the expected code is no candidate, or expect is null)."""
    resolver = Resolver(get_registry())
    resolver._ranker = ranker
    out = []
    for row in rows_in:
        resolver.last_rows = None
        answer = resolver.resolve(row["q"])
        seen = resolver.last_rows
        if seen is None or not seen[0]:
            out.append({"row": row, "front": answer})
            continue
        candidates, query_row = seen
        codes = [code for code, _ in candidates]
        target = codes.index(row["expect"]) + 1 if row["expect"] in codes else 0
        out.append({"row": row, "X": np.array([f for _, f in candidates], dtype=float).reshape(-1, len(FEATURES)),
                    "z": np.array(query_row, dtype=float), "codes": codes, "target": target})
    return out


def fit_logit(items: list[dict], steps: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """Weights for candidate features (w) and query features (v) maximising the log-likelihood of the targets."""
    w = np.zeros(len(FEATURES))
    v = np.zeros(len(QUERY_FEATURES))
    if not items:
        return w, v
    width = max(len(it["codes"]) for it in items)
    n = len(items)
    X = np.zeros((n, width, len(FEATURES)))
    mask = np.full((n, width), -1e9)
    Z = np.stack([it["z"] for it in items])
    t = np.array([it["target"] for it in items])
    for i, it in enumerate(items):
        k = len(it["codes"])
        X[i, :k] = it["X"]
        mask[i, :k] = 0.0
    m_w, s_w, m_v, s_v = (np.zeros_like(w), np.zeros_like(w), np.zeros_like(v), np.zeros_like(v))
    rate, b1, b2 = 0.05, 0.9, 0.999
    for step in range(1, steps + 1):
        u = np.concatenate([(Z @ v)[:, None], X @ w + mask], axis=1)
        u -= u.max(axis=1, keepdims=True)
        p = np.exp(u)
        p /= p.sum(axis=1, keepdims=True)
        y = np.zeros_like(p)
        y[np.arange(n), t] = 1.0
        d = (p - y) / n
        g_v = Z.T @ d[:, 0] + L2 * v
        g_w = np.einsum("nk,nkf->f", d[:, 1:], X) + L2 * w
        for g, m, s, x in ((g_w, m_w, s_w, w), (g_v, m_v, s_v, v)):
            m[:] = b1 * m + (1 - b1) * g
            s[:] = b2 * s + (1 - b2) * g * g
            x -= rate * (m / (1 - b1 ** step)) / (np.sqrt(s / (1 - b2 ** step)) + 1e-8)
    return w, v


def decide(it: dict, w: np.ndarray, v: np.ndarray, shift: float = 0.0) -> int | None:
    none = float(it["z"] @ v) + shift
    u = it["X"] @ w
    best = int(np.argmax(u))
    return it["codes"][best] if u[best] > none else None


def correct(row: dict, answer: int | None) -> bool:
    return answer == row["expect"]


def front_answer(it: dict) -> int | None:
    a = it["front"]
    return a.codes[0] if a.kind == "code" and a.codes else None


def front_correct(it: dict) -> bool:
    a = it["front"]
    expect = it["row"]["expect"]
    if isinstance(expect, list):
        return a.kind == "compare" and sorted(a.codes) == sorted(expect)
    if expect is None:
        return a.kind == "none"
    return a.kind == "code" and bool(a.codes) and a.codes[0] == expect


def cross_validate(items: list[dict], folds: list[int]) -> tuple[float, dict[str, list[int]]]:
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for k in range(FOLDS):
        train = [it for it, f in zip(items, folds, strict=True) if f != k and "X" in it]
        w, v = fit_logit(train)
        for it, f in zip(items, folds, strict=True):
            if f != k:
                continue
            ok = front_correct(it) if "X" not in it else correct(it["row"], decide(it, w, v))
            cat = it["row"].get("cat", "all")
            per[cat][0] += ok
            per[cat][1] += 1
    total = sum(v[0] for v in per.values()) / max(1, sum(v[1] for v in per.values()))
    return total, per


def stratified_folds(rows: list[dict]) -> list[int]:
    rng = random.Random(SEED)
    by_cat: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_cat[row.get("cat", "all")].append(i)
    folds = [0] * len(rows)
    for indices in by_cat.values():
        rng.shuffle(indices)
        for j, i in enumerate(indices):
            folds[i] = j % FOLDS
    return folds


def evaluate(model: ModelFile, rows: list[dict], folds: list[int], counts) -> tuple[float, dict, list[dict]]:  # type: ignore[no-untyped-def]
    ranker = Ranker.build(counts, model)
    items = features(rows, ranker)
    score, per = cross_validate(items, folds)
    return score, per, items


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", type=Path,
                        default=sorted((ROOT / "bench" / "training").glob("*.jsonl")))
    parser.add_argument("--quick", action="store_true", help="no search over field weights")
    args = parser.parse_args()
    rows = [json.loads(line) for f in args.files for line in f.open(encoding="utf-8") if line.strip()]
    rows = [r for r in rows if not isinstance(r["expect"], (list, dict, str))]
    if not rows:
        sys.exit("no training questions")
    folds = stratified_folds(rows)
    counts = load_counts(get_registry())
    start = time.perf_counter()
    model = default_model()
    if args.quick and MODEL_PATH.exists():  # keep the field weights of the last full search
        last = msgspec.json.decode(MODEL_PATH.read_bytes(), type=ModelFile)
        model = replace(model, field_weights=last.field_weights, field_b=last.field_b, k1=last.k1)
    best, per, items = evaluate(model, rows, folds, counts)
    print(f"start: cross-validated {best:.3f}")
    if not args.quick:
        grid = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)
        for _ in range(2):
            for name in FIELDS:
                for value in grid:
                    if value == model.field_weights[name]:
                        continue
                    trial = replace(model, field_weights={**model.field_weights, name: value})
                    score, trial_per, trial_items = evaluate(trial, rows, folds, counts)
                    if score > best + 1e-9:
                        best, per, items, model = score, trial_per, trial_items, trial
                        print(f"  {name}={value}: {best:.3f}")
            for k1 in (0.6, 0.9, 1.2, 1.6, 2.4):
                trial = replace(model, k1=k1)
                score, trial_per, trial_items = evaluate(trial, rows, folds, counts)
                if score > best + 1e-9:
                    best, per, items, model = score, trial_per, trial_items, trial
                    print(f"  k1={k1}: {best:.3f}")
    # The final weights: fitted on four fifths, "no answer" shifted on the fifth left out, then refitted on all
    # with that shift kept.
    fit_items = [it for it, f in zip(items, folds, strict=True) if f != 0 and "X" in it]
    valid = [it for it, f in zip(items, folds, strict=True) if f == 0 and "X" in it]
    w, v = fit_logit(fit_items)

    def cost(shift: float) -> float:
        total = 0.0
        for it in valid:
            answer = decide(it, w, v, shift)
            if answer != it["row"]["expect"]:
                total += 1.0 if answer is None else CHAT_COST if it["row"]["expect"] is None else WRONG_COST
        return total

    shift = min((s / 4 for s in range(-12, 13)), key=lambda s: (cost(s), abs(s)))
    shifted_cost, unshifted_cost = cost(shift), cost(0.0)
    w, v = fit_logit([it for it in items if "X" in it], steps=1200)
    v[QUERY_FEATURES.index("bias")] += shift
    report = {cat: round(ok / n, 3) for cat, (ok, n) in sorted(per.items())}
    report["all"] = round(best, 3)
    final = ModelFile(field_weights=model.field_weights, field_b=model.field_b, k1=model.k1,
                      weights={f: round(float(x), 4) for f, x in zip(FEATURES, w, strict=True)},
                      none_weights={f: round(float(x), 4) for f, x in zip(QUERY_FEATURES, v, strict=True)},
                      fitted_on=", ".join(_shown(p) for p in args.files) + f" ({len(rows)} questions)",
                      cross_validated=report)
    MODEL_PATH.write_bytes(msgspec.json.format(msgspec.json.encode(final), indent=2) + b"\n")
    print(f"abstention shift {shift:+.2f} (validation cost {shifted_cost:.0f} vs {unshifted_cost:.0f} unshifted)")
    print("cross-validated accuracy:", json.dumps(report))
    print(f"wrote {MODEL_PATH.relative_to(ROOT)} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
