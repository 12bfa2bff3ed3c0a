"""How services should talk: one BoundaryCall per call site that crosses two services.

The rules (policy in analyzer/rules/recommend.yml):
- sync over HTTP when the caller uses the answer (return value assigned, returned, tested,
  passed on or awaited) and the call is not deferred;
- async otherwise: the return value is discarded, the call is deferred (.delay, .apply_async,
  an executor, a job queue, a thread, a callback) or it is a signal/event;
- async channel: a signal (domain event) that reaches one other service is a queue (SQS); two
  services, a topic (SNS); `eventbridge_min_services` (3) or more, an EventBridge bus. A command
  to one service goes to SQS, or to SQS FIFO when the callee or its arguments name an entity
  updated in sequence (stock, balance, ledger, version...);
- a boundary summarises its calls: any sync call makes it sync/http (the caller waits on the
  target somewhere), otherwise it takes the highest-ranked async channel among its calls; its
  `channels` keep every style and channel with its count, so no report hides what the summary merges.
Calls into the shared kernel or outside the analyzed tree are not boundaries. TYPE_CHECKING-only
imports never produce a CallSite, so they can never become a boundary.
"""

from __future__ import annotations

import ast
import re
from collections import Counter, defaultdict

from analyzer.model import Boundary, BoundaryCall, CallSite, ChannelCount, Decomposition, PayloadWarning
from analyzer.recommend.locate import Locator
from analyzer.recommend.runtime import annotate
from analyzer.rules import limit, load_policy
from analyzer.rules.policy import BoundaryPolicy, PayloadRules

_STRING = re.compile(r"[rRbBuUfF]*('[^']*'|\"[^\"]*\")")
SIGNAL_SEND_SUFFIXES = (".send_robust", ".send", ".emit", ".fire", ".publish", ".dispatch")


def find_boundaries(decomposition: Decomposition, locator: Locator | None = None) -> tuple[Boundary, ...]:
    """Every cross-service call, grouped by (source, target), sorted."""
    locator = locator or Locator.of(decomposition)
    policy = load_policy().boundaries
    calls = decomposition.graph.calls
    consumers = _signal_consumers(calls, locator)
    models = frozenset(_snake(m.qualname.rpartition(".")[2]) for m in decomposition.graph.models)
    grouped: dict[tuple[str, str], set[BoundaryCall]] = defaultdict(set)
    sites: dict[BoundaryCall, CallSite] = {}
    for call in calls:
        source = locator.service_of(call.caller)
        if not source:
            continue
        for callee in call.callees:
            target = locator.service_of(callee) if locator.is_definition(callee) else ""
            if not target or target == source:
                continue
            fanout = consumers.get(_site(call), ())
            boundary_call = classify_call(call, callee, target, fanout, policy)
            grouped[(source, target)].add(boundary_call)
            sites[boundary_call] = call
    boundaries = []
    for (source, target), members in sorted(grouped.items()):
        ordered = tuple(sorted(members, key=lambda b: (b.path, b.line, b.caller, b.callee, b.style, b.channel)))
        style, channel = summarise(ordered, policy)
        boundaries.append(Boundary(source=source, target=target, style=style, channel=channel, calls=ordered,
                                   payload_warnings=payload_warnings(ordered, sites, policy, models),
                                   channels=channel_counts(ordered, policy)))
    runtime = decomposition.graph.runtime
    if runtime is None:
        return tuple(boundaries)
    definitions = {d.qualname: (d.path, d.line) for m in decomposition.graph.codebase.modules for d in m.definitions}
    return annotate(boundaries, sites, runtime, locator, definitions, load_policy().runtime)


def classify_call(call: CallSite, callee: str, target: str, fanout: tuple[str, ...],
                  policy: BoundaryPolicy) -> BoundaryCall:
    """Style, channel and the human-readable evidence for one call from one service to another."""
    expr = call.expr or callee.rpartition(".")[2]
    reasons: list[str] = []

    def make(style: str, channel: str) -> BoundaryCall:
        return BoundaryCall(caller=call.caller, callee=callee, path=call.path, line=call.line,
                            style=style, channel=channel, reasons=tuple(reasons))

    if call.deferred == "signal":
        event = _event_name(expr)
        count = len(fanout)
        names = ", ".join(fanout)
        if count >= policy.eventbridge_min_services:
            reasons.append(f"signal `{event}` fans out to {count} services: {names}")
            reasons.append(f"{count} consumer services: route on an event bus")
            return make("async", "eventbridge")
        if count >= policy.sns_min_services:
            reasons.append(f"signal `{event}` fans out to {count} services: {names}")
            reasons.append("publish/subscribe: the sender does not wait for or know its handlers")
            return make("async", "sns")
        reasons.append(f"signal `{event}` has a single consumer service ({target})")
        reasons.append("a queue to that one consumer; publish to SNS once a second service subscribes")
        return make("async", "sqs")

    if not call.deferred and call.usage in policy.sync_usages:
        reasons.append(policy.usage_reasons[call.usage].format(expr=expr))
        reasons.append(f"the caller needs {target}'s answer before it can continue")
        return make("sync", "http")

    if call.deferred:
        reasons.append(policy.deferral_reasons.get(call.deferred, f"deferred ({call.deferred})"))
    else:
        reasons.append(policy.usage_reasons["discarded"].format(expr=expr))
    reasons.append(f"a command to a single consumer service ({target})")
    ordering = _ordering_keyword(callee, call.args, policy.fifo_keywords)
    if call.in_loop:
        reasons.append("called in a loop" + (": successive updates of the same entity, order matters"
                                            if ordering else ": one message per iteration"))
    if ordering:
        reasons.append(f"`{callee.rpartition('.')[2]}` touches {ordering}: the same entity is updated in sequence, "
                       "so use FIFO grouped by entity id")
        return make("async", "sqs-fifo")
    return make("async", "sqs")


def channel_counts(calls: tuple[BoundaryCall, ...], policy: BoundaryPolicy) -> tuple[ChannelCount, ...]:
    """The calls counted by style and channel, sync first, then async by channel rank."""
    counts = Counter((c.style, c.channel) for c in calls)
    rank = policy.channel_rank
    order = sorted(counts, key=lambda sc: (sc[0] != "sync", -rank.get(sc[1], 0), sc[1]))
    return tuple(ChannelCount(style, channel, counts[(style, channel)]) for style, channel in order)


def summarise(calls: tuple[BoundaryCall, ...], policy: BoundaryPolicy) -> tuple[str, str]:
    """Any sync call -> sync/http; else the highest-ranked async channel among the calls."""
    if any(c.style == "sync" for c in calls):
        return "sync", "http"
    rank = policy.channel_rank
    return "async", max((c.channel for c in calls), key=lambda ch: (rank.get(ch, 0), ch))


def payload_warnings(calls: tuple[BoundaryCall, ...], sites: dict[BoundaryCall, CallSite],
                     policy: BoundaryPolicy, models: frozenset[str] = frozenset()) -> tuple[PayloadWarning, ...]:
    """Arguments that can carry data (payload_kind), checked against the channel's size limit."""
    warnings = []
    for call in calls:
        for argument in sites[call].args:
            kind = payload_kind(argument, policy.payload, models)
            if not kind or (kind == "model instance" and call.style == "sync"):
                continue  # an instance passed in a request is serialised on the spot; in a message it goes stale
            size_limit = limit(policy.payload_limits[call.channel])
            warnings.append(PayloadWarning(
                caller=call.caller, callee=call.callee, path=call.path, line=call.line, argument=argument,
                channel=call.channel, limit=size_limit.key, limit_value=size_limit.display, source=size_limit.source,
                remedy=policy.model_remedy if kind == "model instance" else policy.payload_remedy))
    return tuple(warnings)


def payload_kind(argument: str, rules: PayloadRules, models: frozenset[str] = frozenset()) -> str:
    """What data an argument's source text can carry ('a collection', 'file content', 'data', 'model
    instance'), or '' for names, ids, metadata and literals (`upload.filename`, `order.id`, `"x"`)."""
    text = argument.strip()
    keyword, sep, value = text.partition("=")
    if sep and re.fullmatch(r"\w+", keyword.strip()) and not value.startswith("="):
        text = value.strip()
    text = text.removeprefix("**").removeprefix("*")
    if not text or _STRING.fullmatch(text) or re.fullmatch(r"[-+\d._]+|None|True|False", text):
        return ""
    if text[0] in "[{" or (text[0] == "(" and "," in text):
        return "a collection" if _carries_data(text, rules, models) else ""
    if any(p.search(text) for p in rules.content_patterns):
        return "file content"
    last = re.split(r"[.\[\]()]+", text.rstrip(")]."))[-1].lower() if re.fullmatch(r"[\w.]+", text) else ""
    if not last or last in rules.metadata_words or last.endswith(("_id", "_ids", "_pk", "_key", "_name")):
        return ""
    if last in rules.data_words or any(last.endswith("_" + word) for word in rules.data_words):
        return "data"
    return "model instance" if last in models else ""


def _carries_data(display: str, rules: PayloadRules, models: frozenset[str]) -> bool:
    """Whether a collection written in the call can grow with the data: a comprehension, an unpacked
    iterable, or an element that carries data itself. `["events"]` and `{"event_id": event.id}` do
    not. The argument text is parsed as an expression (never run); a display cut at 80 characters
    counts only when what is visible holds a comprehension."""
    try:
        node = ast.parse(display, mode="eval").body
    except (SyntaxError, ValueError):
        return bool(re.search(r"\bfor\b.+\bin\b", _STRING.sub("", display)))
    return _node_carries_data(node, rules, models)


def _node_carries_data(node: ast.expr, rules: PayloadRules, models: frozenset[str]) -> bool:
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Starred)):
        return True
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return any(_node_carries_data(element, rules, models) for element in node.elts)
    if isinstance(node, ast.Dict):
        return None in node.keys or any(_node_carries_data(v, rules, models) for v in node.values)
    if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)):
        return bool(payload_kind(ast.unparse(node), rules, models))
    return False


# --------------------------------------------------------------------------- helpers


def _site(call: CallSite) -> tuple[str, str, int]:
    return (call.caller, call.path, call.line)


def _signal_consumers(calls: tuple[CallSite, ...], locator: Locator) -> dict[tuple[str, str, int], tuple[str, ...]]:
    """For each signal send site: the other services whose handlers it reaches, sorted."""
    consumers: dict[tuple[str, str, int], set[str]] = defaultdict(set)
    for call in calls:
        if call.deferred != "signal":
            continue
        source = locator.service_of(call.caller)
        for callee in call.callees:
            service = locator.service_of(callee) if locator.is_definition(callee) else ""
            if service and service != source:
                consumers[_site(call)].add(service)
    return {site: tuple(sorted(names)) for site, names in consumers.items()}


def _event_name(expr: str) -> str:
    """'events.order_placed.send' -> 'events.order_placed'; 'post_save(Order)' stays as is."""
    for suffix in SIGNAL_SEND_SUFFIXES:
        if expr.endswith(suffix):
            return expr[: -len(suffix)]
    return expr


def _snake(name: str) -> str:
    """`OrderLine` -> order_line: how a variable holding a model instance is usually named."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _words(text: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return {w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w}


def _ordering_keyword(callee: str, args: tuple[str, ...], keywords: tuple[str, ...]) -> str:
    """The first keyword (in policy order) named by the callee or its non-literal arguments, else ''."""
    words = _words(callee.rpartition(".")[2])
    for argument in args:
        words |= _words(_STRING.sub(" ", argument))
    return next((keyword for keyword in keywords if keyword in words), "")
