"""The service map's DOT text and the evidence excerpts the Services tab shows."""

from __future__ import annotations

import shutil
import subprocess

from analyzer.ui.excerpt import read_excerpt
from analyzer.ui.servicemap import service_map_dot


def test_service_map_colours_by_target_and_styles_boundaries(shop_plan):
    dot = service_map_dot(shop_plan)
    orders = next(line for line in dot.splitlines() if line.startswith('  "orders" ['))
    reports = next(line for line in dot.splitlines() if line.startswith('  "reports" ['))
    shared = next(line for line in dot.splitlines() if line.startswith('  "shared-kernel" ['))
    assert "Lambda · 2 modules" in orders and 'fillcolor="#FFE8C2"' in orders
    assert "Fargate" in reports and 'fillcolor="#D6E6FA"' in reports
    assert "dashed" in shared and "shared kernel" in shared
    assert '"orders" -> "billing" [label="http ×2", style=solid' in dot
    assert '"billing" -> "reports" [label="sqs ×1", style=dashed' in dot


def test_service_map_is_stable_and_highlights_the_picked_service(shop_plan):
    assert service_map_dot(shop_plan) == service_map_dot(shop_plan)
    highlighted = service_map_dot(shop_plan, highlight="billing")
    billing = next(line for line in highlighted.splitlines() if line.startswith('  "billing" ['))
    assert "penwidth=3" in billing


def test_names_with_quotes_are_escaped(make_plan, make_service):
    plan = make_plan([make_service('we"ird', ["a.b"])])
    assert '"we\\"ird" [' in service_map_dot(plan)


def test_excerpt_marks_the_evidence_line(tmp_path):
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "orders.py").write_text("".join(f"line{n}\n" for n in range(1, 11)))
    found = read_excerpt(tmp_path, "shop/orders.py", 5, context=2)
    assert found.where == "shop/orders.py:5"
    assert found.text.splitlines() == [
        "  3  line3", "  4  line4", "> 5  line5", "  6  line6", "  7  line7"]


def test_excerpt_refuses_paths_outside_the_root_and_missing_lines(tmp_path):
    (tmp_path / "root").mkdir()
    (tmp_path / "secret.py").write_text("x = 1\n")
    (tmp_path / "root" / "a.py").write_text("x = 1\n")
    assert read_excerpt(tmp_path / "root", "../secret.py", 1) is None
    assert read_excerpt(tmp_path / "root", "a.py", 99) is None
    assert read_excerpt(tmp_path / "root", "missing.py", 1) is None


def test_a_service_named_with_a_bracket_still_draws(make_plan, make_service):
    plan = make_plan([make_service("]", ["a.b"]), make_service("[x", ["a.c"])])
    dot = service_map_dot(plan)
    assert "<b>&#93;</b>" in dot and "<b>&#91;x</b>" in dot
    if shutil.which("dot"):
        done = subprocess.run(["dot", "-Tplain"], input=dot.encode(), capture_output=True, check=False)
        assert done.returncode == 0, done.stderr.decode()
