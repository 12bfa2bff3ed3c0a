"""Decomposition metrics on hand-computed examples."""

import pytest

from analyzer.decompose.metrics import (
    inter_partition_call_percentage,
    interface_number,
    non_extreme_distribution,
    per_service_structure,
    structural_modularity,
)
from analyzer.model import CallSite


def call(caller: str, *callees: str) -> CallSite:
    return CallSite(caller, callees, callees[0], "x.py", 1)


SERVICES = [["a", "b"], ["c", "d"]]
DEPENDENCIES = [("a", "b"), ("c", "d"), ("b", "c")]


def test_structural_modularity_is_mean_cohesion_minus_mean_coupling():
    # scoh = 1/2² for both services; scop = 1 / (2·2·2); one pair of services
    assert structural_modularity(SERVICES, DEPENDENCIES) == pytest.approx(0.25 - 0.125)
    assert per_service_structure(SERVICES, DEPENDENCIES) == [(0.25, 0.125), (0.25, 0.125)]


def test_a_single_service_has_no_coupling_term():
    assert structural_modularity([["a", "b"]], [("a", "b"), ("b", "a")]) == pytest.approx(0.5)


FUNCTIONS = {"a.f": "s1", "a.g": "s1", "b.h": "s2", "b.k": "s2"}
MODULES = {"a": "s1", "b": "s2"}


def test_icp_is_the_share_of_call_sites_crossing_services():
    calls = [call("a.f", "a.g"), call("a.g", "a.f"), call("b.h", "b.k"), call("a.f", "b.h"),
             call("a.f", "requests.post"), call("shared.x", "a.f")]
    assert inter_partition_call_percentage(calls, FUNCTIONS, MODULES) == pytest.approx(1 / 4)


def test_icp_splits_a_call_with_several_candidate_callees():
    calls = [call("a.f", "a.g", "b.h")]
    assert inter_partition_call_percentage(calls, FUNCTIONS, MODULES) == pytest.approx(0.5)


def test_ifn_counts_functions_called_from_other_services():
    calls = [call("a.f", "b.h"), call("a.g", "b.h"), call("a.g", "b.k"), call("b.h", "b.k")]
    assert interface_number(calls, FUNCTIONS, MODULES, ["s1", "s2"]) == pytest.approx((0 + 2) / 2)


def test_ned_is_the_share_of_members_in_services_of_reasonable_size():
    assert non_extreme_distribution([5, 20, 2, 30]) == pytest.approx(25 / 57)
    assert non_extreme_distribution([]) == 0.0
