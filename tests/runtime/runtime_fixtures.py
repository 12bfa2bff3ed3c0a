"""Runtime inputs made by their real producers: the OpenTelemetry SDK (here), cProfile and strangler
record (conftest.py fixtures)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAYERED = HERE / "layered"
DRIVER = HERE / "drive_layered.py"
#: drive_layered.py's loop size: price_for calls base_price this many times per run.
QUANTITY = 100


def otlp_json(build, hex_ids: bool = False) -> str:
    """Spans recorded by the OpenTelemetry SDK while `build(tracer)` runs, encoded by the OTLP
    encoder: as the SDK writes them (MessageToJson, base64 ids, one document) or as the
    Collector's file exporter does (hex ids, one request per line)."""
    from google.protobuf.json_format import MessageToDict
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    build(provider.get_tracer("strangler-tests"))
    request = MessageToDict(encode_spans(exporter.get_finished_spans()))
    if not hex_ids:
        return json.dumps(request, indent=2)
    for resource in request["resourceSpans"]:
        for scope in resource["scopeSpans"]:
            for span in scope["spans"]:
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in span:
                        span[key] = base64.b64decode(span[key]).hex()
    return json.dumps(request, separators=(",", ":")) + "\n"


def span(tracer, namespace: str, function: str, **attributes):
    return tracer.start_as_current_span(function, attributes={"code.namespace": namespace, "code.function": function,
                                                              **attributes})


def hot_trace(tracer, requests: int = 3, per_request: int = 12) -> None:
    """`requests` runs of discounts.price_for, each calling prices.base_price `per_request` times."""
    for _ in range(requests):
        with span(tracer, "pkg.orders.discounts", "price_for"):
            for _ in range(per_request):
                with span(tracer, "pkg.catalog.prices", "base_price"):
                    pass


