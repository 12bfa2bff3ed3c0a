"""What runtime evidence changes in a plan, on the layered fixture (no apps: module-level Louvain)."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from runtime_fixtures import LAYERED, hot_trace, otlp_json

from analyzer.export import views
from analyzer.export.diagrams import render_dot
from analyzer.export.markdown import render_markdown
from analyzer.export.plan_json import plan_from_dict, plan_to_dict, render_json, validate_plan_dict
from analyzer.export.xlsx import render_xlsx
from analyzer.options import AnalysisOptions
from analyzer.pipeline import analyze, build, load_evidence, plan_from_graph
from analyzer.ui.servicemap import service_map_dot

OPTIONS = AnalysisOptions(cache=False)


def service_of(plan, module: str) -> str:
    return next(s.name for s in plan.services if module in s.modules)


@pytest.fixture(scope="module")
def static_plan():
    return analyze(LAYERED, OPTIONS)


@pytest.fixture(scope="module")
def runtime_plan(recording):
    return analyze(LAYERED, OPTIONS, runtime=load_evidence([recording]))


def test_the_fixture_is_clustered_module_by_module(static_plan):
    placements = [why for s in static_plan.services for why in s.placement.values()]
    assert not any(why.startswith("app package") for why in placements)


def test_a_thousand_times_more_calls_keep_two_modules_together(static_plan, runtime_plan):
    # statically discounts sits with the order modules that call it, prices with the catalog
    assert service_of(static_plan, "pkg.orders.discounts") != service_of(static_plan, "pkg.catalog.prices")
    # at run time discounts calls prices 4,000 times, over 100x any other pair of modules
    assert service_of(runtime_plan, "pkg.orders.discounts") == service_of(runtime_plan, "pkg.catalog.prices")


def test_a_static_link_never_called_no_longer_holds_modules_together(static_plan, runtime_plan):
    # export calls products at two sites, but export ran 5 times and never took those branches
    assert service_of(static_plan, "pkg.catalog.export") == service_of(static_plan, "pkg.catalog.products")
    assert service_of(runtime_plan, "pkg.catalog.export") != service_of(runtime_plan, "pkg.catalog.products")
    (boundary,) = [b for b in runtime_plan.boundaries if any(c.caller.startswith("pkg.catalog.export") and
                                                             c.callee.startswith("pkg.catalog.products") for c in b.calls)]
    never = [c for c in boundary.calls if c.caller == "pkg.catalog.export.export_all"]
    assert never and all(c.observed.calls == 0 and c.observed.caller_runs == 5 for c in never)
    assert boundary.runtime.never_observed == len(never)
    assert "never observed (the caller ran 5 times)" in render_markdown(runtime_plan)


def test_a_call_static_analysis_missed_is_cited_where_it_was_observed(runtime_plan, recording):
    hidden = [(b, c) for b in runtime_plan.boundaries if b.runtime for c in b.runtime.observed_only]
    (boundary, call) = next((b, c) for b, c in hidden if c.callee == "pkg.catalog.search.lookup")
    assert call.caller == "pkg.orders.checkout.place"
    assert (call.observed.calls, call.observed.sources) == (10, (str(recording),))
    assert (call.path, call.line) == ("pkg/catalog/search.py", 12)
    assert runtime_plan.runtime.observed_only >= 1


def test_a_hot_synchronous_boundary_is_flagged_with_its_figures(tmp_path):
    trace = tmp_path / "trace.json"
    trace.write_text(otlp_json(lambda tracer: hot_trace(tracer, requests=3, per_request=12)), encoding="utf-8")
    # the reviewer keeps discounts with orders and prices with the catalog: a boundary on the hot path
    options = OPTIONS.replace(assign={"pkg.orders.discounts": "orders", "pkg.catalog.prices": "catalog"})
    plan = analyze(LAYERED, options, runtime=load_evidence([trace]))

    (boundary,) = [b for b in plan.boundaries if (b.source, b.target) == ("orders", "catalog")]
    (hot,) = boundary.runtime.hot_paths
    assert (hot.caller, hot.callee) == ("pkg.orders.discounts.price_for", "pkg.catalog.prices.base_price")
    assert (hot.observed.calls, hot.observed.caller_runs, hot.per_request) == (36, 3, 12.0)
    assert hot.remedy == "batch"  # the static call sits in a loop
    assert [(e.path, e.line) for e in hot.evidence] == [("pkg/orders/discounts.py", 12)]
    assert "12 network round trips per request once split" in hot.detail
    assert plan.runtime.hot_paths == 1
    assert "Hot synchronous paths" in render_markdown(plan)


def test_below_ten_calls_per_request_is_not_hot(tmp_path):
    trace = tmp_path / "trace.json"
    trace.write_text(otlp_json(lambda tracer: hot_trace(tracer, requests=3, per_request=9)), encoding="utf-8")
    options = OPTIONS.replace(assign={"pkg.orders.discounts": "orders", "pkg.catalog.prices": "catalog"})
    plan = analyze(LAYERED, options, runtime=load_evidence([trace]))
    assert plan.runtime.hot_paths == 0


def test_runtime_fields_round_trip_through_plan_json(runtime_plan):
    data = plan_to_dict(runtime_plan)
    validate_plan_dict(data)
    assert render_json(plan_from_dict(data)) == render_json(runtime_plan)
    assert plan_from_dict(data).runtime == runtime_plan.runtime
    assert any(link.calls_observed is not None
               for s in plan_from_dict(data).services for links in s.why.values() for link in links)
    assert data["runtime"]["calls_observed"] == runtime_plan.runtime.calls_observed


def test_without_runtime_files_the_plan_has_no_runtime_field(static_plan):
    assert "runtime" not in plan_to_dict(static_plan)
    assert all("runtime" not in b for b in plan_to_dict(static_plan)["boundaries"])


def test_weight_zero_reports_the_evidence_but_clusters_as_static(static_plan, recording):
    options = OPTIONS.replace(weights={**OPTIONS.weights, "runtime": 0.0})
    plan = plan_from_graph(build(LAYERED, options, runtime=load_evidence([recording])), options)
    assert [s.modules for s in plan.services] == [s.modules for s in static_plan.services]
    assert plan.runtime is not None
    # export stays with products, and its why-here link says the calls between them never happened
    service = next(s for s in plan.services if "pkg.catalog.export" in s.modules)
    assert "call link to pkg.catalog.products" in views.why_here(service, "pkg.catalog.export")
    assert "never observed at run time" in views.why_here(service, "pkg.catalog.export")


def test_reports_show_observed_volumes(runtime_plan):
    busiest = max(runtime_plan.boundaries, key=lambda b: b.runtime.calls)
    assert f"{busiest.runtime.calls:,} observed" in render_dot(runtime_plan)
    assert "penwidth=8" in render_dot(runtime_plan)  # the busiest boundary is drawn thickest
    assert f"{busiest.runtime.calls:,} observed" in service_map_dot(runtime_plan)
    assert "## Runtime evidence" in render_markdown(runtime_plan)
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(runtime_plan)))
    assert "Runtime" in workbook.sheetnames
    headers = [c.value for c in workbook["Boundaries"][1]]
    assert headers[-2:] == ["observed calls", "observed"]



def test_analyze_with_runtime_files_from_the_command_line(tmp_path, recording, capsys):
    from analyzer.cli import main

    out = tmp_path / "plan"
    assert main(["analyze", str(LAYERED), "--out", str(out), "--format", "json,md", "--runtime", str(recording),
                 "--cache-dir", str(tmp_path / "cache")]) == 0
    assert "Weighted with 1 runtime file(s):" in capsys.readouterr().out
    assert '"runtime": {' in (out / "plan.json").read_text(encoding="utf-8")


def test_a_batch_gives_every_codebase_the_runtime_files(tmp_path, recording):
    from analyzer.cli import main

    other = tmp_path / "other"
    (other / "tool").mkdir(parents=True)
    (other / "tool" / "__init__.py").write_text("def run():\n    return 1\n", encoding="utf-8")
    assert main(["analyze", str(LAYERED), str(other), "--out", str(tmp_path / "batch"), "--format", "json",
                 "--runtime", str(recording), "--cache-dir", str(tmp_path / "cache")]) == 0
    layered = json.loads((tmp_path / "batch" / "layered" / "plan.json").read_text(encoding="utf-8"))
    unrelated = json.loads((tmp_path / "batch" / "other" / "plan.json").read_text(encoding="utf-8"))
    assert layered["runtime"]["sources"][0]["matched"] == 28
    assert unrelated["runtime"]["sources"][0]["matched"] == 0  # none of the recorded files is its code


def test_the_graph_cache_never_holds_runtime_evidence(tmp_path, recording):
    options = AnalysisOptions(cache_dir=str(tmp_path / "cache"))
    weighted = build(LAYERED, options, runtime=load_evidence([recording]))
    again = build(LAYERED, options)  # a cache hit: the static graph, as if no runtime file was ever given
    assert weighted.runtime is not None and again.runtime is None
    assert not any("runtime" in attrs for _, _, attrs in again.modules.edges(data=True))
