"""Scoring a proposed decomposition against a sample's ground truth (no sklearn)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from math import comb


def adjusted_rand_index(labels_true: Sequence[Hashable], labels_pred: Sequence[Hashable]) -> float:
    """Hubert & Arabie (1985) ARI from the contingency table n_ij of the two labelings:

    (Σ C(n_ij,2) − E) / (½(Σ C(a_i,2) + Σ C(b_j,2)) − E),  E = Σ C(a_i,2) · Σ C(b_j,2) / C(n,2).
    Identical labelings score 1 (also when the denominator vanishes), chance scores about 0.
    """
    if len(labels_true) != len(labels_pred):
        raise ValueError("both labelings must cover the same items")
    n = len(labels_true)
    contingency = Counter(zip(labels_true, labels_pred, strict=True))
    rows = Counter(labels_true)
    columns = Counter(labels_pred)
    index = sum(comb(c, 2) for c in contingency.values())
    sum_rows = sum(comb(c, 2) for c in rows.values())
    sum_columns = sum(comb(c, 2) for c in columns.values())
    pairs = comb(n, 2)
    expected = sum_rows * sum_columns / pairs if pairs else 0.0
    maximum = (sum_rows + sum_columns) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


def score_against_truth(assignment: Mapping[str, str], truth: Mapping) -> tuple[float, float]:
    """(ARI over the ground truth's non-shared modules, share of ground-truth shared modules
    the decomposition put in its shared kernel)."""
    shared = set(truth.get("shared", ()))
    modules = sorted(m for m in truth["modules"] if m not in shared and m in assignment)
    ari = adjusted_rand_index([truth["modules"][m] for m in modules], [assignment[m] for m in modules])
    recall = sum(assignment.get(m) == "shared-kernel" for m in shared) / len(shared) if shared else 1.0
    return ari, recall
