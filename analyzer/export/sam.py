"""template.yaml: an AWS SAM skeleton of the plan, ready for `sam build` once code is moved.

One function per Lambda service (HTTP API routes from its HTTP entry points, EventBridge
Scheduler events from its schedules and commands, SQS/SNS/EventBridge events from the async
boundaries it consumes), one ECS Fargate service per Fargate service on a shared cluster, and
a queue / topic / rule per async boundary with producer permissions wired. What a skeleton
cannot decide (load balancers, websocket APIs, internal HTTP APIs) is listed under
Metadata.Strangler.todo. Intrinsic functions are plain dicts, so the YAML has no tags.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

from analyzer.export import views
from analyzer.model import Boundary, BoundaryCall, Plan, PlanEntryPoint, Service
from analyzer.rules import limit

RUNTIME = "python3.12"
HANDLER = "app.handler"
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")
#: API Gateway HTTP APIs stop waiting for an integration after 30 s.
#: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
HTTP_TIMEOUT_S = 30
WORKER_TIMEOUT_S = 300
DEFAULT_MEMORY_MB = 1024
#: AWS recommends a queue visibility timeout of six times the consuming function's timeout.
#: https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
VISIBILITY_FACTOR = 6
MAX_VISIBILITY_S = 43_200
#: A valid Fargate size pair (1 vCPU allows 2-8 GB).
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
FARGATE_CPU = "1024"
FARGATE_MEMORY = "2048"
FARGATE_QUEUE_VISIBILITY_S = 300
CONTAINER_PORT = 8000
EVENT_SOURCE_PREFIX = "app"
#: Part of a queue's logical id and environment variable, by the channel it serves.
QUEUE_KINDS = {"sqs": "", "sqs-fifo": "Fifo", "sns": "Sns", "eventbridge": "Events"}
#: Service names come from people (renames, an edited plan.xlsx) and reach AWS names with strict
#: rules: logical ids are alphanumeric, at most 255 characters, and get suffixes ("To", "Queue",
#: "Policy"...), so a service's own id is cut to 64; resource names, paths, log groups and ECR
#: repositories take [A-Za-z0-9_-] parts of at most 64 characters (a FIFO queue name, at most
#: 80 with its stack name, takes parts of 24).
#: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html
MAX_SERVICE_ID = 64
MAX_NAME_PART = 64
MAX_QUEUE_NAME_PART = 24
MAX_RULE_DESCRIPTION = 512
MAX_TEMPLATE_DESCRIPTION = 1024


def ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def get_att(name: str, attribute: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [name, attribute]}


def sub(template: str) -> dict[str, str]:
    return {"Fn::Sub": template}


def logical_id(*parts: str) -> str:
    """CamelCase alphanumerics: ('order-service', 'Queue') → 'OrderServiceQueue'."""
    words = [w for part in parts for w in re.split(r"[^A-Za-z0-9]+", part) if w]
    name = "".join(w[0].upper() + w[1:] for w in words)
    return name if name and name[0].isalpha() else f"S{name}"


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def aws_word(name: str, limit: int = MAX_NAME_PART) -> str:
    """A service name as part of an AWS resource name, path or repository: [A-Za-z0-9_-] only, at
    most `limit` characters. A name that had to change carries a stable hash of the original, so
    two names never collapse into one; a name that fits is kept as it is."""
    word = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-_")
    if word == name and 0 < len(word) <= limit:
        return word
    return f"{word[:limit - 9].rstrip('-_') or 'service'}-{_short_hash(name)}"


def short_name(qualname: str) -> str:
    """'shop.promo.Engine.apply' → 'apply'; a constructor 'shop.promo.Engine.__init__' → 'Engine'."""
    parts = qualname.split(".")
    return parts[-2] if parts[-1] == "__init__" and len(parts) > 1 else parts[-1]


def env_name(*parts: str) -> str:
    """An environment variable name: upper-case words joined by `_`, starting with a letter."""
    name = "_".join(w.upper() for part in parts for w in re.split(r"[^A-Za-z0-9]+", part) if w)
    return name if name[:1].isalpha() else f"S_{name}"


# --------------------------------------------------------------------------- entry points → events


@dataclass(frozen=True)
class Route:
    method: str
    path: str


def http_routes(detail: str) -> list[Route]:
    """'GET, POST /orders/<int:pid>' or '/orders/(?P<pk>\\d+)/ -> view' → HTTP API routes."""
    detail = detail.split(" -> ", 1)[0].strip()
    match = re.match(r"^((?:[A-Za-z]+\s*,\s*)*[A-Za-z]+)\s+(\S.*)$", detail)
    methods: list[str] = ["ANY"]
    path = detail
    if match and all(m.strip().upper() in HTTP_METHODS for m in match.group(1).split(",")):
        methods = [m.strip().upper() for m in match.group(1).split(",")]
        path = match.group(2).strip()
    converted = api_path(path)
    if converted is None:
        return []
    return [Route(method, converted) for method in dict.fromkeys(methods)]


def api_path(route: str) -> str | None:
    """Flask/Django route syntax → API Gateway path: '<int:pid>' and '(?P<pid>…)' → '{pid}'."""
    route = route.strip().lstrip("^").rstrip("$")
    if not route.startswith("/") or re.search(r"[\s'\"]", route):
        return None  # an expression such as PREFIX + "/x", not a literal route
    counter = iter(range(1, 100))
    route = re.sub(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)", r"{\1}", route)
    route = re.sub(r"\((?:[^()]|\([^()]*\))*\)", lambda _: f"{{param{next(counter)}}}", route)
    segments = [s for s in route.split("/") if s]
    converted = []
    for index, segment in enumerate(segments):
        variable = re.fullmatch(r"<(?:(\w+):)?(\w+)>", segment)
        if variable:
            greedy = variable.group(1) == "path" and index == len(segments) - 1
            segment = f"{{{variable.group(2)}{'+' if greedy else ''}}}"
        else:
            segment = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", segment)
            segment = re.sub(r"[^A-Za-z0-9\-_.~{}+]", "", segment)
        if segment:
            converted.append(segment)
    return "/" + "/".join(converted)


_CRON_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
_DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_INTERVAL_UNITS = {"second": 1 / 60, "minute": 1, "hour": 60, "day": 1440, "week": 10080}


def schedule_expression(detail: str) -> str | None:
    """Celery crontab / APScheduler / `schedule` / timedelta text → EventBridge Scheduler expression."""
    kwargs = {name: quoted or bare for name, _, quoted, bare in
              re.findall(r"(\w+)\s*=\s*(?:(['\"])([^'\"]*)\2|([\w*/\-.]+))", detail)}
    if "crontab" in detail or "'cron'" in detail or '"cron"' in detail:
        return _cron(kwargs)
    every = re.search(r"every\((\d*)\)\s*\.\s*(second|minute|hour|day|week)s?", detail)
    if every:
        at = re.search(r"\.at\(['\"](\d{1,2}):(\d{2})", detail)
        if at and every.group(2) == "day":
            return f"cron({int(at.group(2))} {int(at.group(1))} * * ? *)"
        return _rate(int(every.group(1) or 1) * _INTERVAL_UNITS[every.group(2)])
    minutes = sum(float(kwargs[f"{unit}s"]) * factor for unit, factor in _INTERVAL_UNITS.items()
                  if _is_number(kwargs.get(f"{unit}s")))
    if minutes:
        return _rate(minutes)
    return None


def _is_number(value: str | None) -> bool:
    return value is not None and re.fullmatch(r"\d+(\.\d+)?", value) is not None


def _rate(minutes: float) -> str:
    whole = max(1, round(minutes))
    for unit, size in (("day", 1440), ("hour", 60)):
        if whole % size == 0:
            count = whole // size
            return f"rate({count} {unit}{'s' if count != 1 else ''})"
    return f"rate({whole} minute{'s' if whole != 1 else ''})"


def _cron(kwargs: dict[str, str]) -> str | None:
    values = {name: kwargs.get(name, "*") for name in _CRON_FIELDS}
    values["day_of_week"] = kwargs.get("day_of_week", kwargs.get("day", "*"))
    for name in ("minute", "hour", "day_of_month", "month_of_year"):
        if not re.fullmatch(r"[\d*/,\-]+", values[name]):
            return None
    week = _cron_weekdays(values["day_of_week"])
    if week is None:
        return None
    day_of_month = values["day_of_month"]
    if week != "*":
        day_of_month = "?"
    else:
        week = "?"
    return f"cron({values['minute']} {values['hour']} {day_of_month} {values['month_of_year']} {week} *)"


def _cron_weekdays(value: str) -> str | None:
    """Celery weekdays (0 or 'sun' = Sunday) → EventBridge (1 or SUN = Sunday)."""
    if value == "*":
        return "*"

    def one(token: str) -> str | None:
        if token.isdigit() and 0 <= int(token) <= 7:
            return str(int(token) % 7 + 1)
        name = token[:3].upper()
        return name if name in _DAY_NAMES else None

    parts = []
    for item in value.split(","):
        bounds = [one(t) for t in item.split("-")]
        if any(b is None for b in bounds) or len(bounds) > 2:
            return None
        parts.append("-".join(b for b in bounds if b))
    return ",".join(parts)


# --------------------------------------------------------------------------- the template


@dataclass
class _Wiring:
    """Per-service environment variables and permissions collected from the boundaries."""

    env: dict[str, Any] = field(default_factory=dict)
    sam_policies: list[dict[str, Any]] = field(default_factory=list)
    statements: list[dict[str, Any]] = field(default_factory=list)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)


class _Template:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.services = {s.name: s for s in plan.services}
        self.resources: dict[str, Any] = {}
        self.outputs: dict[str, Any] = {}
        self.todo: list[str] = []
        self.routes_seen: set[tuple[str, str]] = set()
        self.wiring: dict[str, _Wiring] = {s.name: _Wiring() for s in plan.services}
        self.queue_env: dict[str, str] = {}
        self.ids = self._service_ids(plan.services)

    @staticmethod
    def _service_ids(services: Iterable[Service]) -> dict[str, str]:
        ids: dict[str, str] = {}
        for service in sorted(services, key=lambda s: s.name):
            base = candidate = logical_id(service.name)
            if len(base) > MAX_SERVICE_ID:
                base = candidate = f"{base[:MAX_SERVICE_ID - 12]}{_short_hash(service.name).upper()}"
            suffix = 2
            while candidate in ids.values():
                candidate = f"{base}{suffix}"
                suffix += 1
            ids[service.name] = candidate
        return ids

    def compute(self, name: str) -> str:
        service = self.services.get(name)
        return "" if service is None else views.compute_of(service)

    def lambdas(self) -> list[Service]:
        return [s for s in views.services_in_order(self.plan) if views.compute_of(s) == "lambda"]

    def fargates(self) -> list[Service]:
        return [s for s in views.services_in_order(self.plan) if views.compute_of(s) == "fargate"]

    # ----------------------------------------------------------------- sizes from the limits table

    @staticmethod
    def timeout(service: Service) -> int:
        wanted = HTTP_TIMEOUT_S if any(e.kind == "http" for e in service.entry_points) else WORKER_TIMEOUT_S
        return int(min(wanted, limit("lambda.timeout").value))

    @staticmethod
    def memory(service: Service) -> int:
        return int(min(max(limit("lambda.memory.min").value, DEFAULT_MEMORY_MB), limit("lambda.memory.max").value))

    # ----------------------------------------------------------------- build

    def build(self) -> dict[str, Any]:
        for boundary in sorted(self.plan.boundaries, key=lambda b: (b.source, b.target, b.style, b.channel)):
            self.boundary(boundary)
        shared = [s for s in self.plan.services if s.kind == "shared"]
        layer = self.shared_layer(shared[0]) if shared and self.lambdas() else None
        for service in self.lambdas():
            self.function(service, layer)
        if self.fargates():
            self.fargate_common()
            for service in self.fargates():
                self.fargate(service)
        template: dict[str, Any] = {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Transform": "AWS::Serverless-2016-10-31",
            "Description": (f"Strangler skeleton for {self.plan.source.root}: {len(self.lambdas())} Lambda and "
                            f"{len(self.fargates())} Fargate services.")[:MAX_TEMPLATE_DESCRIPTION],
            "Metadata": {"Strangler": {
                "source": self.plan.source.root,
                "services": {s.name: self.compute(s.name) or "shared"
                             for s in views.services_in_order(self.plan)},
                "todo": sorted(set(self.todo)),
            }},
            "Resources": self.resources,
        }
        if self.fargates():
            template["Parameters"] = {
                "VpcSubnets": {"Type": "List<AWS::EC2::Subnet::Id>",
                               "Description": "Private subnets for the Fargate tasks"},
                "SecurityGroup": {"Type": "AWS::EC2::SecurityGroup::Id",
                                  "Description": "Security group for the Fargate tasks"},
            }
        if self.outputs:
            template["Outputs"] = self.outputs
        return template

    # ----------------------------------------------------------------- boundaries

    def boundary(self, boundary: Boundary) -> None:
        """Wire each channel the boundary's calls use (a sync boundary may still carry async calls)."""
        if boundary.source not in self.services or boundary.target not in self.services:
            self.todo.append(f"boundary {boundary.source} -> {boundary.target} names an unknown service")
            return
        by_channel: dict[str, list[BoundaryCall]] = {}
        for call in boundary.calls:
            by_channel.setdefault(call.channel, []).append(call)
        for channel, calls in sorted(by_channel.items()) or [(boundary.channel, [])]:
            style = "sync" if channel == "http" else "async"
            self.channel(dataclasses.replace(boundary, style=style, channel=channel, calls=tuple(calls)))

    def channel(self, boundary: Boundary) -> None:
        if boundary.style == "sync" or boundary.channel == "http":
            callees = sorted({short_name(c.callee) for c in boundary.calls})
            self.todo.append(f"{boundary.target}: expose {', '.join(callees) or 'its API'} over HTTP "
                             f"for {boundary.source}")
            return
        handler = {"sqs": self.queue_boundary, "sqs-fifo": self.queue_boundary,
                   "sns": self.topic_boundary, "eventbridge": self.rule_boundary}.get(boundary.channel)
        if handler is None:
            self.todo.append(f"boundary {boundary.source} -> {boundary.target}: unknown channel {boundary.channel}")
            return
        handler(boundary)

    def pair_id(self, boundary: Boundary) -> str:
        return f"{self.ids[boundary.source]}To{self.ids[boundary.target]}"

    def queue(self, boundary: Boundary) -> str:
        """A queue from boundary.source to boundary.target (FIFO for sqs-fifo)."""
        consumer = boundary.target
        visibility = FARGATE_QUEUE_VISIBILITY_S
        if self.compute(consumer) == "lambda":
            visibility = min(MAX_VISIBILITY_S, VISIBILITY_FACTOR * self.timeout(self.services[consumer]))
        properties: dict[str, Any] = {"VisibilityTimeout": visibility}
        if boundary.channel == "sqs-fifo":
            properties.update({
                "FifoQueue": True,
                "ContentBasedDeduplication": True,
                "QueueName": sub(f"${{AWS::StackName}}-{aws_word(boundary.source, MAX_QUEUE_NAME_PART)}-to-"
                                 f"{aws_word(boundary.target, MAX_QUEUE_NAME_PART)}.fifo"),
            })
        kind = QUEUE_KINDS.get(boundary.channel, logical_id(boundary.channel))
        queue_id = f"{self.pair_id(boundary)}{kind}Queue"
        self.queue_env[queue_id] = env_name(aws_word(boundary.source), "to", aws_word(boundary.target), kind,
                                            "queue_url")
        self.resources[queue_id] = {"Type": "AWS::SQS::Queue", "Properties": properties}
        return queue_id

    def consume_queue(self, consumer: str, queue_id: str, event_name: str) -> None:
        """Lambda: an SQS event; Fargate: the queue URL in the environment and receive rights."""
        wiring = self.wiring[consumer]
        if self.compute(consumer) == "lambda":
            wiring.events[_unique(wiring.events, event_name)] = {"Type": "SQS", "Properties": {
                "Queue": get_att(queue_id, "Arn"), "BatchSize": 10}}
        else:
            wiring.env[self.queue_env[queue_id]] = ref(queue_id)
            wiring.statements.append({
                "Effect": "Allow",
                "Action": ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                           "sqs:ReceiveMessage"],
                "Resource": get_att(queue_id, "Arn")})

    def queue_boundary(self, boundary: Boundary) -> None:
        queue_id = self.queue(boundary)
        self.consume_queue(boundary.target, queue_id,
                           f"From{self.ids[boundary.source]}{QUEUE_KINDS.get(boundary.channel, '')}")
        producer = self.wiring[boundary.source]
        producer.env[self.queue_env[queue_id]] = ref(queue_id)
        if self.compute(boundary.source) == "lambda":
            producer.sam_policies.append({"SQSSendMessagePolicy": {"QueueName": get_att(queue_id, "QueueName")}})
        else:
            producer.statements.append({"Effect": "Allow", "Action": ["sqs:SendMessage"],
                                        "Resource": get_att(queue_id, "Arn")})

    def topic_boundary(self, boundary: Boundary) -> None:
        """One topic per publishing service; each consuming service subscribes (fan-out)."""
        topic_id = f"{self.ids[boundary.source]}Topic"
        if topic_id not in self.resources:
            self.resources[topic_id] = {"Type": "AWS::SNS::Topic", "Properties": {}}
            producer = self.wiring[boundary.source]
            producer.env[env_name(aws_word(boundary.source), "topic_arn")] = ref(topic_id)
            if self.compute(boundary.source) == "lambda":
                producer.sam_policies.append({"SNSPublishMessagePolicy": {"TopicName": get_att(topic_id, "TopicName")}})
            else:
                producer.statements.append({"Effect": "Allow", "Action": ["sns:Publish"], "Resource": ref(topic_id)})
        if self.compute(boundary.target) == "lambda":
            events = self.wiring[boundary.target].events
            events[_unique(events, f"From{topic_id}")] = {
                "Type": "SNS", "Properties": {"Topic": ref(topic_id)}}
            return
        name = self.pair_id(boundary)
        queue_id = self.queue(boundary)
        self.resources[f"{name}Subscription"] = {"Type": "AWS::SNS::Subscription", "Properties": {
            "TopicArn": ref(topic_id), "Protocol": "sqs", "Endpoint": get_att(queue_id, "Arn"),
            "RawMessageDelivery": True}}
        self.queue_policy(queue_id, "sns.amazonaws.com", ref(topic_id))
        self.consume_queue(boundary.target, queue_id, f"From{topic_id}")

    def rule_boundary(self, boundary: Boundary) -> None:
        """A rule on the default bus matching the producer's events, targeting the consumer."""
        name = self.pair_id(boundary)
        rule_id = f"{name}Rule"
        detail_types = sorted({short_name(c.callee) for c in boundary.calls})
        pattern: dict[str, Any] = {"source": [f"{EVENT_SOURCE_PREFIX}.{aws_word(boundary.source)}"]}
        if detail_types:
            pattern["detail-type"] = detail_types
        if self.compute(boundary.target) == "lambda":
            function_id = f"{self.ids[boundary.target]}Function"
            target = {"Id": self.ids[boundary.target], "Arn": get_att(function_id, "Arn")}
            self.resources[f"{name}Permission"] = {"Type": "AWS::Lambda::Permission", "Properties": {
                "Action": "lambda:InvokeFunction", "FunctionName": ref(function_id),
                "Principal": "events.amazonaws.com", "SourceArn": get_att(rule_id, "Arn")}}
        else:
            queue_id = self.queue(boundary)
            target = {"Id": self.ids[boundary.target], "Arn": get_att(queue_id, "Arn")}
            self.queue_policy(queue_id, "events.amazonaws.com", get_att(rule_id, "Arn"))
            self.consume_queue(boundary.target, queue_id, f"From{name}")
        self.resources[rule_id] = {"Type": "AWS::Events::Rule", "Properties": {
            "Description": f"{boundary.source} events for {boundary.target}"[:MAX_RULE_DESCRIPTION],
            "EventPattern": pattern, "State": "ENABLED", "Targets": [target]}}
        producer = self.wiring[boundary.source]
        producer.env["EVENT_BUS_NAME"] = "default"
        producer.env["EVENT_SOURCE"] = f"{EVENT_SOURCE_PREFIX}.{aws_word(boundary.source)}"
        if self.compute(boundary.source) == "lambda":
            policy = {"EventBridgePutEventsPolicy": {"EventBusName": "default"}}
            if policy not in producer.sam_policies:
                producer.sam_policies.append(policy)
        else:
            statement = {"Effect": "Allow", "Action": ["events:PutEvents"],
                         "Resource": sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}"
                                         ":event-bus/default")}
            if statement not in producer.statements:
                producer.statements.append(statement)

    def queue_policy(self, queue_id: str, principal: str, source_arn: Any) -> None:
        self.resources[f"{queue_id}Policy"] = {"Type": "AWS::SQS::QueuePolicy", "Properties": {
            "Queues": [ref(queue_id)],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": principal}, "Action": "sqs:SendMessage",
                "Resource": get_att(queue_id, "Arn"),
                "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}}}]}}}

    # ----------------------------------------------------------------- Lambda

    def shared_layer(self, shared: Service) -> str:
        layer_id = f"{self.ids[shared.name]}Layer"
        self.resources[layer_id] = {"Type": "AWS::Serverless::LayerVersion", "Properties": {
            "ContentUri": f"shared/{aws_word(shared.name)}/",
            "CompatibleRuntimes": [RUNTIME],
            "Description": f"Shared kernel: {len(shared.modules)} modules every service may use"}}
        return layer_id

    def function(self, service: Service, layer: str | None) -> None:
        wiring = self.wiring[service.name]
        events = dict(wiring.events)
        for entry in sorted(service.entry_points, key=lambda e: (e.path, e.line, e.kind, e.detail)):
            self.entry_event(service, entry, events)
        properties: dict[str, Any] = {
            "CodeUri": f"services/{aws_word(service.name)}/",
            "Handler": HANDLER,
            "Runtime": RUNTIME,
            "MemorySize": self.memory(service),
            "Timeout": self.timeout(service),
            "Description": _description(service),
        }
        if layer:
            properties["Layers"] = [ref(layer)]
        if events:
            properties["Events"] = events
        if wiring.env:
            properties["Environment"] = {"Variables": dict(sorted(wiring.env.items()))}
        if wiring.sam_policies:
            properties["Policies"] = wiring.sam_policies
        self.resources[f"{self.ids[service.name]}Function"] = {
            "Type": "AWS::Serverless::Function", "Properties": properties}

    def entry_event(self, service: Service, entry: PlanEntryPoint, events: dict[str, Any]) -> None:
        where = f"{entry.path}:{entry.line}"
        if entry.kind == "http":
            routes = http_routes(entry.detail)
            if not routes:
                self.todo.append(f"{service.name}: route {entry.detail!r} ({where}) needs a path by hand")
            for route in routes:
                if (route.method, route.path) in self.routes_seen:
                    self.todo.append(f"{service.name}: route {route.method} {route.path} ({where}) is "
                                     "declared twice; kept the first")
                    continue
                self.routes_seen.add((route.method, route.path))
                events[_unique(events, logical_id(route.method.lower(), route.path.replace("+", "")))] = {
                    "Type": "HttpApi", "Properties": {"Method": route.method, "Path": route.path}}
                self.outputs.setdefault("HttpApiUrl", {
                    "Description": "Base URL of the HTTP API",
                    "Value": sub("https://${ServerlessHttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/")})
        elif entry.kind in ("schedule", "command"):
            expression = schedule_expression(entry.detail) if entry.kind == "schedule" else None
            state = "ENABLED" if expression else "DISABLED"
            description = (f"{entry.detail} ({where})" if expression else
                           f"{entry.detail} ({where}): set the schedule, or invoke on demand")
            events[_unique(events, logical_id(entry.kind, entry.detail)[:48])] = {
                "Type": "ScheduleV2", "Properties": {
                    "ScheduleExpression": expression or "rate(1 day)",
                    "State": state, "Description": description[:512]}}
        elif entry.kind == "websocket":
            self.todo.append(f"{service.name}: websocket {entry.detail!r} ({where}) needs an API Gateway "
                             "WebSocket API")

    # ----------------------------------------------------------------- Fargate

    def fargate_common(self) -> None:
        self.resources["Cluster"] = {"Type": "AWS::ECS::Cluster", "Properties": {}}
        self.resources["TaskExecutionRole"] = {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": _assume("ecs-tasks.amazonaws.com"),
            "ManagedPolicyArns": [
                sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")]}}

    def fargate(self, service: Service) -> None:
        base = self.ids[service.name]
        word = aws_word(service.name)
        wiring = self.wiring[service.name]
        task_role: dict[str, Any] = {"AssumeRolePolicyDocument": _assume("ecs-tasks.amazonaws.com")}
        if wiring.statements:
            task_role["Policies"] = [{"PolicyName": f"{base}Messaging", "PolicyDocument": {
                "Version": "2012-10-17", "Statement": wiring.statements}}]
        self.resources[f"{base}TaskRole"] = {"Type": "AWS::IAM::Role", "Properties": task_role}
        self.resources[f"{base}LogGroup"] = {"Type": "AWS::Logs::LogGroup", "Properties": {
            "LogGroupName": sub(f"/ecs/${{AWS::StackName}}/{word}"), "RetentionInDays": 30}}
        container: dict[str, Any] = {
            "Name": word,
            "Image": sub(f"${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/"
                         f"{word.lower()}:latest"),
            "Essential": True,
            "LogConfiguration": {"LogDriver": "awslogs", "Options": {
                "awslogs-group": ref(f"{base}LogGroup"), "awslogs-region": ref("AWS::Region"),
                "awslogs-stream-prefix": word}},
        }
        if wiring.env:
            container["Environment"] = [{"Name": k, "Value": v} for k, v in sorted(wiring.env.items())]
        if any(e.kind in ("http", "websocket") for e in service.entry_points):
            container["PortMappings"] = [{"ContainerPort": CONTAINER_PORT, "Protocol": "tcp"}]
            self.todo.append(f"{service.name}: put an Application Load Balancer in front of port "
                             f"{CONTAINER_PORT} for its HTTP/websocket entry points")
        for entry in service.entry_points:
            if entry.kind in ("schedule", "command"):
                self.todo.append(f"{service.name}: run {entry.detail!r} ({entry.path}:{entry.line}) with "
                                 "EventBridge Scheduler (ECS RunTask)")
        self.resources[f"{base}TaskDefinition"] = {"Type": "AWS::ECS::TaskDefinition", "Properties": {
            "Family": sub(f"${{AWS::StackName}}-{word}"),
            "RequiresCompatibilities": ["FARGATE"],
            "NetworkMode": "awsvpc",
            "Cpu": FARGATE_CPU,
            "Memory": FARGATE_MEMORY,
            "ExecutionRoleArn": get_att("TaskExecutionRole", "Arn"),
            "TaskRoleArn": get_att(f"{base}TaskRole", "Arn"),
            "ContainerDefinitions": [container]}}
        self.resources[f"{base}Service"] = {"Type": "AWS::ECS::Service", "Properties": {
            "Cluster": ref("Cluster"),
            "LaunchType": "FARGATE",
            "DesiredCount": 1,
            "TaskDefinition": ref(f"{base}TaskDefinition"),
            "NetworkConfiguration": {"AwsvpcConfiguration": {
                "AssignPublicIp": "DISABLED",
                "Subnets": ref("VpcSubnets"),
                "SecurityGroups": [ref("SecurityGroup")]}}}}


def _assume(service_principal: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service_principal}, "Action": "sts:AssumeRole"}]}


def _unique(existing: dict[str, Any], name: str) -> str:
    candidate, suffix = name, 2
    while candidate in existing:
        candidate = f"{name}{suffix}"
        suffix += 1
    return candidate


def _description(service: Service) -> str:
    reason = service.target.reasons[0].detail if service.target and service.target.reasons else ""
    text = f"{service.name}: {len(service.modules)} modules, {service.loc} LOC"
    return (f"{text}; {reason}" if reason else text)[:256]


def sam_template(plan: Plan) -> dict[str, Any]:
    """The template as data (what render_sam dumps)."""
    return _Template(plan).build()


def render_sam(plan: Plan) -> str:
    """template.yaml text: sorted keys, no YAML tags, byte-identical for the same plan."""
    return yaml.safe_dump(sam_template(plan), sort_keys=True, default_flow_style=False,
                          allow_unicode=True, width=100)
