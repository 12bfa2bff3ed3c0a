"""Reading a large OpenTelemetry trace: time and peak memory of analyzer.runtime on a ~1 GB OTLP JSON file.

The trace is synthetic but in the real producer's format: one batch of spans is recorded with the
OpenTelemetry SDK and encoded with its OTLP encoder (requests, each calling service functions that
call a repository, with the code.* attributes), then written as the Collector's file exporter
writes it (one request per line, hex ids), repeated with fresh trace and span ids until the file
reaches the asked size. The read runs in a child process so that its peak RSS is its own.

    python bench/runtime_bench.py                  # generate bench/.cache/otlp-1gb.jsonl if missing, read it
    python bench/runtime_bench.py --size-mb 100    # a smaller file
    python bench/runtime_bench.py --write-results  # also replace the section in bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
CACHE = BENCH / ".cache"
RESULTS = BENCH / "RESULTS.md"
BEGIN, END = "<!-- runtime-bench:begin -->", "<!-- runtime-bench:end -->"
#: Six hex digits of every id are the copy number: 16.7 million copies before ids repeat.
MARK = "@@@@@@"
REQUESTS, CALLS_PER_REQUEST, FUNCTIONS = 100, 8, 40


def batch() -> list[dict]:
    """One Collector export request (as a dict) recorded by the SDK: REQUESTS requests of nested spans."""
    from google.protobuf.json_format import MessageToDict
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("bench")
    for request in range(REQUESTS):
        route = f"/orders/{{id}}/step{request % 5}"
        with tracer.start_as_current_span(f"GET {route}", attributes={"http.route": route,
                                                                      "http.request.method": "GET"}):
            for call in range(CALLS_PER_REQUEST):
                function = (request + call) % FUNCTIONS
                with tracer.start_as_current_span(f"service{function}", attributes={
                        "code.namespace": f"app.services.module{function % 10}", "code.function": f"service{function}",
                        "code.filepath": f"/srv/app/app/services/module{function % 10}.py",
                        "code.lineno": 10 + function}), \
                        tracer.start_as_current_span("repository", attributes={
                            "code.namespace": "app.repository", "code.function": f"load{function % 7}"}):
                    pass
    return MessageToDict(encode_spans(exporter.get_finished_spans()))


def template() -> tuple[list[str], int]:
    """The batch as one JSON line split where each copy's number goes (hex ids, as the Collector writes),
    and its number of spans."""
    request = batch()
    spans = 0
    for resource_spans in request["resourceSpans"]:
        for scope in resource_spans["scopeSpans"]:
            for span in scope["spans"]:
                spans += 1
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in span:
                        span[key] = MARK + base64.b64decode(span[key]).hex()[len(MARK):]
    return (json.dumps(request, separators=(",", ":")) + "\n").split(MARK), spans


def generate(path: Path, size: int) -> tuple[int, int]:
    """Write copies of the batch until `size` bytes; (copies, spans)."""
    parts, spans = template()
    path.parent.mkdir(parents=True, exist_ok=True)
    written = copies = 0
    with open(path.with_suffix(".tmp"), "w", encoding="utf-8") as out:
        while written < size:
            line = f"{copies:06x}".join(parts)
            out.write(line)
            written += len(line)
            copies += 1
    os.replace(path.with_suffix(".tmp"), path)
    return copies, spans * copies


def read(path: Path) -> dict:
    """Child process: read the file as `strangler analyze --runtime` does, report time and peak RSS."""
    started = time.perf_counter()
    from analyzer.runtime import load_runtime

    usage = resource.getrusage(resource.RUSAGE_SELF)
    before, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    imported = time.perf_counter()
    evidence = load_runtime([path])
    seconds = time.perf_counter() - imported
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime - cpu
    return {"bytes": path.stat().st_size, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "import_seconds": round(imported - started, 2),
            "spans": evidence.sources[0].records, "sites": len(evidence.sites), "call_pairs": len(evidence.calls),
            "calls": sum(row[2] for row in evidence.calls), "notes": list(evidence.sources[0].notes),
            "rss_after_imports_mib": round(before / 1024, 1), "peak_rss_mib": round(peak / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--write-results", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(read(Path(args.child))))
        return
    path = CACHE / f"otlp-{args.size_mb}mb.jsonl"
    if not path.exists():
        started = time.perf_counter()
        copies, spans = generate(path, args.size_mb * 1024 * 1024)
        print(f"generated {path} ({path.stat().st_size / 2**20:,.0f} MiB, {copies:,} requests of "
              f"{spans // copies:,} spans) in {time.perf_counter() - started:.0f} s")
    load = os.getloadavg()[0]
    done = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True,
                          check=True, cwd=BENCH.parent)
    figures = json.loads(done.stdout)
    figures["load_before"] = round(load, 1)
    figures["mib_per_second"] = round(figures["bytes"] / 2**20 / figures["seconds"], 1)
    figures["mib_per_cpu_second"] = round(figures["bytes"] / 2**20 / figures["cpu_seconds"], 1)
    print(json.dumps(figures, indent=1))
    if args.write_results:
        write_results(figures)


def write_results(figures: dict) -> None:
    section = f"""{BEGIN}
## Runtime evidence: reading a large OTLP JSON trace (issue 15)

Not generated by `scan_bench.py` (`make bench` rewrites the tables above and drops this section);
rerun with `.venv/bin/python bench/runtime_bench.py --write-results`. A synthetic trace in the
real producer's format (spans recorded by the OpenTelemetry SDK, encoded by its OTLP encoder,
written as the Collector's file exporter writes them: one request per line, hex ids; each copy
with fresh ids), read by `analyzer.runtime.load_runtime` in a child process.
Date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cpus, Python {platform.python_version()},
load average {figures['load_before']} before the run.

| figure | value |
|---|---|
| file | {figures['bytes'] / 2**20:,.0f} MiB |
| spans read | {figures['spans']:,} |
| distinct functions (sites) / caller → callee pairs | {figures['sites']:,} / {figures['call_pairs']:,} |
| parent → child calls counted | {figures['calls']:,} |
| read time, wall | {figures['seconds']:,.1f} s ({figures['mib_per_second']:,.1f} MiB/s; the machine is shared, see the load) |
| read time, CPU of the reading process | {figures['cpu_seconds']:,.1f} s ({figures['mib_per_cpu_second']:,.1f} MiB per CPU second) |
| peak RSS of the reading process | {figures['peak_rss_mib']:,.0f} MiB (floor: under 500 MB) |
| RSS after imports, before reading | {figures['rss_after_imports_mib']:,.0f} MiB |

Memory is bounded by the span window (`SPAN_WINDOW` = 1,000,000 span ids remembered for linking
children to their parents) and the distinct functions, not by the file size.
{END}
"""
    text = RESULTS.read_text(encoding="utf-8")
    if BEGIN in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END) + 1:]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
