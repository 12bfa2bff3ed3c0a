"""Service names from each cluster's dominant domain vocabulary.

A reviewer should read `orders`, not `cluster_3`. Each cluster's words (module-name words
count most, then identifiers) are scored by TF-IDF against the other clusters, so a word
every service uses (the project name, `id`, `user`) loses to the one that sets it apart.
Layer words (api, services, models...) never name a service.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from analyzer.graph.signals import domain_tokens, module_name_tokens, stem

SHARED_KERNEL_NAME = "shared-kernel"

#: A word in a module's dotted name says more about its domain than one inside its code.
MODULE_NAME_WEIGHT = 5

#: Fallback when a cluster has no usable word at all.
FALLBACK_NAME = "service"


def propose_names(clusters: Sequence[Sequence[str]], identifiers: Mapping[str, Sequence[str]],
                  reserved: Sequence[str] = ()) -> list[str]:
    """One unique name per cluster (same order); names in `reserved` are not reused.

    A word scores by how many of the cluster's module names carry it (× MODULE_NAME_WEIGHT)
    plus how many of its modules use it in code, each weighted by an inverse cluster frequency
    so that words every cluster uses lose. Clusters pick in order (the caller passes them
    largest first), each taking its best word not taken yet; a cluster whose words are all
    taken gets its best word with a number.
    """
    name_tokens = {m: module_name_tokens(m) for cluster in clusters for m in cluster}
    code_tokens = {m: domain_tokens(identifiers.get(m, ())) for cluster in clusters for m in cluster}
    in_names = [_module_frequency(cluster, name_tokens) for cluster in clusters]
    in_code = [_module_frequency(cluster, code_tokens) for cluster in clusters]
    spelled = [_spellings(cluster, name_tokens, code_tokens) for cluster in clusters]
    idf_names = _inverse_cluster_frequency(in_names)
    idf_code = _inverse_cluster_frequency(in_code)
    taken = {stem(name) for name in reserved} | set(reserved) | {SHARED_KERNEL_NAME}
    names = []
    for names_count, code_count, spellings in zip(in_names, in_code, spelled, strict=True):
        scores = {w: MODULE_NAME_WEIGHT * n * idf_names[w] for w, n in names_count.items()}
        for word, n in code_count.items():
            scores[word] = scores.get(word, 0.0) + (1.0 + math.log(n)) * idf_code[word]
        ranked = [w for _, w in sorted((-score, w) for w, score in scores.items())]
        choice = next((w for w in ranked if w not in taken), "")
        if choice:
            name = _spelling(choice, spellings)
        else:
            base = _spelling(ranked[0], spellings) if ranked else FALLBACK_NAME
            name = next(f"{base}-{i}" for i in range(2, len(clusters) + len(taken) + 3)
                        if f"{base}-{i}" not in taken)
            choice = name
        taken.update({choice, name})
        names.append(name)
    return names


def app_service_name(app: str, taken: set[str]) -> str:
    """A service named after its largest app: the app package's last part, or its last two parts
    joined by '-' when another service has the name already; '' when both are taken."""
    parts = app.split(".")
    for name in (parts[-1], "-".join(parts[-2:])):
        if name and name not in taken and name != SHARED_KERNEL_NAME:
            return name
    return ""


def _module_frequency(cluster: Sequence[str], tokens: Mapping[str, list[str]]) -> Counter[str]:
    """In how many of the cluster's modules each (stemmed) word occurs."""
    counts: Counter[str] = Counter()
    for module in cluster:
        counts.update({stem(token) for token in tokens[module]})
    return counts


def _inverse_cluster_frequency(counts: Sequence[Counter[str]]) -> dict[str, float]:
    frequency = Counter(word for c in counts for word in c)
    total = len(counts)
    return {word: math.log((1 + total) / (1 + n)) + 1.0 for word, n in frequency.items()}


def _spellings(cluster: Sequence[str], name_tokens: Mapping[str, list[str]],
               code_tokens: Mapping[str, list[str]]) -> dict[str, Counter[str]]:
    """How each stem is written: as in module names (`shop.api.orders`) when it occurs there."""
    from_names: dict[str, Counter[str]] = defaultdict(Counter)
    from_code: dict[str, Counter[str]] = defaultdict(Counter)
    for module in cluster:
        for token in name_tokens[module]:
            from_names[stem(token)][token] += 1
        for token in code_tokens[module]:
            from_code[stem(token)][token] += 1
    return {word: from_names.get(word) or forms for word, forms in {**from_code, **from_names}.items()}


def _spelling(word: str, spellings: Mapping[str, Counter[str]]) -> str:
    """The most common spelling, but the plural when a module name uses it: services are named
    for what they manage (`orders` even when most modules say `order_service`)."""
    forms = spellings.get(word)
    if not forms:
        return word
    plural = sorted(form for form in forms if form != word and stem(form) == word)
    if plural:
        return plural[0]
    return sorted(forms.items(), key=lambda item: (-item[1], -len(item[0]), item[0]))[0][0]
