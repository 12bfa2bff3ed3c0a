from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser

from analyzer.export.markdown import render_html, render_markdown
from analyzer.model import Service, Target


def section(markdown: str, title: str) -> str:
    """The text of one `## title` section."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", markdown, flags=re.M | re.S)
    assert match, f"no section {title!r}"
    return match.group(1)


def test_report_has_every_section_in_reading_order(plan):
    md = render_markdown(plan)
    headings = re.findall(r"^## (.+)$", md, flags=re.M)
    assert headings == ["Summary", "Services", "Boundaries", "Data ownership", "Data boundaries", "Migration waves", "What was analyzed",
                        "Skipped files", "Limits used", "Metrics"]
    assert md.startswith("# Migration plan: samples/shop\n")
    assert md.endswith("\n") and not md.endswith("\n\n")


def test_summary_and_services_tables(plan):
    md = render_markdown(plan)
    assert "| Lines of code | 1905 |" in section(md, "Summary")
    assert "| Async boundaries | 4 |" in section(md, "Summary")
    assert "| `reporting` | fargate | 70% | 980 | 3 | `customers`, `reports` | 2 | high | L |" in md


def test_each_service_shows_target_reasons_with_evidence_and_entry_points(plan):
    md = render_markdown(plan)
    assert "### Service reporting" in md
    assert "Target: **fargate** (confidence 70%)" in md
    assert ("- **long-running-loop**: a while True loop serves websocket clients — evidence "
            "`shop/reporting/video.py:40`") in md
    assert "| schedule | `crontab(minute=0, hour=2)` | `shop/reporting/jobs.py:5` |" in md
    assert "Owns tables: `customers`, `reports`" in md
    assert "### Shared kernel shared-kernel" in md


def test_boundaries_data_waves_skipped_limits_and_metrics(plan):
    md = render_markdown(plan)
    boundaries = section(md, "Boundaries")
    assert "| `reporting` | `orders` | sync | http | 2 |" in boundaries
    assert "`shop.orders.service.place_order` | `shop.reporting.jobs.on_order_placed` | " \
           "`shop/orders/service.py:91` | async sns | signal send; fan-out |" in boundaries
    assert "| `customers` | `reporting` | `orders` |" in section(md, "Data ownership")
    assert "- **Wave 1**: `notifications` — fewest inbound calls; consumes only events" in md
    assert "| `shop/legacy/py2.py` | SyntaxError: line 3: Missing parentheses in call to 'print' |" in md
    assert "lambda.timeout | 900 | s" in section(md, "Limits used")
    assert "| `icp` | 0.125 | Inter-partition call percentage" in section(md, "Metrics")
    assert ("- `shop/reporting/export.py:50` shop.reporting.export.build → shop.orders.service.list\\_orders: "
            "argument rows may exceed the http limit of 6 MB (claim check: put it in S3, send the key)") in boundaries


def test_risk_causes_triggers_and_notes(plan):
    md = render_markdown(plan)
    assert "Risk: **high**:\n\n- 2 shared table(s) to split: customers, orders" in md
    assert "Risk: **low**." in md
    assert ("| schedule | `crontab(minute=0, hour=2)` | `shop/reporting/jobs.py:5` | "
            "EventBridge Scheduler (ECS RunTask) |") in md
    assert "Notes:\n\n- no git history: co-change signal off" in section(md, "Summary")


def test_markdown_escapes_pipes_and_markup_from_the_code(plan):
    odd = dataclasses.replace(plan, services=(
        Service(name="a|b", kind="service", modules=("m",), loc=1,
                target=Target("lambda", 0.5)),), boundaries=(), waves=())
    md = render_markdown(odd)
    assert "| `a\\|b` | lambda |" in md
    assert "### Service a\\|b" in md


def test_empty_sections_say_so(plan):
    bare = dataclasses.replace(plan, boundaries=(), waves=(), source=dataclasses.replace(plan.source, skipped=()))
    md = render_markdown(bare)
    assert "No call crosses a service boundary." in md
    assert "None: every Python file was analyzed." in md
    assert "No migration waves were planned." in md


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_self_contained_with_the_same_content(plan):
    page = render_html(plan)
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page
    assert not re.search(r"<(script|link)\b", page)
    assert not re.search(r"(src|href)=\"https?://", page)
    parser = _Collector()
    parser.feed(page)
    text = "".join(parser.text)
    for fact in ("Files analyzed", "shop/reporting/video.py:40", "fewest inbound calls",
                 "shop/legacy/py2.py", "Inter-partition call percentage"):
        assert fact in text
    assert parser.tags.count("h2") == 10


def test_html_escapes_names_from_the_code(plan):
    odd = dataclasses.replace(plan, services=(
        Service(name="<script>alert(1)</script>", kind="service", modules=("m",), loc=1,
                target=Target("lambda", 0.5)),), boundaries=(), waves=())
    page = render_html(odd)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_html_embeds_the_svg_diagram_without_its_prolog(plan):
    svg = (b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
           b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
           b'<!-- Generated by graphviz -->\n<svg width="10pt" height="10pt"><g id="graph0"></g></svg>\n')
    page = render_html(plan, svg)
    assert '<h2 id="diagram">Service diagram</h2>' in page
    assert '<svg width="10pt" height="10pt">' in page
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert page.index('id="diagram"') < page.index('id="services"')
    assert "Service diagram" not in render_html(plan)


def test_reports_are_byte_stable(plan):
    assert render_markdown(plan) == render_markdown(plan)
    assert render_html(plan) == render_html(plan)
    reordered = dataclasses.replace(plan, services=tuple(reversed(plan.services)))
    assert render_markdown(reordered) == render_markdown(plan)
