"""Coupling signals beyond the code structure, and their weighted combination.

The module graph carries one edge attribute per signal (analyzer.model.SIGNALS). The
structural ones (call, import, inherit, reference) come from analyzer.graph.structure; this
module adds the three that can link modules with no structural edge at all:

* data: modules touching the same table belong together (the owner, the writers most);
* cochange: files committed together (git history);
* semantic: modules speaking the same domain vocabulary (TF-IDF cosine of identifiers).

Each signal lies in [0, 1] per edge so that `options.weights` alone sets their balance, and
each is switched off by giving it weight 0. Symmetric signals live on one edge per module
pair (the existing edge if there is one, otherwise a new edge from the smaller name).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from analyzer.model import SIGNALS, STRUCTURAL_SIGNALS, CodeBase, DataAccess
from analyzer.rules import load_structure_rules

#: How strongly a module's access to a table ties it to the other modules touching it.
#: Defining the model or writing rows is a stronger claim on a table than reading it.
DATA_ROLE_WEIGHTS = {"define": 1.0, "write": 1.0, "read": 0.5}

#: Fewer commits together than this is coincidence, not coupling.
MIN_COCHANGE_COMMITS = 2

#: The semantic signal keeps, for each module, its SEMANTIC_TOP_K most similar modules whose
#: cosine similarity is at least SEMANTIC_THRESHOLD, so that the graph stays sparse.
SEMANTIC_TOP_K = 5
SEMANTIC_THRESHOLD = 0.2

#: A module's own name (`clinic.billing.views`) says more about its domain than any single
#: identifier inside it: its words count this many times in the module's document.
MODULE_NAME_EMPHASIS = 3

#: Tokens used by more than this fraction of modules carry no domain meaning (and would make
#: the similarity computation quadratic); they are dropped.
SEMANTIC_MAX_DOCUMENT_FREQUENCY = 0.5

#: Words naming a technical layer or role, not a business domain. A layered monolith uses
#: them in every domain ("OrderRepository", "PaymentRepository"), so they must neither pull
#: modules of one layer together nor name a service. The file-kind words of
#: analyzer/rules/structure.toml (constants, enums, tables, templatetags ...) are added.
LAYER_WORDS = load_structure_rules().kind_words | frozenset({
    "abstract", "admin", "api", "app", "apps", "base", "blueprint", "blueprints", "cli", "client",
    "command", "commands", "config", "controller", "controllers", "core", "dao", "db", "dto",
    "endpoint", "endpoints", "entity", "entities", "factory", "form", "forms", "handler",
    "handlers", "helper", "helpers", "impl", "init", "interface", "lib", "main", "manage",
    "management", "manager", "mixin", "mixins", "model", "models", "module", "repo", "repos",
    "repositories", "repository", "resource", "resources", "route", "routes", "router",
    "routers", "schema", "schemas", "serializer", "serializers", "service", "services",
    "settings", "signal", "signals", "task", "tasks", "test", "tests", "url", "urls", "util",
    "utils", "view", "views", "viewset", "viewsets", "worker", "workers",
})

#: Words every Python module uses.
PYTHON_WORDS = frozenset({
    "and", "args", "bool", "cls", "def", "dict", "false", "for", "from", "get", "import", "int",
    "kwargs", "len", "list", "none", "not", "obj", "object", "return", "self", "set", "str",
    "super", "the", "true", "tuple", "type", "value", "values", "with",
})

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def domain_tokens(words: Iterable[str]) -> list[str]:
    """Split identifiers (snake_case, CamelCase, dotted) into lower-case domain words."""
    return [token for word in words for token in _word_tokens(word)]


@lru_cache(maxsize=65536)
def _word_tokens(word: str) -> tuple[str, ...]:
    tokens = []
    for part in re.split(r"[^A-Za-z0-9]+", word):
        for token in _CAMEL.findall(part):
            token = token.lower()
            if len(token) > 2 and not token.isdigit() and token not in LAYER_WORDS and token not in PYTHON_WORDS:
                tokens.append(token)
    return tuple(tokens)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Crude plural folding so `order`, `orders` count as one word (`categories` → `category`)."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def module_name_tokens(module: str) -> list[str]:
    """Domain words of a module's dotted name, without its top-level package."""
    return domain_tokens(module.split(".")[1:] or module.split("."))


# --------------------------------------------------------------------------- data


def add_data_signal(modules: Any, accesses: Iterable[DataAccess]) -> None:
    """Link each module touching a table to the table's anchors: the modules defining or writing it.

    A module's pull from one table, role(m) × role(anchor) spread over the table's anchors,
    is at most 1 however many modules use the table; readers of a popular table are not tied
    to each other, only to where the table lives. A table nobody defines or writes (raw SQL
    reads) links its readers to one another, spread the same way.
    """
    roles: dict[str, dict[str, float]] = defaultdict(dict)
    for access in accesses:
        role = DATA_ROLE_WEIGHTS["define"] if access.via == "define" else DATA_ROLE_WEIGHTS[access.mode]
        touching = roles[access.table]
        touching[access.module] = max(touching.get(access.module, 0.0), role)
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for table in sorted(roles):
        touching = roles[table]
        anchors = sorted(m for m, role in touching.items() if role >= DATA_ROLE_WEIGHTS["write"]) or sorted(touching)
        for module in sorted(touching):
            others = [a for a in anchors if a != module]
            for anchor in others:
                pair = (min(module, anchor), max(module, anchor))
                # an anchor–anchor pair is visited from both ends: count each end's half
                share = 0.5 if module in anchors else 1.0
                totals[pair] += share * touching[module] * touching[anchor] / len(others)
    for (a, b), value in sorted(totals.items()):
        _add_symmetric(modules, a, b, "data", min(value, 1.0))


# --------------------------------------------------------------------------- co-change


def add_cochange_signal(modules: Any, codebase: CodeBase) -> None:
    """Link modules whose files were committed together.

    A pair's strength is its commit count divided by the largest count either file reaches
    with any partner: 1.0 for a file's most frequent companion, less for occasional ones.
    """
    module_of = {m.path: m.name for m in codebase.modules}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for path_a, path_b, together in codebase.cochange:
        a, b = module_of.get(path_a), module_of.get(path_b)
        if a and b and a != b and together >= MIN_COCHANGE_COMMITS:
            counts[(min(a, b), max(a, b))] += together
    strongest: dict[str, int] = defaultdict(int)
    for (a, b), together in counts.items():
        strongest[a] = max(strongest[a], together)
        strongest[b] = max(strongest[b], together)
    for (a, b), together in sorted(counts.items()):
        _add_symmetric(modules, a, b, "cochange", together / max(strongest[a], strongest[b]))


# --------------------------------------------------------------------------- semantic


def add_semantic_signal(modules: Any, codebase: CodeBase) -> None:
    """Link modules with a similar domain vocabulary (TF-IDF cosine of their identifiers).

    Only each module's SEMANTIC_TOP_K nearest neighbours at or above SEMANTIC_THRESHOLD are kept.
    """
    vocabulary = domain_vocabulary(codebase)
    vectors = tfidf_vectors({
        m.name: [w for w in map(stem, domain_tokens(m.identifiers)) if w in vocabulary]
        + [stem(t) for t in module_name_tokens(m.name)] * MODULE_NAME_EMPHASIS
        for m in codebase.modules
    })
    nearest: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for a, b, value in _similar_pairs(vectors, SEMANTIC_THRESHOLD):
        nearest[a].append((value, b))
        nearest[b].append((value, a))
    kept: dict[tuple[str, str], float] = {}
    for module in sorted(nearest):
        for value, other in sorted(nearest[module], key=lambda p: (-p[0], p[1]))[:SEMANTIC_TOP_K]:
            kept[(min(module, other), max(module, other))] = value
    for (a, b), value in sorted(kept.items()):
        _add_symmetric(modules, a, b, "semantic", round(value, 6))


def domain_vocabulary(codebase: CodeBase) -> frozenset[str]:
    """Words the project names its own things with: module, class and top-level function names.

    Framework vocabulary (`verbose_name`, `on_delete`, `get_queryset`, `ready`) fills every
    module of one kind (all models, all views, all app configs) and would link a layer
    together; what the project chose to name its modules, classes and functions is domain.
    Methods are left out because their names are mostly framework hooks.
    """
    words: set[str] = set()
    for facts in codebase.modules:
        words.update(map(stem, module_name_tokens(facts.name)))
        for definition in facts.definitions:
            if definition.kind != "method":
                words.update(map(stem, domain_tokens([definition.qualname.rpartition(".")[2]])))
    return frozenset(words)


def tfidf_vectors(documents: Mapping[str, list[str]],
                  max_document_frequency: float = SEMANTIC_MAX_DOCUMENT_FREQUENCY) -> dict[str, dict[str, float]]:
    """Unit-length TF-IDF vectors (sublinear tf, smoothed idf) per document."""
    frequency: Counter[str] = Counter()
    for tokens in documents.values():
        frequency.update(set(tokens))
    count = len(documents)
    limit = max(2, max_document_frequency * count)
    vectors = {}
    for name in sorted(documents):
        weights = {
            token: (1.0 + math.log(tf)) * (math.log((1 + count) / (1 + frequency[token])) + 1.0)
            for token, tf in sorted(Counter(documents[name]).items()) if frequency[token] <= limit
        }
        norm = math.sqrt(sum(w * w for w in weights.values()))
        vectors[name] = {t: w / norm for t, w in weights.items()} if norm else {}
    return vectors


def _similar_pairs(vectors: dict[str, dict[str, float]], threshold: float) -> Iterator[tuple[str, str, float]]:
    """(a, b, cosine) for every pair a < b whose cosine is at least `threshold`.

    Sparse dot products through an inverted index, one row at a time: each module's
    accumulator is keyed by the other module's index and dropped once the row is done, so
    the hundreds of thousands of weak pairs are never stored. A pair's products are summed
    in sorted token order, the order of each vector's items.
    """
    names = sorted(vectors)
    postings: dict[str, tuple[list[int], list[float]]] = {}
    rows: list[list[tuple[list[int], list[float], int, float]]] = []
    for index, name in enumerate(names):
        row = []
        for token, weight in vectors[name].items():
            members, weights = postings.setdefault(token, ([], []))
            members.append(index)
            weights.append(weight)
            row.append((members, weights, len(members), weight))
        rows.append(row)
    for index, row in enumerate(rows):
        dots: dict[int, float] = {}
        get = dots.get
        for members, weights, after, weight in row:
            for other, other_weight in zip(members[after:], weights[after:], strict=True):
                dots[other] = get(other, 0.0) + weight * other_weight
        name = names[index]
        for other, value in dots.items():
            if value >= threshold:
                yield name, names[other], value


# --------------------------------------------------------------------------- combination


def signal_strength(signal: str, value: float) -> float:
    """How much coupling an edge's raw signal value represents.

    Structural signals are counts (call sites, imports...). Their square root is used: twenty
    calls between two modules say they are coupled more than one call does, but not twenty
    times more, and a single chatty pair must not outweigh every other signal. The other
    signals are already scores in [0, 1].
    """
    if signal in STRUCTURAL_SIGNALS and value > 0:
        return math.sqrt(value)
    return value


def combine_weights(modules: Any, weights: Mapping[str, float]) -> None:
    """Set each edge's "weight" to Σ strength(signal) × weights[signal] (a missing signal counts 0)."""
    for _, _, attrs in modules.edges(data=True):
        attrs["weight"] = sum(signal_strength(signal, float(attrs.get(signal, 0.0))) * float(weights.get(signal, 0.0))
                              for signal in SIGNALS)


def _add_symmetric(modules: Any, a: str, b: str, signal: str, value: float) -> None:
    """Put a symmetric signal on the pair's existing edge, or a new edge from the smaller name."""
    if a == b or value <= 0:
        return
    if not modules.has_edge(a, b) and modules.has_edge(b, a):
        a, b = b, a
    elif not modules.has_edge(a, b):
        a, b = min(a, b), max(a, b)
        for node in (a, b):
            if node not in modules:
                return
        modules.add_edge(a, b)
    attrs = modules.edges[a, b]
    attrs[signal] = attrs.get(signal, 0.0) + value
