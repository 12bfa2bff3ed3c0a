"""Every name is escaped for its format: random service and module names full of quotes,
backslashes, backticks, angle brackets, colons, newlines and `= + - @` prefixes go through every
exporter, and each output still parses as its format with nothing injected."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from openpyxl import load_workbook

from analyzer.export.callgraph import render_dot as render_callgraph_dot
from analyzer.export.diagrams import render_dot, render_module_dot
from analyzer.export.markdown import render_html, render_markdown
from analyzer.export.plan_json import plan_from_dict, render_json
from analyzer.export.sam import render_sam
from analyzer.export.xlsx import render_xlsx
from analyzer.model import Plan
from analyzer.ui.servicemap import service_map_dot
from tests.export.conftest import make_plan

NASTY = "\"'\\`<>:;|&=+-@#*_[](){}$!\n\r\t %"
names = st.builds(
    lambda prefix, body: prefix + body,
    st.sampled_from(["", "=", "+", "-", "@", "\t", "\r", "<", "``", "\\", "<img src=x onerror=alert(1)>"]),
    st.text(alphabet=st.sampled_from(list(NASTY) + list("abcXYZ09é€")), min_size=1, max_size=24),
)
DOT = shutil.which("dot")


def renamed(plan: Plan, mapping: dict[str, str]) -> Plan:
    """The plan with services (and their modules) renamed everywhere they appear."""
    def name(old: str) -> str:
        return mapping.get(old, old)

    services = tuple(dataclasses.replace(s, name=name(s.name), modules=tuple(f"{name(s.name)}.{m}" for m in s.modules))
                     for s in plan.services)
    boundaries = tuple(dataclasses.replace(b, source=name(b.source), target=name(b.target)) for b in plan.boundaries)
    waves = tuple(dataclasses.replace(w, services=tuple(name(s) for s in w.services)) for w in plan.waves)
    return dataclasses.replace(plan, services=services, boundaries=boundaries, waves=waves)


def plan_with(new_names: list[str]) -> Plan:
    plan = make_plan()
    return renamed(plan, dict(zip([s.name for s in plan.services], new_names, strict=False)))


def check_dot(text: str, nodes: int) -> None:
    if DOT is None:
        pytest.skip("Graphviz is not installed (make system-deps)")
    done = subprocess.run([DOT, "-Tplain"], input=text.encode(), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    assert sum(1 for line in done.stdout.decode().splitlines() if line.startswith("node ")) == nodes


def html_tokens(markdown: str) -> list[str]:
    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    found = []
    for token in parser.parse(markdown):
        for item in [token, *(token.children or [])]:
            if item.type in ("html_inline", "html_block"):
                found.append(item.content)
    return found


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


REPORT_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "ul", "ol", "li", "table",
               "thead", "tbody", "tr", "th", "td", "code", "strong", "a", "div"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(names, min_size=4, max_size=4, unique=True))
def test_every_exporter_survives_hostile_names(new_names):
    plan = plan_with(new_names)
    services = len(plan.services)

    check_dot(render_dot(plan), services)
    check_dot(service_map_dot(plan, highlight=plan.services[0].name), services)
    check_dot(render_module_dot(plan), sum(len(s.modules) for s in plan.services))

    markdown = render_markdown(plan)
    assert html_tokens(markdown) == []

    page = Tags()
    page.feed(render_html(plan))
    assert page.tags <= REPORT_TAGS

    template = yaml.safe_load(render_sam(plan))
    for logical_id in template["Resources"]:
        assert re.fullmatch(r"[A-Za-z0-9]{1,255}", logical_id), logical_id
    for resource in template["Resources"].values():
        uri = resource["Properties"].get("CodeUri") or resource["Properties"].get("ContentUri")
        if uri:
            assert re.fullmatch(r"(services|shared)/[A-Za-z0-9_-]{1,64}/", uri), uri

    workbook = load_workbook(io.BytesIO(render_xlsx(plan)))
    formulas = [cell.coordinate for sheet in workbook for row in sheet.iter_rows() for cell in row
                if cell.data_type == "f"]
    assert formulas == []
    services_sheet = workbook["Services"]
    written = [row[0] for row in services_sheet.iter_rows(min_row=2, values_only=True)]
    assert len(written) == services

    assert json.loads(render_json(plan)) == json.loads(render_json(plan_from_dict(json.loads(render_json(plan)))))


def test_the_callgraph_dot_export_survives_hostile_module_names():
    from analyzer.model import CallSite, CodeBase, Definition, ModuleFacts

    nasty = 'x"\\:<b>`\n'
    definition = Definition(f"{nasty}.f", "function", nasty, "a.py", 1, 2, 2)
    other = Definition(f"{nasty}.g", "function", nasty, "a.py", 3, 4, 2)
    module = ModuleFacts(nasty, "a.py", 4, definitions=(definition, other),
                         calls=(CallSite(f"{nasty}.f", (f"{nasty}.g",), "g", "a.py", 2),))
    check_dot(render_callgraph_dot(CodeBase("r", (module,))), 2)


def test_cfn_lint_accepts_the_template_of_a_plan_with_hostile_and_huge_names():
    lint_api = pytest.importorskip("cfnlint.api")
    plan = plan_with(["=cmd|' /C calc'!A0", "../../etc/passwd", "x" * 5000, "<svc>:`1`\\"])
    matches = lint_api.lint(render_sam(plan), config=lint_api.ManualArgs(regions=["us-east-1"]))
    assert [f"{m.rule.id} {m.message}" for m in matches] == []
