from __future__ import annotations

import dataclasses
import json

import pytest
from jsonschema import Draft202012Validator

from analyzer.errors import PlanError
from analyzer.export.plan_json import (
    plan_from_dict,
    plan_schema,
    plan_to_dict,
    read_plan,
    render_json,
    write_json,
)

CONTRACT_TOP = ["schema_version", "tool", "source", "services", "boundaries", "metrics", "waves"]


def test_top_level_follows_the_contract_with_extras_after(plan):
    data = plan_to_dict(plan)
    assert list(data)[:7] == CONTRACT_TOP
    assert data["schema_version"] == 1
    assert data["tool"] == {"name": "strangler", "version": "0.1.0"}
    assert list(data)[7:] == ["data", "data_boundaries", "limits", "notes", "risks"]  # beyond the contract, by name
    assert data["limits"][0]["key"] == "lambda.timeout"
    assert set(data["source"]) == {"root", "files_analyzed", "loc", "skipped", "excluded", "import_roots"}
    assert data["source"]["skipped"][0] == {"path": "shop/generated/big.py",
                                            "reason": "larger than 2000000 bytes: treated as generated"}


def test_services_carry_contract_fields_and_the_kernel_has_no_target(plan):
    services = {s["name"]: s for s in plan_to_dict(plan)["services"]}
    orders = services["orders"]
    assert list(orders)[:7] == ["name", "kind", "modules", "loc", "tables", "entry_points", "target"]
    assert orders["entry_points"][0] == {"kind": "http", "detail": "POST /orders",
                                         "path": "shop/api/orders.py", "line": 12}
    assert orders["target"]["compute"] == "lambda"
    reason = orders["target"]["reasons"][0]
    assert set(reason) == {"rule", "detail", "evidence"}
    assert reason["evidence"] == [{"path": "shop/api/orders.py", "line": 12},
                                  {"path": "shop/api/orders.py", "line": 30}]
    assert list(orders)[7:] == ["effort", "module_loc", "placement", "risk", "tables_shared", "triggers", "why"]
    assert orders["risk"]["level"] == "medium"
    assert "target" not in services["shared-kernel"]
    assert services["shared-kernel"]["kind"] == "shared"
    assert [s["name"] for s in plan_to_dict(plan)["services"]][-1] == "shared-kernel"


def test_boundaries_and_calls_are_sorted_and_complete(plan):
    boundaries = plan_to_dict(plan)["boundaries"]
    keys = [(b["source"], b["target"]) for b in boundaries]
    assert keys == sorted(keys)
    report = next(b for b in boundaries if (b["source"], b["target"]) == ("reporting", "orders"))
    assert [c["line"] for c in report["calls"]] == [22, 50]
    assert set(report["calls"][0]) == {"caller", "callee", "path", "line", "style", "channel", "reasons"}
    assert report["payload_warnings"][0]["argument"] == "rows"
    assert all("payload_warnings" not in b for b in boundaries if b is not report)


def test_floats_are_rounded_to_four_places(plan):
    data = plan_to_dict(plan)
    assert data["metrics"] == {"modularity": 0.4123, "sm": 0.3, "icp": 0.125, "ifn": 1.6667, "ned": 0.0}


def test_keys_a_newer_version_added_are_ignored_when_read(plan):
    data = plan_to_dict(plan)
    data["review"] = {"by": "someone"}
    data["services"][0]["decision"] = "keep"
    data["services"][0]["risk"]["trend"] = "up"
    again = plan_from_dict(data)
    assert render_json(again) == render_json(plan)


def test_a_shape_the_writer_never_produces_is_refused(plan):
    data = plan_to_dict(plan)
    data["services"][0]["effort"] = "S"
    with pytest.raises(PlanError, match=r"plan\.services\[0\]\.effort"):
        plan_from_dict(data)


def test_render_is_byte_stable_indented_and_ends_with_newline(plan):
    first = render_json(plan)
    reordered = dataclasses.replace(plan, services=tuple(reversed(plan.services)),
                                    boundaries=tuple(reversed(plan.boundaries)))
    assert render_json(reordered) == first
    assert first == render_json(plan)
    assert first.endswith("}\n")
    assert first.startswith('{\n  "schema_version": 1,')


def test_output_validates_against_the_published_schema(plan):
    Draft202012Validator.check_schema(plan_schema())
    errors = list(Draft202012Validator(plan_schema()).iter_errors(json.loads(render_json(plan))))
    assert errors == []


def test_schema_rejects_a_target_on_the_shared_kernel(plan):
    data = plan_to_dict(plan)
    data["services"][-1]["target"] = {"compute": "lambda", "confidence": 1.0, "reasons": []}
    assert list(Draft202012Validator(plan_schema()).iter_errors(data))


def test_round_trip_gives_the_same_plan_and_bytes(plan, tmp_path):
    path = write_json(plan, tmp_path / "plan.json")
    again = read_plan(path)
    assert render_json(again) == render_json(plan)
    assert again.services[0].name == "notifications"
    assert again.services[-1].target is None
    assert [limit.key for limit in again.limits] == ["lambda.timeout", "lambda.memory.max"]
    assert again.boundaries[-1].calls[0].reasons == ("return value used", "called in a loop")


def test_wrong_schema_version_is_one_clear_sentence(plan, tmp_path):
    data = plan_to_dict(plan)
    data["schema_version"] = 2
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    with pytest.raises(PlanError, match=r"schema_version 2 but this strangler reads schema_version 1"):
        read_plan(path)


@pytest.mark.parametrize("mutate, where", [
    (lambda d: d["services"][0].pop("name"), "plan.services[0]"),
    (lambda d: d["boundaries"][0].update(channel="carrier-pigeon"), "plan.boundaries[0].channel"),
    (lambda d: d["services"][0]["target"].update(compute="gpu"), "plan.services[0].target.compute"),
])
def test_malformed_plan_names_the_broken_field(plan, tmp_path, mutate, where):
    data = plan_to_dict(plan)
    mutate(data)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    with pytest.raises(PlanError) as caught:
        read_plan(path)
    assert where in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unreadable_files_raise_plan_error(tmp_path):
    with pytest.raises(PlanError, match="does not exist"):
        read_plan(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": 1,')
    with pytest.raises(PlanError, match="is not valid JSON"):
        read_plan(broken)
    listed = tmp_path / "list.json"
    listed.write_text("[]")
    with pytest.raises(PlanError, match="expected a JSON object"):
        plan_from_dict(json.loads(listed.read_text()))
