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


def test_every_cross_service_foreign_key_of_the_clinic_is_a_data_boundary_with_its_pattern():
    plan = analyzed("clinic", pinned=False)
    links = {(b.source, b.target, link.path, link.line): b.pattern
             for b in plan.data_boundaries for link in b.links if link.kind == "relation"}
    for fk in truth_of("clinic")["foreign_keys"]:
        key = (fk["source"], fk["target"], fk["path"], fk["line"])
        assert key in links, f"foreign key {key} is not a data boundary"
        assert links[key] in ("read-model", "transitional-join", "owner-api", "sync-lookup")
    by_pair = {(b.source, b.target): b for b in plan.data_boundaries}
    assert by_pair[("billing", "patients")].pattern == "transitional-join"  # its SQL joins invoices and patients
    assert by_pair[("insurance", "patients")].pattern == "read-model"
