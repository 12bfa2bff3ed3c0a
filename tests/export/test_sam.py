from __future__ import annotations

import dataclasses

import pytest
import yaml

from analyzer.export.sam import api_path, http_routes, logical_id, render_sam, schedule_expression, short_name
from analyzer.model import Boundary, BoundaryCall, PlanEntryPoint, Service, Target
from analyzer.rules import limit

cfnlint_api = pytest.importorskip("cfnlint.api")


def lint(template: str) -> list[str]:
    matches = cfnlint_api.lint(template, config=cfnlint_api.ManualArgs(regions=["us-east-1"]))
    return [f"{m.rule.id} {m.message}" for m in matches]


def resources(plan) -> dict:
    return yaml.safe_load(render_sam(plan))["Resources"]


def of_type(res: dict, kind: str) -> dict:
    return {name: r for name, r in res.items() if r["Type"] == kind}


def test_template_passes_cfn_lint_without_errors_or_warnings(plan):
    assert lint(render_sam(plan)) == []


def test_template_is_plain_yaml_and_byte_stable(plan):
    text = render_sam(plan)
    data = yaml.safe_load(text)  # safe_load refuses tags such as !Ref: intrinsics are plain dicts
    assert "Fn::GetAtt" in text
    assert data["Transform"] == "AWS::Serverless-2016-10-31"
    reordered = dataclasses.replace(plan, services=tuple(reversed(plan.services)),
                                    boundaries=tuple(reversed(plan.boundaries)))
    assert render_sam(reordered) == text


def test_one_function_per_lambda_service_with_http_api_events(plan):
    res = resources(plan)
    functions = of_type(res, "AWS::Serverless::Function")
    assert sorted(functions) == ["NotificationsFunction", "OrdersFunction"]
    orders = functions["OrdersFunction"]["Properties"]
    assert orders["Runtime"] == "python3.12"
    assert orders["CodeUri"] == "services/orders/"
    assert orders["Layers"] == [{"Ref": "SharedKernelLayer"}]
    routes = sorted((e["Properties"]["Method"], e["Properties"]["Path"])
                    for e in orders["Events"].values() if e["Type"] == "HttpApi")
    assert routes == [("GET", "/orders/{order_id}"), ("GET", "/orders/{order_id}/lines/{line_no}"),
                      ("POST", "/orders"), ("PUT", "/orders/{order_id}/lines/{line_no}")]
    assert 1 <= orders["Timeout"] <= limit("lambda.timeout").value
    assert limit("lambda.memory.min").value <= orders["MemorySize"] <= limit("lambda.memory.max").value


def test_lambda_consumers_get_queue_events_and_producers_get_permissions(plan):
    res = resources(plan)
    notifications = res["NotificationsFunction"]["Properties"]
    sqs = notifications["Events"]["FromOrders"]
    assert sqs == {"Type": "SQS", "Properties": {
        "Queue": {"Fn::GetAtt": ["OrdersToNotificationsQueue", "Arn"]}, "BatchSize": 10}}
    command = notifications["Events"]["CommandManagePyResendFailed"]["Properties"]
    assert command["State"] == "DISABLED" and "manage.py resend_failed" in command["Description"]
    orders = res["OrdersFunction"]["Properties"]
    assert {"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": ["OrdersToNotificationsQueue", "QueueName"]}}} \
        in orders["Policies"]
    assert orders["Environment"]["Variables"]["ORDERS_TO_NOTIFICATIONS_QUEUE_URL"] == \
        {"Ref": "OrdersToNotificationsQueue"}
    visibility = res["OrdersToNotificationsQueue"]["Properties"]["VisibilityTimeout"]
    assert visibility >= 6 * notifications["Timeout"]


def test_fifo_boundary_makes_a_fifo_queue(plan):
    queue = resources(plan)["NotificationsToReportingFifoQueue"]["Properties"]
    assert queue["FifoQueue"] is True
    assert queue["QueueName"]["Fn::Sub"].endswith(".fifo")


def test_sns_boundary_topic_with_sqs_subscription_for_a_fargate_consumer(plan):
    res = resources(plan)
    assert "OrdersTopic" in of_type(res, "AWS::SNS::Topic")
    subscription = res["OrdersToReportingSubscription"]["Properties"]
    assert subscription["TopicArn"] == {"Ref": "OrdersTopic"}
    assert subscription["Endpoint"] == {"Fn::GetAtt": ["OrdersToReportingSnsQueue", "Arn"]}
    policy = res["OrdersToReportingSnsQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert policy["Principal"] == {"Service": "sns.amazonaws.com"}


def test_eventbridge_boundary_rule_targets_the_consumer(plan):
    res = resources(plan)
    rule = res["ReportingToNotificationsRule"]["Properties"]
    assert rule["EventPattern"] == {"source": ["app.reporting"], "detail-type": ["report_ready"]}
    assert rule["Targets"] == [{"Id": "Notifications", "Arn": {"Fn::GetAtt": ["NotificationsFunction", "Arn"]}}]
    permission = res["ReportingToNotificationsPermission"]["Properties"]
    assert permission["Principal"] == "events.amazonaws.com"


def test_fargate_service_with_cluster_task_definition_and_roles(plan):
    data = yaml.safe_load(render_sam(plan))
    res = data["Resources"]
    assert list(of_type(res, "AWS::ECS::Cluster")) == ["Cluster"]
    task = res["ReportingTaskDefinition"]["Properties"]
    assert task["RequiresCompatibilities"] == ["FARGATE"]
    assert (task["Cpu"], task["Memory"]) == ("1024", "2048")
    assert task["ExecutionRoleArn"] == {"Fn::GetAtt": ["TaskExecutionRole", "Arn"]}
    service = res["ReportingService"]["Properties"]
    assert service["LaunchType"] == "FARGATE"
    assert service["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"] == {"Ref": "VpcSubnets"}
    assert set(data["Parameters"]) == {"VpcSubnets", "SecurityGroup"}
    statements = res["ReportingTaskRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    consumed = {s["Resource"]["Fn::GetAtt"][0] for s in statements if "sqs:ReceiveMessage" in s["Action"]}
    assert consumed == {"NotificationsToReportingFifoQueue", "OrdersToReportingSnsQueue"}


def test_what_a_skeleton_cannot_decide_is_listed_as_todo(plan):
    todo = yaml.safe_load(render_sam(plan))["Metadata"]["Strangler"]["todo"]
    assert "orders: expose list_orders, total over HTTP for reporting" in todo
    assert any("Application Load Balancer" in item for item in todo)


def test_lambda_schedules_fan_out_and_duplicate_routes(plan):
    """A Lambda with a crontab, two SNS consumers of one topic, and a route declared twice."""
    worker = Service(
        name="billing-jobs", kind="service", modules=("shop.billing.jobs",), loc=50,
        entry_points=(PlanEntryPoint("schedule", "crontab(minute=30, hour=4, day_of_week='mon-fri')", "b.py", 3),
                      PlanEntryPoint("http", "POST /orders", "b.py", 9)),
        target=Target("lambda", 0.8))
    fan_out = Boundary("orders", "billing-jobs", "async", "sns", (
        BoundaryCall("shop.orders.service.place_order", "shop.billing.jobs.on_order", "shop/orders/service.py", 91,
                     "async", "sns"),))
    bigger = dataclasses.replace(plan, services=(*plan.services, worker),
                                 boundaries=(*plan.boundaries, fan_out))
    text = render_sam(bigger)
    assert lint(text) == []
    data = yaml.safe_load(text)
    events = data["Resources"]["BillingJobsFunction"]["Properties"]["Events"]
    schedule = next(e for e in events.values() if e["Type"] == "ScheduleV2")["Properties"]
    assert schedule["ScheduleExpression"] == "cron(30 4 ? * MON-FRI *)"
    assert schedule["State"] == "ENABLED"
    assert events["FromOrdersTopic"] == {"Type": "SNS", "Properties": {"Topic": {"Ref": "OrdersTopic"}}}
    assert len(of_type(data["Resources"], "AWS::SNS::Topic")) == 1
    assert [t for t in data["Metadata"]["Strangler"]["todo"] if "declared twice" in t] == [
        "orders: route POST /orders (shop/api/orders.py:12) is declared twice; kept the first"]


def test_async_calls_inside_a_sync_boundary_still_get_their_queue(plan):
    mixed = plan.boundaries[-1]  # reporting -> orders, sync http
    assert (mixed.source, mixed.target, mixed.style) == ("reporting", "orders", "sync")
    queued = dataclasses.replace(mixed.calls[0], line=99, style="async", channel="sqs")
    changed = dataclasses.replace(plan, boundaries=(
        *plan.boundaries[:-1], dataclasses.replace(mixed, calls=(*mixed.calls, queued))))
    text = render_sam(changed)
    assert lint(text) == []
    data = yaml.safe_load(text)
    assert "ReportingToOrdersQueue" in data["Resources"]
    assert "FromReporting" in data["Resources"]["OrdersFunction"]["Properties"]["Events"]
    assert "orders: expose list_orders, total over HTTP for reporting" in data["Metadata"]["Strangler"]["todo"]


@pytest.mark.parametrize("detail, expected", [
    ("GET /orders/<int:order_id>", [("GET", "/orders/{order_id}")]),
    ("POST, GET /items", [("POST", "/items"), ("GET", "/items")]),
    ("/patients/<int:pk>/ -> views.detail", [("ANY", "/patients/{pk}")]),
    ("/patients/(?P<pk>\\d+)/visits/$ -> views.visits", [("ANY", "/patients/{pk}/visits")]),
    ("GET /files/<path:rest>", [("GET", "/files/{rest+}")]),
    ("/ -> views.home", [("ANY", "/")]),
    ("/api/ -> include(urls)", [("ANY", "/api")]),
    ("GET PREFIX + '/x'", []),
])
def test_routes_convert_from_flask_and_django_syntax(detail, expected):
    assert [(r.method, r.path) for r in http_routes(detail)] == expected


def test_api_path_replaces_unnamed_regex_groups():
    assert api_path("/archive/(\\d{4})/$") == "/archive/{param1}"


@pytest.mark.parametrize("detail, expected", [
    ("crontab(minute=0, hour=2)", "cron(0 2 * * ? *)"),
    ("crontab(minute='*/15')", "cron(*/15 * * * ? *)"),
    ("crontab(hour=7, minute=30, day_of_week=1)", "cron(30 7 ? * 2 *)"),
    ("scheduler.add_job(sync, 'interval', minutes=5)", "rate(5 minutes)"),
    ("scheduler.add_job(sync, 'cron', hour=3)", "cron(* 3 * * ? *)"),
    ("schedule.every(2).hours.do(job)", "rate(2 hours)"),
    ("schedule.every().day.at(\"10:30\").do(job)", "cron(30 10 * * ? *)"),
    ("@periodic_task(run_every=timedelta(seconds=30))", "rate(1 minute)"),
    ("@periodic_task(run_every=timedelta(days=1))", "rate(1 day)"),
    ("crontab(day_of_week='someday')", None),
    ("beat_schedule entry", None),
])
def test_schedules_convert_to_eventbridge_expressions(detail, expected):
    assert schedule_expression(detail) == expected


def test_short_names_of_callees():
    assert short_name("shop.orders.service.get_order") == "get_order"
    assert short_name("shop.promo.engine.PromotionEngine.__init__") == "PromotionEngine"


def test_logical_ids_are_camel_case_alphanumerics():
    assert logical_id("shared-kernel", "Layer") == "SharedKernelLayer"
    assert logical_id("order_service") == "OrderService"
    assert logical_id("3d-render") == "S3dRender"
