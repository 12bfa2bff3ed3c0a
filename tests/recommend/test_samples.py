"""Floors on the bundled samples, scored against their ground_truth.json.

The real pipeline (scan → graph → decompose → recommend) must reach: boundary accuracy ≥ 90%,
compute-target accuracy 100%, no type-only edge reported as a call, and every path:line in the
plan present in the analyzed tree. The same floors with the ground-truth clusters pinned
(options.assign/shared) isolate the recommend stage from the clustering.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from plan_scoring import boundary_accuracy, missing_evidence, target_accuracy, type_only_reported

from analyzer.model import Plan
from analyzer.options import AnalysisOptions

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
NAMES = ("shop", "clinic")
BOUNDARY_FLOOR = 0.90


def truth_of(name: str) -> dict:
    path = SAMPLES / name / "ground_truth.json"
    if not path.is_file():
        pytest.skip(f"samples/{name} has no ground_truth.json yet")
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def analyzed(name: str, pinned: bool) -> Plan:
    from analyzer.pipeline import analyze

    options = AnalysisOptions(cache=False)
    if pinned:
        truth = json.loads((SAMPLES / name / "ground_truth.json").read_text(encoding="utf-8"))
        shared = tuple(truth.get("shared", ()))
        options = options.replace(shared=shared, assign={m: d for m, d in truth["modules"].items() if m not in shared})
    return analyze(SAMPLES / name, options)


@pytest.mark.parametrize("pinned", [False, True], ids=["pipeline", "pinned-clusters"])
@pytest.mark.parametrize("name", NAMES)
def test_boundary_accuracy_floor(name, pinned):
    truth = truth_of(name)
    accuracy, failures = boundary_accuracy(analyzed(name, pinned), truth)
    assert accuracy >= BOUNDARY_FLOOR, f"{accuracy:.1%} < {BOUNDARY_FLOOR:.0%}:\n" + "\n".join(failures)


@pytest.mark.parametrize("pinned", [False, True], ids=["pipeline", "pinned-clusters"])
@pytest.mark.parametrize("name", NAMES)
def test_compute_targets_all_correct(name, pinned):
    truth = truth_of(name)
    accuracy, failures = target_accuracy(analyzed(name, pinned), truth)
    assert accuracy == 1.0, "\n".join(failures)


@pytest.mark.parametrize("name", NAMES)
def test_no_type_only_edge_is_reported_as_a_call(name):
    truth = truth_of(name)
    assert type_only_reported(analyzed(name, False), truth) == []
    assert type_only_reported(analyzed(name, True), truth) == []


@pytest.mark.parametrize("name", NAMES)
def test_every_cited_path_and_line_exists_in_the_sample(name):
    truth_of(name)
    plan = analyzed(name, False)
    assert plan.boundaries and any(s.target and s.target.reasons for s in plan.services)
    assert missing_evidence(plan, SAMPLES / name) == []
