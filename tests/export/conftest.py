"""A hand-built plan shaped like the shop sample: three services and a shared kernel, one Fargate
service, every boundary channel (sync http, async sqs / sqs-fifo / sns / eventbridge), three
waves and two skipped files. Export tests run on it so they do not depend on the other stages."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from analyzer.model import (
    Boundary,
    BoundaryCall,
    Effort,
    Evidence,
    Limit,
    PayloadWarning,
    Plan,
    PlanEntryPoint,
    Reason,
    Risk,
    Service,
    Skipped,
    SourceInfo,
    TableUse,
    Target,
    Trigger,
    Wave,
    WhyLink,
)

ORDERS_MODULES = ("shop.api.orders", "shop.orders.models", "shop.orders.service")
NOTIFY_MODULES = ("shop.notifications.email", "shop.notifications.tasks")
REPORTING_MODULES = ("shop.reporting.export", "shop.reporting.jobs", "shop.reporting.video")
SHARED_MODULES = ("shop.utils.money", "shop.utils.text")


def call(caller: str, callee: str, path: str, line: int, style: str, channel: str,
         *reasons: str) -> BoundaryCall:
    return BoundaryCall(caller=caller, callee=callee, path=path, line=line, style=style,
                        channel=channel, reasons=tuple(reasons))


def effort(size: str, points: float, loc: int = 0, call_sites: int = 0) -> Effort:
    return Effort(size=size, points=points, loc=loc, call_sites_to_replace=call_sites, sync_call_sites=0,
                  shared_tables_to_split=(), basis=f"{points:g} points")


def risk(level: str, *causes: str) -> Risk:
    return Risk(level=level, causes=causes, score=0.0, basis="")


def make_plan() -> Plan:
    orders = Service(
        name="orders", kind="service", modules=ORDERS_MODULES, loc=640,
        tables=("order_lines", "orders"),
        entry_points=(
            PlanEntryPoint("http", "POST /orders", "shop/api/orders.py", 12),
            PlanEntryPoint("http", "GET /orders/<int:order_id>", "shop/api/orders.py", 30),
            PlanEntryPoint("http", "GET,PUT /orders/<order_id>/lines/<int:line_no>", "shop/api/orders.py", 44),
        ),
        target=Target("lambda", 0.85, (
            Reason("short-request-handlers", "every entry point is an HTTP request handler",
                   (Evidence("shop/api/orders.py", 30), Evidence("shop/api/orders.py", 12))),
            Reason("no-heavy-dependency", "imports no native-heavy library"),
        )),
        risk=risk("medium", "called synchronously by 2 service(s): notifications, reporting"),
        effort=effort("M", 2.78, loc=640, call_sites=6),
        triggers=(Trigger("http", 3, "API Gateway HTTP API"),),
        module_loc={"shop.api.orders": 120, "shop.orders.models": 200, "shop.orders.service": 320},
        why={"shop.orders.service": (WhyLink("shop.orders.models", "data", 4.0),),
             "shop.api.orders": (WhyLink("shop.orders.service", "call", 7.0),)},
        tables_shared=("customers",),
    )
    notifications = Service(
        name="notifications", kind="service", modules=NOTIFY_MODULES, loc=210,
        tables=("outbox",),
        entry_points=(
            PlanEntryPoint("task", "celery task send_receipt", "shop/notifications/tasks.py", 8),
            PlanEntryPoint("command", "manage.py resend_failed", "shop/notifications/tasks.py", 40),
        ),
        target=Target("lambda", 0.9, (Reason("event-consumer", "only consumes events", ()),)),
        risk=risk("low"), effort=effort("S", 1.4),
        triggers=(Trigger("command", 1, "EventBridge Scheduler (or a manual invoke)"),
                  Trigger("task", 1, "SQS event source mapping")),
        module_loc={"shop.notifications.email": 90, "shop.notifications.tasks": 120},
    )
    reporting = Service(
        name="reporting", kind="service", modules=REPORTING_MODULES, loc=980,
        tables=("customers", "reports"),
        entry_points=(
            PlanEntryPoint("schedule", "crontab(minute=0, hour=2)", "shop/reporting/jobs.py", 5),
            PlanEntryPoint("websocket", "/ws/progress", "shop/reporting/video.py", 18),
        ),
        target=Target("fargate", 0.7, (
            Reason("heavy-dependency", "imports pandas and calls ffmpeg",
                   (Evidence("shop/reporting/video.py", 3), Evidence("shop/reporting/export.py", 1))),
            Reason("long-running-loop", "a while True loop serves websocket clients",
                   (Evidence("shop/reporting/video.py", 40),)),
        )),
        risk=risk("high", "2 shared table(s) to split: customers, orders"), effort=effort("L", 9.5),
        triggers=(Trigger("schedule", 1, "EventBridge Scheduler (ECS RunTask)"),),
        module_loc={"shop.reporting.export": 300, "shop.reporting.jobs": 180, "shop.reporting.video": 500},
        tables_shared=("orders",),
    )
    shared = Service(name="shared-kernel", kind="shared", modules=SHARED_MODULES, loc=75)

    boundaries = (
        Boundary("orders", "notifications", "async", "sqs", (
            call("shop.orders.service.place_order", "shop.notifications.tasks.send_receipt",
                 "shop/orders/service.py", 88, "async", "sqs", "return value discarded", "single consumer service"),
        )),
        Boundary("orders", "reporting", "async", "sns", (
            call("shop.orders.service.place_order", "shop.reporting.jobs.on_order_placed",
                 "shop/orders/service.py", 91, "async", "sns", "signal send", "fan-out"),
        )),
        Boundary("notifications", "reporting", "async", "sqs-fifo", (
            call("shop.notifications.tasks.send_receipt", "shop.reporting.export.append_row",
                 "shop/notifications/tasks.py", 20, "async", "sqs-fifo", "order matters"),
        )),
        Boundary("reporting", "notifications", "async", "eventbridge", (
            call("shop.reporting.jobs.nightly", "shop.notifications.email.report_ready",
                 "shop/reporting/jobs.py", 30, "async", "eventbridge", "event routed by type"),
        )),
        Boundary("notifications", "orders", "sync", "http", (
            call("shop.notifications.email.render", "shop.orders.service.get_order",
                 "shop/notifications/email.py", 14, "sync", "http", "return value used"),
        )),
        Boundary("reporting", "orders", "sync", "http", (
            call("shop.reporting.export.build", "shop.orders.service.list_orders",
                 "shop/reporting/export.py", 50, "sync", "http", "return value used"),
            call("shop.reporting.export.build", "shop.orders.models.Order.total",
                 "shop/reporting/export.py", 22, "sync", "http", "return value used", "called in a loop"),
        ), payload_warnings=(PayloadWarning(
            caller="shop.reporting.export.build", callee="shop.orders.service.list_orders",
            path="shop/reporting/export.py", line=50, argument="rows", channel="http",
            limit="lambda.payload.sync", limit_value="6 MB",
            source="https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html",
            remedy="claim check: put it in S3, send the key"),)),
    )
    return Plan(
        source=SourceInfo(
            root="samples/shop", files_analyzed=11, loc=1905,
            skipped=(Skipped("shop/legacy/py2.py", "SyntaxError: line 3: Missing parentheses in call to 'print'"),
                     Skipped("shop/generated/big.py", "larger than 2000000 bytes: treated as generated")),
        ),
        services=(orders, notifications, reporting, shared),
        boundaries=boundaries,
        metrics={"modularity": 0.41234567, "sm": 0.3, "icp": 0.125, "ifn": 1.6666666, "ned": 0.0},
        waves=(
            Wave(1, ("notifications",), "fewest inbound calls; consumes only events"),
            Wave(2, ("reporting",), "heavy batch work leaves the request path"),
            Wave(3, ("orders",), "core domain: most callers, moves last"),
        ),
        data={"customers": TableUse("reporting", ("orders",)),
              "order_lines": TableUse("orders"),
              "orders": TableUse("orders", ("reporting",)),
              "outbox": TableUse("notifications"),
              "reports": TableUse("reporting")},
        notes=("no git history: co-change signal off",),
        limits=(
            Limit(key="lambda.timeout", value=900, unit="s", applies_to="lambda",
                  source="https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",
                  checked="2025-01-15"),
            Limit(key="lambda.memory.max", value=10240, unit="MB", applies_to="lambda",
                  source="https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",
                  checked="2025-01-15"),
        ),
    )


@pytest.fixture
def plan() -> Plan:
    return make_plan()


@pytest.fixture
def libreoffice() -> str:
    """The LibreOffice binary; the test is skipped only outside CI when it is missing."""
    binary = shutil.which("libreoffice") or shutil.which("soffice")
    if binary is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("LibreOffice is required under CI (apt-get install libreoffice-calc-nogui)")
        pytest.skip("LibreOffice not installed (apt-get install libreoffice-calc-nogui)")
    return binary


def convert_with_libreoffice(binary: str, document: Path, out_dir: Path, fmt: str = "pdf") -> Path | None:
    """Convert with a private profile; LibreOffice exits 0 even on failure, so return the file or None."""
    profile = Path("/tmp") / f"lo_{uuid.uuid4().hex}"
    try:
        subprocess.run(
            [binary, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
             "--convert-to", fmt, "--outdir", str(out_dir), str(document)],
            check=False, capture_output=True, timeout=180,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    produced = out_dir / f"{document.stem}.{fmt}"
    return produced if produced.is_file() and produced.stat().st_size > 0 else None


@pytest.fixture
def lo_convert(libreoffice: str):
    def convert(document: Path, out_dir: Path, fmt: str = "pdf") -> Path | None:
        return convert_with_libreoffice(libreoffice, document, out_dir, fmt)

    return convert
