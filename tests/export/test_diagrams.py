from __future__ import annotations

import dataclasses
import shutil

import graphviz
import pytest

from analyzer.export import diagrams
from analyzer.export.diagrams import render_dot, render_module_dot, render_svg


def line_of(dot: str, start: str) -> str:
    return next(line.strip() for line in dot.splitlines() if line.strip().startswith(start))


def test_services_are_nodes_coloured_by_compute(plan):
    dot = render_dot(plan)
    assert dot.startswith("digraph services {")
    lambda_node = line_of(dot, "orders [")
    fargate_node = line_of(dot, "reporting [")
    kernel = line_of(dot, '"shared-kernel" [')
    assert 'label="orders\\nlambda · 640 LOC · 3 modules"' in lambda_node
    assert diagrams.COMPUTE_STYLE["lambda"]["fillcolor"] in lambda_node
    assert diagrams.COMPUTE_STYLE["fargate"]["fillcolor"] in fargate_node
    assert "dashed" in kernel and diagrams.SHARED_STYLE["fillcolor"] in kernel


def test_boundaries_are_edges_solid_for_sync_dashed_for_async(plan):
    dot = render_dot(plan)
    sync = line_of(dot, "reporting -> orders")
    async_ = line_of(dot, "orders -> reporting")
    assert 'label="http · 2 calls"' in sync and "style=solid" in sync
    assert 'label="sns · 1 call"' in async_ and "style=dashed" in async_
    assert sum(" -> " in line for line in dot.splitlines()) == len(plan.boundaries)


def test_a_boundary_mixing_channels_lists_each(plan):
    mixed = plan.boundaries[-1]
    extra_call = dataclasses.replace(mixed.calls[0], line=99, style="async", channel="sqs")
    changed = dataclasses.replace(plan, boundaries=(
        *plan.boundaries[:-1], dataclasses.replace(mixed, calls=(*mixed.calls, extra_call))))
    edge = line_of(render_dot(changed), "reporting -> orders")
    assert 'label="http · 2 calls; sqs · 1 call"' in edge


def test_dot_is_deterministic(plan):
    reordered = dataclasses.replace(plan, services=tuple(reversed(plan.services)),
                                    boundaries=tuple(reversed(plan.boundaries)))
    assert render_dot(reordered) == render_dot(plan)
    assert render_module_dot(reordered) == render_module_dot(plan)


def test_module_dot_clusters_modules_by_service(plan):
    dot = render_module_dot(plan)
    assert dot.count("subgraph cluster_") == len(plan.services)
    assert 'label="orders (lambda)"' in dot
    assert '"shop.reporting.export" -> "shop.orders.models" [label=1 style=solid]' in dot
    assert '"shop.orders.service" -> "shop.reporting.jobs" [label=1 style=dashed]' in dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` not installed (apt-get install graphviz)")
def test_svg_renders_when_graphviz_is_installed(plan):
    svg = render_svg(render_dot(plan))
    assert svg is not None and b"<svg" in svg
    assert b"notifications" in svg
    assert render_svg(render_dot(plan)) == svg


def test_svg_is_none_without_the_graphviz_binary(plan, monkeypatch):
    def missing(*args, **kwargs):
        raise graphviz.ExecutableNotFound(("dot",))

    monkeypatch.setattr(graphviz.Source, "pipe", missing)
    assert render_svg(render_dot(plan)) is None
