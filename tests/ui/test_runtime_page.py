"""The review page with runtime evidence: upload a trace, see observed volumes, toggle them off."""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtime"))

from runtime_fixtures import otlp_json  # noqa: E402

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def shop_trace(tracer) -> None:
    """Five stock adjustment requests, each calling the inventory service twelve times."""
    for _ in range(5):
        with tracer.start_as_current_span("POST /stock/adjustments", attributes={
                "http.route": "/stock/adjustments", "http.request.method": "POST"}):
            for _ in range(12):
                with tracer.start_as_current_span("adjust_stock", attributes={
                        "code.namespace": "shop.services.inventory_service", "code.function": "adjust_stock"}):
                    pass


def service_map(at: AppTest) -> str:
    return at.get("graphviz_chart")[0].proto.spec


def test_uploaded_trace_weights_the_map_and_the_toggle_takes_it_off(clear_streamlit_caches):
    at = AppTest.from_file(APP, default_timeout=240).run()
    assert "observed" not in service_map(at)

    at.file_uploader(key="runtime_files").set_value(
        [("traces.json", otlp_json(shop_trace).encode("utf-8"), "application/json")]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert "observed" in service_map(at)
    assert any("Weighted with runtime evidence: 60 calls observed" in c.value for c in at.caption)

    at.toggle(key="with_runtime").set_value(False).run()
    assert "observed" not in service_map(at)


def test_a_file_that_is_no_trace_is_one_sentence_and_the_plan_stays(clear_streamlit_caches):
    at = AppTest.from_file(APP, default_timeout=240).run()
    at.file_uploader(key="runtime_files").set_value([("notes.txt", b"hello", "text/plain")]).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Runtime file notes.txt is in no format Strangler reads; pass OpenTelemetry "
                                           "traces as OTLP JSON, a cProfile/pstats file or a `strangler record` file."]
    assert "observed" not in service_map(at)
