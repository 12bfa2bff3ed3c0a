"""OpenTelemetry traces as OTLP JSON: the Collector's file exporter (one request per line) or the
Python SDK's spans encoded with the OTLP encoder and written as JSON (one document).

Spans are streamed one at a time (ijson's C parser behind analyzer.runtime.guard) and folded into
an EvidenceBuilder at once: a span becomes a Site from the code semantic conventions (old and new
attribute names), its HTTP route or its task name; a child span is a call from its parent's Site.
Children usually end, and so are exported, before their parent: a child whose parent has not been
seen waits for it. Both tables are bounded (SPAN_WINDOW), so memory stays flat on a multi-GB file;
a child whose parent left the window is counted, not linked.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

import ijson

from analyzer.runtime.evidence import EvidenceBuilder, RuntimeSource, Site
from analyzer.runtime.guard import GuardedReader

#: Span ids remembered for linking children to parents (and children waiting for theirs).
SPAN_WINDOW = 1_000_000
#: Characters kept of any name read from a span.
MAX_NAME = 512

_SPANS = "resourceSpans.item.scopeSpans.item.spans.item"
#: Attribute keys read (old and new semantic-convention names) and the Site field each fills.
_FIELDS = {
    "code.function.name": "function", "code.function": "function",
    "code.namespace": "namespace",
    "code.file.path": "path", "code.filepath": "path",
    "code.line.number": "line", "code.lineno": "line",
    "http.route": "route",
    "http.request.method": "method", "http.method": "method",
    "celery.task_name": "task", "messaging.celery.task_name": "task", "faas.name": "task",
}


def read_otlp(path: Path, builder: EvidenceBuilder, source: int,
              progress: Callable[[int, int], None] | None = None) -> RuntimeSource:
    """Fold the spans of one OTLP JSON file into `builder`; raises InputRefused or ValueError."""
    reader = _SpanLinker(builder, source)
    total = path.stat().st_size
    with open(path, "rb") as raw:
        guarded = GuardedReader(raw, total, progress)
        try:
            for span in ijson.items(guarded, _SPANS, multiple_values=True, use_float=True):
                reader.add(span)
        except ijson.JSONError as exc:
            raise ValueError(f"is not valid JSON ({(str(exc).splitlines() or [''])[0][:120]})") from exc
    notes = []
    if reader.malformed:
        notes.append(f"{reader.malformed:,} spans without a span id or times were skipped")
    orphans = reader.orphans + sum(len(w) for w in reader.waiting.values())
    if orphans:
        notes.append(f"{orphans:,} spans whose parent span was not in the file (or not within "
                     f"{SPAN_WINDOW:,} spans of them) count as runs but not as calls")
    return RuntimeSource(path=str(path), format="otlp-json", records=reader.spans, notes=tuple(notes))


class _SpanLinker:
    """Turns spans into function runs and parent → child calls, in bounded memory."""

    def __init__(self, builder: EvidenceBuilder, source: int) -> None:
        self.builder = builder
        self.source = source
        self.seen: dict[int, int] = {}  # span id -> site
        self.waiting: dict[int, list[tuple[int, float]]] = {}  # parent span id -> [(child site, seconds)]
        self.spans = 0
        self.malformed = 0
        self.orphans = 0

    def add(self, span: Any) -> None:
        parsed = _parse_span(span)
        if parsed is None:
            self.malformed += 1
            return
        span_id, parent_id, site, seconds = parsed
        self.spans += 1
        index = self.builder.site(site)
        self.builder.add_function(index, 1, seconds, self.source)
        for child, child_seconds in self.waiting.pop(span_id, ()):
            self.builder.add_call(index, child, 1, child_seconds, self.source)
        if parent_id:
            parent = self.seen.get(parent_id)
            if parent is not None:
                self.builder.add_call(parent, index, 1, seconds, self.source)
            else:
                self.waiting.setdefault(parent_id, []).append((index, seconds))
                if len(self.waiting) > SPAN_WINDOW:
                    for key in list(islice(self.waiting, SPAN_WINDOW // 2)):
                        self.orphans += len(self.waiting.pop(key))
        self.seen[span_id] = index
        if len(self.seen) > SPAN_WINDOW:
            for key in list(islice(self.seen, SPAN_WINDOW // 2)):
                del self.seen[key]


def _parse_span(span: Any) -> tuple[int, int, Site, float] | None:
    """(span id, parent id or 0, site, seconds), or None for a span missing what is needed."""
    if not isinstance(span, dict):
        return None
    span_id = span_id_value(span.get("spanId"))
    if not span_id:
        return None
    parent_id = span_id_value(span.get("parentSpanId"))
    try:
        seconds = max(0, int(span.get("endTimeUnixNano", 0)) - int(span.get("startTimeUnixNano", 0))) / 1e9
    except (TypeError, ValueError):
        return None
    found = _attributes(span.get("attributes"))
    get = found.get
    route = get("route", "")
    name = span.get("name")
    site = Site(
        path=get("path", ""),
        line=_int(get("line", "")),
        function=get("function", ""),
        namespace=get("namespace", ""),
        route=f"{get('method', '').upper()} {route}".strip() if route else "",
        task=get("task", ""),
        name=name[:MAX_NAME] if isinstance(name, str) else "",
    )
    return span_id, parent_id, site, seconds


def span_id_value(value: Any) -> int:
    """A span id as an int, from hex (the OTLP/JSON spec, the Collector) or base64 (protobuf's
    MessageToJson); 0 when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return 0
    if len(value) == 16:
        try:
            return int(value, 16)
        except ValueError:
            pass
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return 0
    return int.from_bytes(raw, "big") if len(raw) == 8 else 0


def _attributes(items: Any) -> dict[str, str]:
    """The Site fields this reader uses, as text, from [{"key": k, "value": {"stringValue": v}}, ...]."""
    found: dict[str, str] = {}
    if not isinstance(items, list):
        return found
    for item in items:
        if not isinstance(item, dict):
            continue
        key = item.get("key")
        field = _FIELDS.get(key) if isinstance(key, str) else None
        value = item.get("value")
        if field is None or field in found or not isinstance(value, dict):
            continue
        text = value.get("stringValue", value.get("intValue"))
        if isinstance(text, (str, int)) and not isinstance(text, bool) and text != "":
            found[field] = str(text)[:MAX_NAME]
    return found


def _int(text: str) -> int:
    try:
        return max(0, int(text))
    except ValueError:
        return 0

