"""How services should talk: one BoundaryCall per call site that crosses two services.

The rules (policy in analyzer/rules/recommend.yml):
- sync over HTTP when the caller uses the answer (return value assigned, returned, tested,
  passed on or awaited) and the call is not deferred;
- consistency before channels: a discarded call stays sync when the caller depends on its
  outcome: the callee takes part in the caller's transaction, the caller handles or lets
  propagate its exceptions, or reads back what it wrote (`must_stay_sync`, rules in
  `boundaries.consistency`);
- fan-out from the code's shape: one call site reaching handlers in several other services (a
  loop over a list or registry of callbacks), or a publisher whose discarded calls passing the
  same argument reach several, is one event (`find_events`) on SNS or EventBridge;
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
from collections.abc import Mapping
from dataclasses import dataclass

from analyzer.graph.frameworks import app_configs
from analyzer.model import (
    Boundary,
    BoundaryCall,
    CallSite,
    ChannelCount,
    DataAccess,
    Decomposition,
    Definition,
    Event,
    PayloadWarning,
)
from analyzer.recommend.locate import Locator
from analyzer.recommend.runtime import annotate
from analyzer.rules import limit, load_policy
from analyzer.rules.policy import BoundaryPolicy, ConsistencyRules, PayloadRules

_STRING = re.compile(r"[rRbBuUfF]*('[^']*'|\"[^\"]*\")")
SIGNAL_SEND_SUFFIXES = (".send_robust", ".send", ".emit", ".fire", ".publish", ".dispatch")


def find_boundaries(decomposition: Decomposition, locator: Locator | None = None) -> tuple[Boundary, ...]:
    """Every cross-service call, grouped by (source, target), sorted."""
    return boundaries_and_events(decomposition, locator)[0]


def boundaries_and_events(decomposition: Decomposition, locator: Locator | None = None,
                          ) -> tuple[tuple[Boundary, ...], tuple[Event, ...]]:
    """The boundaries, and the fan-out events recognised from the code's shape among their calls."""
    locator = locator or Locator.of(decomposition)
    policy = load_policy().boundaries
    calls = decomposition.graph.calls
    consumers = _signal_consumers(calls, locator)
    facts = _Facts.of(decomposition)
    models = frozenset(_snake(m.qualname.rpartition(".")[2]) for m in decomposition.graph.models)
    crossing: list[tuple[CallSite, str, str, str]] = []  # (call, callee, source, target)
    held: dict[tuple[CallSite, str], tuple[str, ...]] = {}
    for call in calls:
        source = locator.service_of(call.caller)
        if not source:
            continue
        for callee in call.callees:
            target = locator.service_of(callee) if locator.is_definition(callee) else ""
            if not target or target == source:
                continue
            crossing.append((call, callee, source, target))
            if call.usage == "discarded" and not call.deferred:
                reasons = must_stay_sync(call, callee, target, facts, policy.consistency)
                if reasons:
                    held[(call, callee)] = reasons
    startup = _startup_code(decomposition, policy)
    events, event_of = find_events([c for c in crossing if c[0].caller not in startup], held, policy)
    grouped: dict[tuple[str, str], set[BoundaryCall]] = defaultdict(set)
    sites: dict[BoundaryCall, CallSite] = {}
    for call, callee, source, target in crossing:
        hold = held.get((call, callee), ())
        if hold:
            boundary_call = BoundaryCall(caller=call.caller, callee=callee, path=call.path, line=call.line,
                                         style="sync", channel="http", reasons=hold)
        elif (call, callee) in event_of:
            boundary_call = _event_call(call, callee, event_of[(call, callee)], policy)
        else:
            boundary_call = classify_call(call, callee, target, consumers.get(_site(call), ()), policy)
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
    if runtime is not None:
        definitions = {d.qualname: (d.path, d.line) for m in decomposition.graph.codebase.modules for d in m.definitions}
        boundaries = list(annotate(boundaries, sites, runtime, locator, definitions, load_policy().runtime))
    return tuple(boundaries), events


# --------------------------------------------------------------------------- consistency before channels


@dataclass(frozen=True)
class _Facts:
    """What the consistency rules look up: definitions, each function's calls and data accesses."""

    definitions: Mapping[str, Definition]
    calls_by_caller: Mapping[str, tuple[CallSite, ...]]
    reads: Mapping[str, tuple[DataAccess, ...]]  # accessor -> its reads
    writes: Mapping[str, frozenset[str]]  # accessor -> tables it writes

    @classmethod
    def of(cls, decomposition: Decomposition) -> _Facts:
        graph = decomposition.graph
        by_caller: dict[str, list[CallSite]] = defaultdict(list)
        for call in graph.calls:
            by_caller[call.caller].append(call)
        reads: dict[str, list[DataAccess]] = defaultdict(list)
        writes: dict[str, set[str]] = defaultdict(set)
        for access in graph.data_access:
            if access.mode == "write":
                writes[access.accessor].add(access.table)
            else:
                reads[access.accessor].append(access)
        return cls(definitions={d.qualname: d for m in graph.codebase.modules for d in m.definitions},
                   calls_by_caller={k: tuple(v) for k, v in by_caller.items()},
                   reads={k: tuple(sorted(v, key=lambda a: (a.line, a.table))) for k, v in reads.items()},
                   writes={k: frozenset(v) for k, v in writes.items()})


def must_stay_sync(call: CallSite, callee: str, target: str, facts: _Facts, rules: ConsistencyRules) -> tuple[str, ...]:
    """Why a call whose result is discarded must still wait for the callee, with the evidence; ()
    when it is fire-and-forget in the code's own terms. The caller depends on the outcome when the
    callee takes part in its transaction (it can fail it, or writes a table the caller also works
    on), when it handles or lets propagate the callee's exceptions, or when it reads back what the
    callee wrote. A callee in the transaction touching only its own tables (a notification) is
    still fire-and-forget: send it after commit."""
    where = f"{call.path}:{call.line}"
    reasons: list[str] = []
    definition = facts.definitions.get(callee)
    raised = [r for r in definition.raises if r.rpartition(".")[2] not in rules.precondition_errors] \
        if definition is not None else []
    written = facts.writes.get(callee, frozenset())
    touched = written & ({a.table for a in facts.reads.get(call.caller, ())} | facts.writes.get(call.caller, frozenset()))
    transaction = _transaction(call, facts, rules) if raised or touched else None
    if transaction:
        evidence, at = transaction
        reasons.append(rules.reasons["transaction"].format(evidence=evidence, where=at, target=target))
    if call.handled:
        reasons.append(rules.reasons["handled"].format(where=where))
    elif definition is not None and raised:
        reasons.append(rules.reasons["raises"].format(
            callee=callee.rpartition(".")[2], raised=", ".join(f"`{r}`" for r in raised),
            callee_where=f"{definition.path}:{definition.line}"))
    if rules.read_back:
        back = next((a for a in facts.reads.get(call.caller, ()) if a.table in written and a.path == call.path
                     and a.line > call.line), None)
        if back is not None:
            reasons.append(rules.reasons["read_back"].format(table=back.table, where=f"{back.path}:{back.line}",
                                                             target=target))
    if not reasons:
        return ()
    reasons.append(f"the caller depends on {target}'s outcome: keep the call synchronous")
    compensation = _compensation(callee, facts, rules) if transaction else ""
    if compensation:
        reasons.append(rules.reasons["saga"].format(compensation=compensation))
    return tuple(reasons)


def _transaction(call: CallSite, facts: _Facts, rules: ConsistencyRules) -> tuple[str, str] | None:
    """(evidence, path:line) of the transaction the call runs in, if any: a context manager around
    it, a decorator of its function, or a row lock the function takes."""
    for manager in reversed(call.within):
        if any(p.search(manager) for p in rules.transaction_contexts):
            return manager, f"{call.path}:{call.line}"
    caller = facts.definitions.get(call.caller)
    if caller is not None:
        for decorator in caller.decorators:
            if any(p.search(decorator) for p in rules.transaction_decorators):
                return f"@{decorator}", f"{caller.path}:{caller.line}"
    for other in facts.calls_by_caller.get(call.caller, ()):
        if any(p.search(other.expr) for p in rules.transaction_calls):
            return f"{other.expr}()", f"{other.path}:{other.line}"
    return None


def _compensation(callee: str, facts: _Facts, rules: ConsistencyRules) -> str:
    """A candidate compensating action next to the callee (same module or class): a function whose
    name has a compensation word, preferring one that shares another word with the callee's
    (`reserve_stock` -> `release_stock`). Only named in the reason; the decision never depends on it."""
    parent, _, name = callee.rpartition(".")
    compensating = set(rules.compensation_words)
    words = _words(name) - compensating
    candidates = []
    for qualname in facts.definitions:
        owner, _, other = qualname.rpartition(".")
        other_words = _words(other)
        if owner == parent and other != name and other_words & compensating:
            candidates.append((not other_words & words, qualname))
    return min(candidates)[1] if candidates else ""


# --------------------------------------------------------------------------- fan-out from the code's shape


def find_events(crossing: list[tuple[CallSite, str, str, str]], held: Mapping[tuple[CallSite, str], tuple[str, ...]],
                policy: BoundaryPolicy) -> tuple[tuple[Event, ...], dict[tuple[CallSite, str], Event]]:
    """Events with several consumer services, from the calls themselves (never from names):
    a call site whose callees reach several other services (a loop over handlers, a registry of
    callbacks), then a publisher whose other discarded calls passing the same argument do (outside
    loops: a call per item is a stream of commands).
    Only fire-and-forget calls count: discarded, not deferred, not held synchronous."""
    free: dict[CallSite, list[tuple[str, str, str]]] = defaultdict(list)
    for call, callee, source, target in crossing:
        if call.usage == "discarded" and not call.deferred and (call, callee) not in held:
            free[call].append((callee, source, target))
    events: list[Event] = []
    event_of: dict[tuple[CallSite, str], Event] = {}

    def add(shape: str, members: list[CallSite], payload: tuple[str, ...]) -> None:
        first = min(members, key=lambda c: (c.path, c.line))
        consumers = tuple(sorted({t for c in members for _, _, t in free[c]}))
        event = Event(publisher=first.caller, source=free[first][0][1], path=first.path, line=first.line,
                      channel=_fanout_channel(len(consumers), policy), consumers=consumers, shape=shape,
                      payload=payload, lines=tuple(sorted({c.line for c in members if c.path == first.path})))
        events.append(event)
        for member in members:
            for callee, _, _ in free[member]:
                event_of[(member, callee)] = event

    by_publisher: dict[str, list[CallSite]] = defaultdict(list)
    for call in sorted(free, key=lambda c: (c.caller, c.path, c.line, c.callees)):
        if len({t for _, _, t in free[call]}) >= policy.sns_min_services:
            add("handlers", [call], tuple(call.args))
        elif not call.in_loop:  # a call in a loop sends one command per item (per line, per row), not the event
            by_publisher[call.caller].append(call)
    for members in by_publisher.values():
        reach: dict[str, set[str]] = defaultdict(set)
        for call in members:
            for root in _roots(call.args):
                reach[root] |= {t for _, _, t in free[call]}
        best = sorted(reach, key=lambda r: (-len(reach[r]), r))
        if best and len(reach[best[0]]) >= policy.sns_min_services:
            root = best[0]
            add("publisher", [c for c in members if root in _roots(c.args)], (root,))
    return tuple(sorted(events, key=lambda e: (e.path, e.line, e.publisher))), event_of


def _startup_code(decomposition: Decomposition, policy: BoundaryPolicy) -> frozenset[str]:
    """The startup hooks of the project's app configs and the methods of the same class they call
    (`ready` -> `ready_document_files`): code that runs once at boot."""
    classes = {d.qualname: d for m in decomposition.graph.codebase.modules for d in m.definitions if d.kind == "class"}
    configs = [c.qualname for c in app_configs(classes)]
    found = {f"{config}.{hook}" for config in configs for hook in policy.startup_hooks}
    calls_from: dict[str, set[str]] = defaultdict(set)
    for call in decomposition.graph.calls:
        calls_from[call.caller].update(call.callees)
    pending = sorted(found)
    while pending:
        caller = pending.pop()
        owner = caller.rpartition(".")[0]
        for callee in calls_from.get(caller, ()):
            if callee.rpartition(".")[0] == owner and callee not in found:
                found.add(callee)
                pending.append(callee)
    return frozenset(found)


def _fanout_channel(count: int, policy: BoundaryPolicy) -> str:
    if count >= policy.eventbridge_min_services:
        return "eventbridge"
    return "sns" if count >= policy.sns_min_services else "sqs"


def _event_call(call: CallSite, callee: str, event: Event, policy: BoundaryPolicy) -> BoundaryCall:
    """One call of a fan-out event: the event's channel, with the publisher and its consumers."""
    count = len(event.consumers)
    shape = ("one call reaches handlers in" if event.shape == "handlers"
             else f"its discarded calls passing `{', '.join(event.payload)}` reach")
    reasons = [f"`{event.publisher}` publishes one event: {shape} {count} services: {', '.join(event.consumers)} "
               f"({event.evidence()})"]
    reasons.append(f"{count} consumer services: route on an event bus" if event.channel == "eventbridge"
                   else "publish/subscribe: the publisher does not wait for or know its consumers")
    return BoundaryCall(caller=call.caller, callee=callee, path=call.path, line=call.line, style="async",
                        channel=event.channel, reasons=tuple(reasons))


def _roots(args: tuple[str, ...]) -> set[str]:
    """The variables an argument list passes (`order`, `order.email`, `user=order.user` -> order):
    calls passing the same root carry the same payload. Literals and `self` are not payloads."""
    roots = set()
    for argument in args:
        keyword, sep, value = argument.partition("=")
        text = value.strip() if sep and re.fullmatch(r"\w+", keyword.strip()) and not value.startswith("=") else argument
        match = re.match(r"\*{0,2}([A-Za-z_]\w*)", text.strip())
        if match and match.group(1) not in {"self", "cls", "None", "True", "False"} and not _STRING.fullmatch(text.strip()):
            roots.add(match.group(1))
    return roots


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
