"""Each runtime format, written by its real producer, read to exact call counts."""

from __future__ import annotations

import marshal
import pstats
import shutil
import subprocess
from pathlib import Path

import pytest
from runtime_fixtures import DRIVER, LAYERED, QUANTITY, hot_trace, otlp_json

from analyzer.cli import main
from analyzer.errors import RuntimeInputError
from analyzer.graph.runtime import match_evidence, route_key
from analyzer.pipeline import build
from analyzer.runtime import load_runtime
from analyzer.runtime.guard import MAX_STRING_BYTES


@pytest.fixture(scope="module")
def codebase():
    return build(LAYERED).codebase


def observed(codebase, *files):
    matched = match_evidence(codebase, load_runtime(files), (), ())
    return {(c.caller, c.callee): c.calls for c in matched.calls}, {q: n for q, (n, _) in matched.runs.items()}


@pytest.mark.parametrize("hex_ids", [False, True], ids=["sdk-base64", "collector-hex"])
def test_otlp_spans_become_runs_and_parent_child_calls(tmp_path, codebase, hex_ids):
    trace = tmp_path / "trace.json"
    trace.write_text(otlp_json(hot_trace, hex_ids=hex_ids), encoding="utf-8")

    calls, runs = observed(codebase, trace)

    assert calls == {("pkg.orders.discounts.price_for", "pkg.catalog.prices.base_price"): 36}
    assert runs == {"pkg.orders.discounts.price_for": 3, "pkg.catalog.prices.base_price": 36}


def test_collector_file_with_one_request_per_line(tmp_path, codebase):
    trace = tmp_path / "collector.jsonl"
    trace.write_text(otlp_json(hot_trace, hex_ids=True) + otlp_json(hot_trace, hex_ids=True), encoding="utf-8")

    calls, _ = observed(codebase, trace)

    assert calls[("pkg.orders.discounts.price_for", "pkg.catalog.prices.base_price")] == 72


def test_spans_matched_by_file_and_line_and_by_route(tmp_path):
    def traced(tracer):
        request = tracer.start_as_current_span("POST /stock/adjustments", attributes={
            "http.route": "/stock/adjustments", "http.request.method": "POST"})
        inner = tracer.start_as_current_span("adjust", attributes={  # a line inside the function's body
            "code.filepath": "/srv/app/shop/services/inventory_service.py", "code.lineno": 95})
        with request, inner:
            pass

    trace = tmp_path / "shop.json"
    trace.write_text(otlp_json(traced), encoding="utf-8")
    shop = build(Path(__file__).resolve().parents[2] / "samples" / "shop").codebase
    matched = match_evidence(shop, load_runtime([trace]), (), ())

    assert (matched.sources[0].matched, matched.sources[0].unmatched) == (2, 0)
    (call,) = matched.calls
    assert (call.caller, call.callee, call.calls) == ("shop.api.inventory.adjust_stock",
                                                       "shop.services.inventory_service.adjust_stock", 1)
    assert route_key("GET /orders/<int:order_id>") == route_key("get /orders/{order_id}") == "GET /orders/{}"


def test_cprofile_output_gives_the_same_counts_as_pstats(codebase, profile):
    calls, runs = observed(codebase, profile)

    assert calls[("pkg.orders.discounts.price_for", "pkg.catalog.prices.base_price")] == 40 * QUANTITY
    assert calls[("pkg.catalog.export.export_all", "pkg.orders.invoices.invoice_lines")] == 5
    assert calls[("pkg.orders.checkout.place", "pkg.catalog.search.lookup")] == 10  # getattr: no static call
    assert runs["pkg.orders.checkout.place"] == 10
    stats = pstats.Stats(str(profile)).stats  # the standard library's reading of the same file
    (key,) = [k for k in stats if k[0].endswith("prices.py") and k[2] == "base_price"]
    assert stats[key][1] == runs["pkg.catalog.prices.base_price"]


def test_strangler_record_counts_calls_between_the_projects_functions(codebase, recording):
    calls, runs = observed(codebase, recording)

    assert calls[("pkg.orders.discounts.price_for", "pkg.catalog.prices.base_price")] == 40 * QUANTITY
    assert calls[("pkg.orders.cart.cart_total", "pkg.orders.discounts.discounted")] == 40
    assert calls[("pkg.orders.checkout.place", "pkg.catalog.search.lookup")] == 10
    assert runs["pkg.orders.cart.cart_total"] == 20  # its generator's resumptions are not runs
    assert not any("drive_layered" in name for name in runs)  # the driver lies outside --source


def test_record_runs_the_command_and_passes_on_its_exit_code(tmp_path, capsys):
    script = tmp_path / "fails.py"
    script.write_text("def work():\n    return 1\n\nwork()\nraise SystemExit(3)\n", encoding="utf-8")
    out = tmp_path / "calls.json"

    code = main(["record", "--out", str(out), "--source", str(tmp_path), "--", "python3", str(script)])

    assert code == 3
    assert "exited with 3" in capsys.readouterr().out
    assert '"work"' in out.read_text(encoding="utf-8")


def test_record_without_a_command_is_a_usage_error(tmp_path, capsys):
    assert main(["record", "--out", str(tmp_path / "x.json")]) == 2
    assert "give the command to run after --" in capsys.readouterr().err


@pytest.mark.parametrize(("content", "message"), [
    (b"\x00\x01garbage", "is in no format Strangler reads"),
    (b'{"resourceSpans": [' + b"[" * 100 + b"]" * 100 + b"]}", "nests more than 64 levels deep"),
    (b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"name": "' + b"x" * (MAX_STRING_BYTES + 10) + b'"}]}]}]}',
     "holds a string longer than"),
    (b'{"resourceSpans": [}', "is not valid JSON"),
    (marshal.dumps({("a.py", 1, "f"): (1, 1, 0.0, 0.0, {}), ("b.py", 2, "g"): (compile("1", "x", "eval"),)}),
     "is not a cProfile stats file"),
])
def test_bad_runtime_files_are_one_sentence_and_exit_2(tmp_path, capsys, content, message):
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    with pytest.raises(RuntimeInputError, match=message):
        load_runtime([bad])

    assert main(["analyze", str(LAYERED), "--out", str(tmp_path / "out"), "--runtime", str(bad), "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def newer_pythons() -> list[str]:
    """Interpreters of Python 3.12 and later on this machine (sys.monitoring), if any."""
    found = {shutil.which(f"python3.{minor}") for minor in range(12, 16)}
    found |= {str(p) for p in Path.home().glob(".pyenv/versions/3.1[2-9]*/bin/python3")}
    usable = []
    for python in sorted(filter(None, found)):
        done = subprocess.run([python, "-c", "import sys; print(sys.version_info >= (3, 12))"], capture_output=True,
                              text=True, check=False)
        if done.stdout.strip() == "True":
            usable.append(python)
    return usable[:1]


@pytest.mark.parametrize("python", newer_pythons() or [pytest.param("", marks=pytest.mark.skip(
    reason="no Python 3.12+ on this machine for the sys.monitoring recorder"))])
def test_strangler_record_on_python_312_counts_with_sys_monitoring(tmp_path, codebase, python):
    out = tmp_path / "calls.json"
    assert main(["record", "--out", str(out), "--source", str(LAYERED), "--", python, str(DRIVER), str(QUANTITY)]) == 0
    assert '"sys.monitoring"' in out.read_text(encoding="utf-8")

    calls, runs = observed(codebase, out)

    assert calls[("pkg.orders.discounts.price_for", "pkg.catalog.prices.base_price")] == 40 * QUANTITY
    assert calls[("pkg.orders.cart.cart_total", "pkg.orders.discounts.discounted")] == 40
    assert calls[("pkg.orders.checkout.place", "pkg.catalog.search.lookup")] == 10
    assert runs["pkg.orders.cart.cart_total"] == 20


def test_span_names_carrying_ids_do_not_grow_memory_without_bound(tmp_path, codebase, monkeypatch):
    monkeypatch.setattr("analyzer.runtime.evidence.MAX_SITES", 10)
    monkeypatch.setattr("analyzer.runtime.MAX_SITES", 10)

    def traced(tracer):
        with span_named(tracer, "pkg.orders.discounts", "price_for"):
            pass
        for order in range(30):
            with tracer.start_as_current_span(f"GET /orders/{order}"):
                pass

    trace = tmp_path / "ids.json"
    trace.write_text(otlp_json(traced), encoding="utf-8")
    evidence = load_runtime([trace])

    assert len(evidence.sites) == 11  # ten kept, one for the rest
    assert "more were counted together, unmatched" in evidence.sources[0].notes[0]
    _, runs = observed(codebase, trace)
    assert runs == {"pkg.orders.discounts.price_for": 1}


def span_named(tracer, namespace: str, function: str):
    return tracer.start_as_current_span(function, attributes={"code.namespace": namespace, "code.function": function})
