"""The one data model that flows through the pipeline.

scan → CodeBase (frozen per-file facts) → graph → CodeGraph → decompose → Decomposition
→ recommend → Plan → export. Facts are small frozen value objects so they can be cached,
compared and pickled; the Plan mirrors the plan.json contract field for field.

Locations are always relative to the analysis root, POSIX separators, 1-based lines.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the graph stage's networkx graphs, typed without importing networkx here
    import networkx as nx

from analyzer.version import __version__

# --------------------------------------------------------------------------- names


def enclosing(name: str, names: Container[str]) -> str | None:
    """The longest dotted prefix of `name` (itself included) that is one of `names`, else None:
    the module holding a function, the app package holding a module."""
    candidate = name
    while candidate:
        if candidate in names:
            return candidate
        candidate = candidate.rpartition(".")[0]
    return None


# --------------------------------------------------------------------------- scan facts

#: How a call's return value is used at the call site. "discarded" means a bare expression
#: statement; everything else means the caller needs the answer.
USAGES = ("discarded", "assigned", "returned", "tested", "argument", "awaited", "other")

#: How a callee is invoked when not called directly: "" (direct call), "delay", "apply_async",
#: "submit", "enqueue", "thread", "signal" (a signal/event send), "callback".
DEFERRALS = ("", "delay", "apply_async", "submit", "enqueue", "thread", "signal", "callback")


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file that was not analyzed, and why (shown to the user and counted in plan.json)."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Excluded:
    """A folder or file left out because it is not the application (tests, docs, tooling...),
    with the reason (analyzer/rules/scope.toml) and how many Python files it holds."""

    path: str
    reason: str
    files: int


@dataclass(frozen=True, slots=True)
class ImportRoot:
    """A folder the code imports itself from (a sys.path entry): modules below it are named
    relative to it. `evidence` counts the project's import statements it explains."""

    path: str  # relative to the analysis root, "." for the root itself
    reason: str
    evidence: int = 0


@dataclass(frozen=True, slots=True)
class ImportStats:
    """How many imports of project modules resolved to a project module (analyzer.scan.roots)."""

    project: int
    resolved: int
    unresolved: tuple[tuple[str, int], ...] = ()  # (import target, statements), most frequent first

    @property
    def share(self) -> float:
        return self.resolved / self.project if self.project else 1.0


@dataclass(frozen=True, slots=True)
class Definition:
    """A class, function or method defined in the analyzed tree."""

    qualname: str  # shop.services.order_service.OrderService.place
    kind: str  # "class" | "function" | "method"
    module: str
    path: str
    line: int
    end_line: int
    loc: int
    bases: tuple[str, ...] = ()  # classes: resolved dotted names of base classes
    decorators: tuple[str, ...] = ()  # resolved dotted names of decorator callables
    is_async: bool = False
    # simple constant class attributes, e.g. ("__tablename__", "orders"), ("Meta.db_table", "x"),
    # ("Meta.abstract", "True")
    attributes: tuple[tuple[str, str], ...] = ()
    # what its own `raise` statements raise, as written, sorted ("InsufficientStock"; "raise" re-raises):
    # its callers may depend on the exception
    raises: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Import:
    importer: str  # importing module
    target: str  # absolute dotted name: "shop.models.order" or "shop.models.order.Order"
    bound_as: str  # local name it binds ("" for a star import)
    line: int
    level: int = 0  # relative-import level as written (0 = absolute)
    star: bool = False
    type_checking: bool = False  # only under `if TYPE_CHECKING:`
    conditional: bool = False  # under another if/try
    internal: bool = False  # target lies inside the analysis root
    resolved: str = ""  # internal definition or module the name is bound to, through re-exports


@dataclass(frozen=True, slots=True)
class CallSite:
    """One call expression, with every callee it may reach (never dropped silently)."""

    caller: str  # enclosing function qualname, or the module name for module-level code
    callees: tuple[str, ...]  # sorted candidates: internal qualnames, "requests.post", "<builtin>.len"
    expr: str  # the callee expression as written: "order_service.place_order"
    path: str
    line: int
    usage: str = "other"  # one of USAGES
    in_loop: bool = False
    deferred: str = ""  # one of DEFERRALS
    args: tuple[str, ...] = ()  # argument source text, each trimmed to 80 characters
    # the lambda the call is written in, named as PyCG names it ("shop.mod.f.<lambda1>"), or "".
    # `caller` stays the function around it: lambdas are never definitions of the plan.
    lambda_scope: str = ""
    # the context managers around the call in its function, as written, outermost first
    # ("transaction.atomic()"): a transaction the call may belong to
    within: tuple[str, ...] = ()
    handled: bool = False  # inside a `try` with an `except` clause: the caller handles the callee's failure


@dataclass(frozen=True, slots=True)
class Reference:
    """A function used as a value (callback, task, handler) rather than called on the spot."""

    source: str  # function or module qualname where the reference appears
    target: str  # referenced function qualname
    path: str
    line: int
    via: str = ""  # "submit" | "enqueue" | "connect" | "thread" | "callback" | "route" | ...


@dataclass(frozen=True, slots=True)
class SymbolUse:
    """A function's use of an internal class (name lookup), used to infer data access."""

    user: str  # function or module qualname
    symbol: str  # resolved internal class qualname
    path: str
    line: int
    context: str = ""  # attribute chain / call applied: "objects.filter", "query", "save", "add"


@dataclass(frozen=True, slots=True)
class SqlAccess:
    """A table named in a raw SQL string literal."""

    user: str
    table: str
    op: str  # "read" | "write"
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class Subscription:
    """A handler connected to a signal/event: `sig.connect(h)`, `@receiver(sig, sender=M)`."""

    signal: str  # resolved signal qualname: "shop.events.order_placed", "django.db.models.signals.post_save"
    handler: str  # handler function qualname
    sender: str  # resolved sender class qualname, or ""
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class Trait:
    """A runtime trait found by an ast-grep rule (analyzer/rules/*.yml): evidence for targets."""

    rule: str  # rule id, e.g. "long-running-loop"
    function: str  # enclosing function qualname, or module name
    path: str
    line: int
    detail: str  # the matched source, trimmed


@dataclass(frozen=True, slots=True)
class EntryPoint:
    kind: str  # "http" | "websocket" | "schedule" | "queue" | "command" | "task"
    detail: str  # "POST /orders", "crontab(hour=2)", "manage.py run_nightly_billing"
    function: str
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    """Everything the scan learned about one module, names already resolved."""

    name: str
    path: str
    loc: int
    is_package: bool = False
    parser: str = "ast"  # "ast" or "tree-sitter" (newer syntax read via ast-grep)
    definitions: tuple[Definition, ...] = ()
    imports: tuple[Import, ...] = ()
    calls: tuple[CallSite, ...] = ()
    references: tuple[Reference, ...] = ()
    uses: tuple[SymbolUse, ...] = ()
    sql: tuple[SqlAccess, ...] = ()
    subscriptions: tuple[Subscription, ...] = ()
    traits: tuple[Trait, ...] = ()
    entry_points: tuple[EntryPoint, ...] = ()
    identifiers: tuple[str, ...] = ()  # sorted identifier tokens (vocabulary signal)
    installed_apps: tuple[str, ...] = ()  # entries of the module's app list setting (Django's INSTALLED_APPS)


@dataclass(frozen=True)
class CodeBase:
    """Output of the scan stage."""

    root: str  # path as given by the user
    modules: tuple[ModuleFacts, ...]  # sorted by name
    skipped: tuple[Skipped, ...] = ()
    cochange: tuple[tuple[str, str, int], ...] = ()  # (path_a, path_b, commits together), a < b
    notes: tuple[str, ...] = ()  # non-fatal remarks ("no git history: co-change signal off")
    excluded: tuple[Excluded, ...] = ()  # not the application (tests, docs, tooling), sorted by path
    roots: tuple[ImportRoot, ...] = ()  # the folders module names are relative to
    imports: ImportStats | None = None  # imports of project modules and how many resolved

    @property
    def files_analyzed(self) -> int:
        return len(self.modules)

    @property
    def loc(self) -> int:
        return sum(m.loc for m in self.modules)

    def module(self, name: str) -> ModuleFacts:
        return self._by_name()[name]

    def module_of(self, qualname: str) -> str | None:
        """The analyzed module defining `qualname` (a module, class, function, method or a name
        inside one): its definition's module, else its longest dotted prefix that is a module;
        None for a name outside the analyzed tree (`requests.post`, `<builtin>.len`)."""
        return self._definitions().get(qualname) or enclosing(qualname, self._by_name())

    def defines(self, qualname: str) -> bool:
        """Whether `qualname` is a class, function or method defined in the analyzed tree."""
        return qualname in self._definitions()

    def _by_name(self) -> dict[str, ModuleFacts]:
        cached: dict[str, ModuleFacts] | None = self.__dict__.get("_index")
        if cached is None:
            cached = {m.name: m for m in self.modules}
            object.__setattr__(self, "_index", cached)
        return cached

    def _definitions(self) -> dict[str, str]:
        cached: dict[str, str] | None = self.__dict__.get("_definition_index")
        if cached is None:
            cached = {d.qualname: m.name for m in self.modules for d in m.definitions}
            object.__setattr__(self, "_definition_index", cached)
        return cached


# --------------------------------------------------------------------------- graph / data

#: Coupling signals between modules. Each is an edge-weight key on the module graph.
SIGNALS = ("call", "import", "inherit", "reference", "data", "cochange", "semantic", "runtime")


@dataclass(frozen=True, slots=True)
class OrmModel:
    qualname: str  # class
    table: str
    framework: str  # "sqlalchemy" | "django" | "table"
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class DataAccess:
    accessor: str  # function or module qualname
    module: str
    table: str
    mode: str  # "read" | "write"
    via: str  # "session.query", "objects.filter", "sql", "save", ...
    path: str
    line: int


#: Signals that are code depending on code (not data, history or vocabulary).
STRUCTURAL_SIGNALS = ("call", "import", "inherit", "reference")


@dataclass(frozen=True)
class CodeGraph:
    """Output of the graph stage: networkx graphs built by analyzer.graph.structure.

    Other stages read the graphs through the accessors below, never through networkx attribute
    names: `functions` has qualname nodes and edges with `kind` and `weight`; `modules` has one
    edge attribute per signal in SIGNALS plus the combined `weight`.
    """

    codebase: CodeBase
    functions: nx.DiGraph[str]
    modules: nx.DiGraph[str]
    models: tuple[OrmModel, ...] = ()
    data_access: tuple[DataAccess, ...] = ()
    calls: tuple[CallSite, ...] = ()  # every call site incl. expanded signal/deferred ones
    references: tuple[Reference, ...] = ()  # code named by strings (`include("billing.urls")`), found by the graph stage
    runtime: RuntimeGraph | None = None  # calls observed at run time (--runtime), None without runtime files

    def module_signals(self) -> dict[tuple[str, str], dict[str, float]]:
        """Each directed module edge's positive signal values, by (source, target), sorted."""
        edges = {}
        for source, target, attributes in sorted(self.modules.edges(data=True), key=lambda e: (e[0], e[1])):
            edges[(source, target)] = {s: float(v) for s in SIGNALS
                                       if isinstance(v := attributes.get(s), (int, float)) and v > 0}
        return edges

    def dependencies(self) -> list[tuple[str, str]]:
        """Module pairs (a uses b) linked by a call, a runtime import, inheritance or a reference."""
        return [(a, b) for a, b, attributes in self.modules.edges(data=True)
                if a != b and any(attributes.get(s, 0) for s in STRUCTURAL_SIGNALS)]

    def function_edge_kinds(self) -> dict[str, int]:
        """How many function-level edges are of each kind (call, reference, inherit)."""
        counts: dict[str, int] = {}
        for _, _, kind in self.functions.edges(data="kind", default="call"):
            counts[str(kind)] = counts.get(str(kind), 0) + 1
        return counts


# --------------------------------------------------------------------------- decompose


@dataclass(frozen=True, slots=True)
class WhyLink:
    """One of the strongest links that placed a module in its service."""

    neighbour: str
    signal: str
    weight: float
    calls_observed: int | None = None  # calls seen at run time between the two; None: no runtime evidence covers them


@dataclass(frozen=True)
class Cluster:
    name: str
    kind: str  # "service" | "shared"
    modules: tuple[str, ...]
    loc: int
    tables: tuple[str, ...] = ()  # tables this service owns
    cohesion: float = 0.0
    coupling: float = 0.0


@dataclass(frozen=True)
class TableUse:
    """Who owns a table and which other services touch it (plan.json `data[table]`)."""

    owner: str
    used_by: tuple[str, ...] = ()  # other services (or the shared kernel) reading or writing it, sorted


@dataclass(frozen=True)
class Decomposition:
    graph: CodeGraph
    clusters: tuple[Cluster, ...]
    assignment: dict[str, str]  # module -> cluster name
    metrics: dict[str, float]  # modularity, sm, icp, ifn, ned
    why: dict[str, tuple[WhyLink, ...]]
    resolution: float = 1.0
    seed: int = 42
    shared_reasons: dict[str, str] = field(default_factory=dict)  # shared module -> why it is shared
    notes: tuple[str, ...] = ()  # non-fatal remarks (pins naming unknown modules, ...)
    placement: dict[str, str] = field(default_factory=dict)  # module -> how the package structure placed it
    tables: dict[str, TableUse] = field(default_factory=dict)  # table -> its owner and other users, sorted


# --------------------------------------------------------------------------- plan (the contract)


@dataclass(frozen=True)
class Evidence:
    path: str
    line: int


@dataclass(frozen=True)
class Reason:
    rule: str
    detail: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Target:
    compute: str  # "lambda" | "fargate"
    confidence: float
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class PlanEntryPoint:
    kind: str
    detail: str
    path: str
    line: int


@dataclass(frozen=True)
class Trigger:
    """How one kind of entry point is triggered on the service's compute target."""

    kind: str  # entry kind: "http", "schedule", ...
    count: int  # entry points of that kind
    trigger: str  # "API Gateway HTTP API", "EventBridge Scheduler", ...


@dataclass(frozen=True)
class Effort:
    """What extracting a service takes; `size` is ranked against the codebase's other services."""

    size: str  # "S" | "M" | "L" | "XL"
    points: float
    loc: int
    call_sites_to_replace: int
    sync_call_sites: int
    shared_tables_to_split: tuple[str, ...]
    basis: str  # how the size was ranked, in words


@dataclass(frozen=True)
class Risk:
    """How risky extracting a service is, ranked by entanglement against the codebase's other services."""

    level: str  # "low" | "medium" | "high"
    causes: tuple[str, ...]
    score: float  # the service's entanglement
    basis: str  # how the level was ranked, in words


@dataclass(frozen=True)
class Service:
    name: str
    kind: str  # "service" | "shared"
    modules: tuple[str, ...]
    loc: int = 0
    tables: tuple[str, ...] = ()
    entry_points: tuple[PlanEntryPoint, ...] = ()
    target: Target | None = None  # None for the shared kernel
    # Beyond the contract (plan.json keys of the same name):
    tables_shared: tuple[str, ...] = ()  # tables it touches that another service also touches
    module_loc: Mapping[str, int] = field(default_factory=dict)
    placement: Mapping[str, str] = field(default_factory=dict)  # module -> how the package structure placed it
    why: Mapping[str, tuple[WhyLink, ...]] = field(default_factory=dict)  # module -> its strongest links
    triggers: tuple[Trigger, ...] = ()  # services only
    fargate_score: float | None = None  # services only: summed Fargate evidence
    effort: Effort | None = None  # services only
    risk: Risk | None = None  # services only


@dataclass(frozen=True)
class BoundaryCall:
    caller: str
    callee: str
    path: str
    line: int
    style: str  # "sync" | "async"
    channel: str  # "http" | "sqs" | "sqs-fifo" | "sns" | "eventbridge"
    reasons: tuple[str, ...] = ()
    observed: Observed | None = None  # run-time figures of this caller → callee pair


@dataclass(frozen=True)
class PayloadWarning:
    """A call argument that looks like a large payload, and the channel limit it may exceed."""

    caller: str
    callee: str
    path: str
    line: int
    argument: str  # the argument's source text
    channel: str
    limit: str  # key in analyzer/rules/limits.toml
    limit_value: str  # "6 MB"
    source: str  # where AWS documents the limit
    remedy: str


@dataclass(frozen=True)
class Boundary:
    source: str
    target: str
    style: str  # the summary: sync when any call is sync (the caller waits on the target somewhere)
    channel: str
    calls: tuple[BoundaryCall, ...] = ()
    payload_warnings: tuple[PayloadWarning, ...] = ()
    channels: tuple[ChannelCount, ...] = ()  # the calls by style and channel: what the summary merges
    runtime: BoundaryRuntime | None = None  # observed volumes, observed-only calls, hot paths

    def channel_mix(self) -> str:
        """'sync/http ×1, async/sqs ×1': every style and channel among the calls, with counts."""
        return ", ".join(f"{c.style}/{c.channel} ×{c.calls}" for c in self.channels)


@dataclass(frozen=True)
class Event:
    """Fan-out recognised from the code's shape: one publisher whose discarded calls reach several
    other services (a loop over handlers, a registry of callbacks, or calls passing the same
    argument in turn) is one event with a consumer per service, not a queue per call."""

    publisher: str  # the function (or module) that publishes it
    source: str  # the publisher's service
    path: str
    line: int  # the first call of the event
    channel: str  # "sns" | "eventbridge"
    consumers: tuple[str, ...]  # consumer services, sorted
    shape: str  # "handlers": one call site reaching several services; "publisher": several calls in turn
    payload: tuple[str, ...] = ()  # the argument(s) every call of the event passes
    lines: tuple[int, ...] = ()  # every call site of the event, in the publisher's file

    def evidence(self) -> str:
        """'shop/orders.py:12, 13, 14'."""
        return f"{self.path}:{', '.join(str(n) for n in self.lines or (self.line,))}"


@dataclass(frozen=True)
class DataLink:
    """One place where a service reaches into another service's table."""

    kind: str  # "relation" (FK, O2O, M2M, relationship) | "join" (SQL across both) | "write" | "query"
    table: str
    accessor: str  # the function or class (or module) that reaches in
    path: str
    line: int
    via: str  # the access as the graph stage recorded it: relation, get_model, objects.filter, sql, save...


@dataclass(frozen=True)
class DataBoundary:
    """The data coupling between two services: what `source` reaches of `target`'s tables, and how
    it should be reached once they are apart (analyzer.recommend.data)."""

    source: str  # the service reaching into the data
    target: str  # the service owning the tables
    tables: tuple[str, ...]
    pattern: str  # "owner-api" | "transitional-join" | "read-model" | "sync-lookup"
    reasons: tuple[str, ...]
    links: tuple[DataLink, ...]


@dataclass(frozen=True)
class ChannelCount:
    style: str
    channel: str
    calls: int


@dataclass(frozen=True)
class Wave:
    order: int
    services: tuple[str, ...]
    rationale: str
    kind: str = "extract"  # "break-cycles" (no service moves yet) | "extract" | "hold" (do not extract yet)
    steps: tuple[str, ...] = ()  # what the wave changes besides moving code: calls made async, tables moved


@dataclass(frozen=True)
class VerdictFigures:
    services: int
    services_in_sync_cycles: int
    calls_to_make_async: int
    shared_tables: int
    held_back: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    """Extract in waves, or modularise in place first, with the figures behind it."""

    kind: str  # "extract" | "modularise-first"
    summary: str
    figures: VerdictFigures


@dataclass(frozen=True, slots=True)
class Limit:
    """One AWS limit (analyzer/rules/limits.toml), with where and when it was read."""

    key: str  # "lambda.timeout"
    value: float
    unit: str  # "s", "MB", "KiB", ...
    applies_to: str  # "lambda" | "sqs" | "sns" | "eventbridge" | "fargate"
    source: str  # AWS documentation URL
    checked: str  # date the value was read
    description: str = ""
    note: str = ""
    conservative: bool = True  # False for a recorded-but-unused newer value

    @property
    def display(self) -> str:
        """'900 s', '1,024 KiB': the value as a person reads it."""
        number = int(self.value) if float(self.value).is_integer() else self.value
        return f"{number:,} {self.unit}"


@dataclass(frozen=True)
class SourceInfo:
    root: str
    files_analyzed: int
    loc: int
    skipped: tuple[Skipped, ...] = ()
    excluded: tuple[Excluded, ...] = ()  # not the application, with the reason
    import_roots: tuple[ImportRoot, ...] = ()
    imports: ImportStats | None = None


@dataclass(frozen=True)
class Plan:
    """The plan.json contract (schema_version 1), and the fields beyond it every renderer reads."""

    source: SourceInfo
    services: tuple[Service, ...]
    boundaries: tuple[Boundary, ...]
    metrics: dict[str, float]
    waves: tuple[Wave, ...]
    schema_version: int = 1
    tool: dict[str, str] = field(default_factory=lambda: {"name": "strangler", "version": __version__})
    # Beyond the contract (plan.json keys of the same name):
    data: Mapping[str, TableUse] = field(default_factory=dict)  # table -> owner and other users
    limits: tuple[Limit, ...] = ()  # the AWS limits the recommendation used
    verdict: Verdict | None = None
    notes: tuple[str, ...] = ()  # non-fatal remarks from the analysis
    data_boundaries: tuple[DataBoundary, ...] = ()  # relations, joins and queries across services
    runtime: RuntimeSummary | None = None  # the runtime files the plan was weighted with
    events: tuple[Event, ...] = ()  # fan-out recognised from the code's shape, one per publisher

    def service_of(self, module: str) -> str | None:
        """The service (or shared kernel) the plan places `module` in; None when it places it nowhere."""
        return self.module_services().get(module)

    def module_of(self, qualname: str) -> str | None:
        """The module of the plan holding `qualname` (its longest dotted prefix the plan places)."""
        return enclosing(qualname, self.module_services())

    def module_services(self) -> dict[str, str]:
        """module -> the service (or shared kernel) holding it."""
        cached: dict[str, str] | None = self.__dict__.get("_module_services")
        if cached is None:
            cached = {m: s.name for s in self.services for m in s.modules}
            object.__setattr__(self, "_module_services", cached)
        return cached


# --------------------------------------------------------------------------- runtime evidence (issue 15)
# What the monolith was seen doing (OTLP traces, cProfile files, `strangler record`), matched to the
# analyzed code by the graph stage (analyzer.graph.runtime) and reported by the recommend stage.
# Every field is None or absent without runtime files, so such plans are unchanged.


@dataclass(frozen=True, slots=True)
class ObservedCall:
    """Calls seen at run time from one analyzed function to another, summed over the runtime files."""

    caller: str
    callee: str
    calls: int
    seconds: float  # time spent in the callee during those calls (0 when the source has no times)
    sources: tuple[str, ...]  # the runtime files it was observed in
    static: bool  # a static call site or reference links the pair too


@dataclass(frozen=True)
class RuntimeSourceInfo:
    """One runtime file: its name, format, how much it held and how much of it matched the code."""

    path: str
    format: str  # "otlp-json" | "pstats" | "strangler-record"
    records: int  # spans, profiled functions or recorded functions read
    matched: int  # of its distinct functions (sites), those matched to an analyzed function
    unmatched: int  # the others: libraries, the standard library, code outside the analyzed folder
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuntimeGraph:
    """Runtime evidence matched to the code: the graph stage's view of it."""

    runs: dict[str, tuple[int, float]]  # function qualname -> (times seen running, seconds)
    calls: tuple[ObservedCall, ...]  # sorted by (caller, callee)
    sources: tuple[RuntimeSourceInfo, ...]


@dataclass(frozen=True)
class Observed:
    """Run-time figures of one caller → callee pair."""

    calls: int
    seconds: float
    caller_runs: int  # times the caller was seen running; 0 with calls 0 means the evidence does not cover it
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObservedOnlyCall:
    """A call seen at run time that static analysis missed (dynamic dispatch, getattr, plugins)."""

    caller: str
    callee: str
    observed: Observed
    path: str  # the callee's definition, for excerpts
    line: int


@dataclass(frozen=True)
class HotPath:
    """A synchronous call made many times per run of its caller: N remote calls per request once split."""

    caller: str
    callee: str
    per_request: float  # calls per run of the caller
    observed: Observed
    remedy: str  # "batch" | "cache" | "event"
    detail: str
    evidence: tuple[Evidence, ...] = ()  # the static call sites, if any


@dataclass(frozen=True)
class BoundaryRuntime:
    """What crossing this boundary costs at run time."""

    calls: int  # calls observed across it (static and observed-only pairs)
    seconds: float
    never_observed: int  # static call sites whose caller ran but never made the call
    observed_only: tuple[ObservedOnlyCall, ...] = ()
    hot_paths: tuple[HotPath, ...] = ()


@dataclass(frozen=True)
class RuntimeSummary:
    """The runtime files a plan was weighted with, and what they showed."""

    sources: tuple[RuntimeSourceInfo, ...]
    functions_observed: int  # analyzed functions seen running
    calls_observed: int  # calls seen between analyzed functions
    observed_only: int  # caller → callee pairs seen at run time that static analysis missed
    never_observed: int  # cross-service call sites whose caller ran but never made the call
    hot_paths: int


# --------------------------------------------------------------------------- progress

#: A progress callback: (stage label, items done, items total). Library code never prints;
#: front ends (CLI progress bar, Streamlit progress) pass one in.
Progress = Callable[[str, int, int], None]
