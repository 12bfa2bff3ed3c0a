"""Shared fixtures for the review UI tests: a small hand-made plan and clean Streamlit caches."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analyzer.model import (
    Boundary,
    BoundaryCall,
    Evidence,
    Plan,
    PlanEntryPoint,
    Reason,
    Service,
    SourceInfo,
    Target,
    Wave,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def ui_roots(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> str:
    """The folder box may open the repository and the tests' temporary folders."""
    roots = os.pathsep.join([str(REPO), str(tmp_path_factory.getbasetemp())])
    monkeypatch.setenv("STRANGLER_UI_ROOTS", roots)
    return roots


def make_service(name: str, modules: list[str], compute: str | None = "lambda", **fields) -> Service:
    target = None if compute is None else Target(compute, 0.8, (
        Reason("short-requests", "every entry point answers an HTTP request",
               (Evidence(f"{modules[0].replace('.', '/')}.py", 2),)),))
    return Service(
        name=name, kind="service" if compute else "shared", modules=tuple(modules), loc=10 * len(modules),
        tables=tuple(fields.pop("tables", ())),
        entry_points=tuple(fields.pop("entry_points", ())), target=target, **fields,
    )


def make_plan(services: list[Service], boundaries: list[tuple[str, str, str, str, int]] = (),
              metrics: dict | None = None) -> Plan:
    """boundaries: (source, target, style, channel, number of call sites)."""
    built = tuple(
        Boundary(source, target, style, channel, tuple(
            BoundaryCall(f"shop.{source}.api.call{i}", f"shop.{target}.service.handle{i}",
                         f"shop/{source}/api.py", 3 + i, style, channel, ("return value used",))
            for i in range(calls)))
        for source, target, style, channel, calls in boundaries
    )
    return Plan(
        source=SourceInfo("shop", sum(len(s.modules) for s in services), sum(s.loc for s in services)),
        services=tuple(services), boundaries=built,
        metrics=metrics or {"modularity": 0.41, "sm": 0.3, "icp": 0.2, "ifn": 1.5, "ned": 0.0},
        waves=(Wave(1, ("billing",), "fewest dependencies"), Wave(2, ("orders",), "depends on billing")),
    )


@pytest.fixture
def shop_plan() -> Plan:
    return make_plan(
        [
            make_service("orders", ["shop.orders.api", "shop.orders.service"], tables=("orders",),
                         entry_points=(PlanEntryPoint("http", "POST /orders", "shop/orders/api.py", 4),)),
            make_service("billing", ["shop.billing.api", "shop.billing.invoice"], tables=("invoices",)),
            make_service("reports", ["shop.reports.export"], compute="fargate"),
            make_service("shared-kernel", ["shop.utils.money"], compute=None),
        ],
        [("orders", "billing", "sync", "http", 2), ("billing", "reports", "async", "sqs", 1)],
    )


@pytest.fixture
def clear_streamlit_caches():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(name="make_plan")
def make_plan_fixture():
    return make_plan


@pytest.fixture(name="make_service")
def make_service_fixture():
    return make_service
