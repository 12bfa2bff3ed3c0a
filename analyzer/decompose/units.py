"""Package structure as evidence: apps, layer folders and the project's framework layer.

A real monolith already says where its business capabilities are: Django apps, Flask
blueprints, feature packages. Clustering modules one by one throws that away and builds services
out of file kinds (every app's constants.py together). Here the structure is read first, and the
clustering then works on **units** (analyzer.decompose.clustering), never tearing a unit apart:

* **apps**: packages that declare an app (`AppConfig`), own data (define models or tables), or
  sit beside such packages in the same container (`apps/`, `modules/`) with code of their own;
  a module belongs to the deepest app holding it;
* **layer folders**: packages without data whose modules are named after apps
  (`orga/views/submission.py`, `apiv2/threads/`, `graphql/<app>/`): each such module joins the
  app it is named after, and the folder's other modules join the app they are coupled to most;
* **framework layer**: packages named like a kernel (`common`, `core`, `utils` ...) that several
  apps use: shared kernel;
* everything else outside an app joins the app it is coupled to most when one clearly
  dominates, and is otherwise a unit of its own.

Without at least two apps (a layered monolith: `shop/api`, `shop/services`, `shop/models`) there
are no units and the clustering runs module by module. Every decision keeps its reason.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx

from analyzer.decompose.shared import Usage
from analyzer.graph.frameworks import app_registry
from analyzer.graph.signals import stem
from analyzer.model import CodeBase, OrmModel
from analyzer.rules import StructureRules, load_structure_rules


@dataclass(frozen=True)
class Units:
    """The units the clustering works on, and why each module sits in its unit."""

    apps: tuple[str, ...]  # app packages, sorted
    members: dict[str, tuple[str, ...]]  # unit key (an app, a layer folder or one module) -> modules
    app_of_unit: dict[str, str]  # unit key -> its app package ("" when the unit is not an app)
    placed: dict[str, str]  # module -> why it is in its unit (absent for a plain member of its own app)
    kernel: dict[str, str] = field(default_factory=dict)  # module -> why it is the framework layer (shared)
    hosts: dict[str, str] = field(default_factory=dict)  # plugin app owning no table -> the app it extends

    def unit_of(self) -> dict[str, str]:
        return {m: key for key, members in self.members.items() for m in members}


def find_units(codebase: CodeBase, models: Iterable[OrmModel], full: nx.Graph[str], usage: Usage,
               tables: Mapping[str, str], shared: Mapping[str, str],
               rules: StructureRules | None = None) -> Units | None:
    """Units for the modules outside `shared`, or None when the tree has fewer than two apps.

    `usage` says which module uses which (structure only), `tables` maps each module defining a
    table to that table.
    """
    rules = rules or load_structure_rules()
    tree = _Tree(codebase)
    model_packages = _model_packages(codebase, models)
    classes = {d.qualname: d for m in codebase.modules for d in m.definitions if d.kind == "class"}
    declared = {p for p in app_registry(codebase, classes).label_of_package if p in tree.packages}
    apps = _apps(tree, declared, model_packages, shared, rules)
    if len(apps) < 2:
        return None
    free = [m for m in tree.modules if m not in shared]
    home = {m: _deepest(m, apps) for m in free}
    layers = _layers(tree, apps, model_packages, home, _app_names(apps), rules)
    # a declared app without data organised by other apps' names is a layer, and so are its data-less sub-apps
    apps -= {a for a in apps if a in layers or _inside(a, set(layers))}
    home = {m: _deepest(m, apps) for m in free}
    kernel = _Framework(tree, apps, layers, home, usage, tables, rules).packages()
    apps -= set(kernel)
    if len(apps) < 2:
        return None
    kernel_modules = {m: kernel[k] for m in free for k in (m, *_prefixes(m)) if k in kernel}
    home = {m: _deepest(m, apps) for m in free if m not in kernel_modules}
    placed: dict[str, str] = {}
    app_names = _app_names(apps)
    for layer in layers:
        for module in (m for m in tree.below(layer) if m in home):
            if home[module]:
                continue  # an app with data inside the layer folder keeps its modules
            named = _named_app(module, layer, app_names, tree.packages)
            if named:
                home[module] = named
                placed[module] = f"layer module of {layer} named after app {named}"
            else:
                home[module] = layer
                placed[module] = f"layer folder {layer}"
    pull = _Affinity(full, home, set(apps))
    for module in sorted(home):
        reason = placed.get(module, "")
        in_layer = reason.startswith("layer folder ")
        if home[module] and not in_layer:
            continue
        dominance = rules.layer_affinity_dominance if in_layer else rules.affinity_dominance
        best = pull.dominant(module, dominance)
        if best:
            home[module] = best
            placed[module] = f"coupled to app {best} most ({pull.describe(module, best)})"
    members: dict[str, list[str]] = defaultdict(list)
    for module in sorted(home):
        members[home[module] or module].append(module)
    app_of_unit = {key: key if key in apps else "" for key in members}
    owning = {home.get(module, "") for module in tables}
    return Units(apps=tuple(sorted(apps)), members={k: tuple(v) for k, v in sorted(members.items())},
                 app_of_unit=app_of_unit, placed=placed, kernel=kernel_modules,
                 hosts={a: h for a, h in _plugin_hosts(apps).items() if a not in owning and a in members})


# --------------------------------------------------------------------------- the package tree


class _Tree:
    def __init__(self, codebase: CodeBase) -> None:
        self.modules = sorted(m.name for m in codebase.modules)
        self.packages = {m.name for m in codebase.modules if m.is_package}
        for name in self.modules:  # namespace packages: folders without __init__.py
            parts = name.split(".")
            self.packages.update(".".join(parts[:end]) for end in range(1, len(parts)))
        self.children: dict[str, list[str]] = defaultdict(list)
        for package in sorted(self.packages):
            self.children[package.rpartition(".")[0]].append(package)
        self.size: Counter[str] = Counter()
        for name in self.modules:
            parts = name.split(".")
            self.size.update(".".join(parts[:end]) for end in range(1, len(parts) + 1))

    def below(self, package: str) -> list[str]:
        """The module `package` itself and every module under it (modules are sorted: one slice)."""
        start = bisect_left(self.modules, package)
        end = bisect_left(self.modules, package + "/")  # "/" sorts right after "."
        return [m for m in self.modules[start:end] if m == package or m.startswith(package + ".")]


def _prefixes(name: str) -> list[str]:
    """`a.b.c` -> [a.b, a]: the packages holding a dotted name, innermost first."""
    parts = name.split(".")
    return [".".join(parts[:end]) for end in range(len(parts) - 1, 0, -1)]


def _inside(name: str, packages: Container[str]) -> bool:
    """True when a package strictly holding `name` is one of `packages`."""
    return any(p in packages for p in _prefixes(name))


def _holders(names: Iterable[str]) -> set[str]:
    """Every name and every package above it."""
    return {p for name in names for p in (name, *_prefixes(name))}


def _model_packages(codebase: CodeBase, models: Iterable[OrmModel]) -> set[str]:
    """Packages that own data: the package holding each model's `models` module (or the model's module)."""
    module_of = {d.qualname: d.module for m in codebase.modules for d in m.definitions}
    packages = set()
    for model in models:
        module = module_of.get(model.qualname, model.qualname.rpartition(".")[0])
        parts = module.split(".")
        if "models" in parts[1:]:
            packages.add(".".join(parts[:parts.index("models", 1)]))
        elif len(parts) > 1:
            packages.add(".".join(parts[:-1]))
    return packages


def _apps(tree: _Tree, declared: set[str], model_packages: set[str], shared: Mapping[str, str],
          rules: StructureRules) -> set[str]:
    """Declared apps and data-owning packages, plus their sizeable siblings in the same container.

    Not apps: packages holding only wiring (`settings/`), apps inside the project's framework
    (`core/storage/models.py` is framework data), and containers (`oscar`, declared as an app but
    holding other apps and no data of its own).
    """
    def kind_named(package: str) -> bool:
        return package.rpartition(".")[2] in rules.kind_words

    def wiring(package: str) -> bool:
        return all(m in shared for m in tree.below(package))

    apps = {p for p in declared | (model_packages & tree.packages)
            if tree.size[p] >= rules.app_min_modules and not wiring(p)}
    kernels = {p for p in tree.packages if p.rpartition(".")[2] in rules.kernel_names}
    apps = {p for p in apps if not _inside(p, kernels)}
    holding = Counter(p for a in apps for p in _prefixes(a))
    apps -= {p for p in apps if p not in model_packages and holding[p] >= 2}
    parents = Counter(p.rpartition(".")[0] for p in apps)
    for container, count in sorted(parents.items()):
        if count < 2:
            continue
        for child in tree.children.get(container, ()):
            name = child.rpartition(".")[2]
            if child not in apps and not kind_named(child) and name not in rules.kernel_names \
                    and tree.size[child] >= rules.app_min_modules and not wiring(child):
                apps.add(child)
    if len(apps) == 1 and tree.size[next(iter(apps))] * 2 > len(tree.modules):
        return set()  # one package holding most of the code and all the data: a layered monolith
    return apps


def _deepest(module: str, apps: set[str]) -> str:
    """The innermost app holding `module` (or the module itself when it is an app), or ''."""
    return next((p for p in (module, *_prefixes(module)) if p in apps), "")


def _app_names(apps: Iterable[str]) -> dict[str, str]:
    """Stemmed short name -> app package; a name two apps share names neither."""
    names: dict[str, set[str]] = defaultdict(set)
    for app in apps:
        names[stem(app.rpartition(".")[2].lower())].add(app)
    return {name: next(iter(found)) for name, found in names.items() if len(found) == 1}


def _named_app(module: str, layer: str, app_names: Mapping[str, str], packages: set[str]) -> str:
    """The app a layer module is named after, or ''. Folder names count (`apiv2/threads/views.py`),
    and file names inside a sub-folder (`orga/views/submission.py`); a file directly in the folder
    is named for its kind (`authentication/permissions.py` is not about a `permissions` app)."""
    if module == layer:
        return ""
    parts = module[len(layer) + 1:].split(".")
    last_counts = len(parts) > 1 or module in packages
    for index, part in enumerate(parts):
        if index == len(parts) - 1 and not last_counts:
            break
        app = app_names.get(stem(part.lower()))
        if app and app != layer:
            return app
    return ""


def _layers(tree: _Tree, apps: set[str], model_packages: set[str], home: Mapping[str, str],
            app_names: Mapping[str, str], rules: StructureRules) -> list[str]:
    """Packages without data whose modules are named after apps: layer folders. Apps without data
    inside such a package (`dashboard/catalogue/`, declared as an app of its own) are part of it."""
    with_data = _holders(model_packages)
    found: set[str] = set()
    for package in sorted(tree.packages):
        if package in with_data or _inside(package, found) or _inside(package, apps):
            continue
        modules = [m for m in tree.below(package) if home.get(m, "") in ("", package)
                   or (home[m].startswith(package + ".") and home[m] not in with_data)]
        named = [_named_app(m, package, app_names, tree.packages) for m in modules]
        matched = [n for n in named if n]
        distinct = len(set(matched))
        if distinct >= rules.layer_many_apps or (
                distinct >= rules.layer_min_apps and len(matched) >= rules.layer_min_share * len(modules)):
            found.add(package)
    return sorted(found)


def _plugin_hosts(apps: set[str]) -> dict[str, str]:
    """Apps named or placed as plugins of another app: `source_emails` beside `sources`, or an app
    nested inside another app (`payment/providers/paypal`)."""
    by_name: dict[tuple[str, str], str] = {}
    for app in apps:
        parent, _, name = app.rpartition(".")
        by_name[(parent, stem(name.lower()))] = app
    hosts = {}
    for app in sorted(apps):
        parent, _, name = app.rpartition(".")
        prefix = name.partition("_")[0]
        host = by_name.get((parent, stem(prefix.lower()))) if "_" in name else None
        if host is None:
            host = _deepest(parent, apps) if parent else ""
        if host and host != app:
            hosts[app] = host
    return hosts


class _Framework:
    """The project's own framework layer, found among the packages outside the business apps:

    * kernel-named packages (`common`, `core`, `utils` ...) that several apps use;
    * packages holding no app and belonging to none (`web/`, `legacy/`) that several apps use;
    * apps owning no table that a large share of the other apps use while using few themselves
      (generic views, navigation, plugin managers).
    """

    def __init__(self, tree: _Tree, apps: set[str], layers: list[str], home: Mapping[str, str], usage: Usage,
                 tables: Mapping[str, str], rules: StructureRules) -> None:
        self.tree, self.apps, self.layers, self.home, self.rules = tree, apps, layers, home, rules
        self.users: dict[str, set[str]] = defaultdict(set)  # package -> apps using a module below it
        self.uses: dict[str, set[str]] = defaultdict(set)  # app -> other apps it uses
        self.owning = {self.home.get(module, "") for module in tables}
        self.usage = usage

    def used_by(self, package: str) -> set[str]:
        inside = set(self.tree.below(package))
        found = {self.home.get(user, "") for m in inside for user in self.usage.users.get(m, {}) if user not in inside}
        return found - {"", package}

    def uses_apps(self, app: str) -> set[str]:
        inside = set(self.tree.below(app))
        found = {self.home.get(used, "") for m in inside for used in self.usage.used.get(m, {}) if used not in inside}
        return found - {"", app}

    def packages(self) -> dict[str, str]:
        found: dict[str, str] = {}
        rules = self.rules
        layers = set(self.layers)
        holding_apps = {p for a in self.apps for p in _prefixes(a)}
        for package in sorted(self.tree.packages):
            if _inside(package, found.keys()) or package in layers or _inside(package, layers) \
                    or _inside(package, self.apps) or package in holding_apps:
                continue
            users = self.used_by(package)
            name = package.rpartition(".")[2]
            if name in rules.kernel_names and len(users) >= rules.kernel_min_apps:
                found[package] = f"framework package {package} (a {name} package), used by {len(users)} apps"
            elif package not in self.apps and len(users) >= rules.kernel_min_apps and self._outermost(package):
                found[package] = f"framework package {package}, part of no app, used by {len(users)} apps"
            elif package in self.apps and package not in self.owning:
                uses = self.uses_apps(package)
                if len(users) >= rules.framework_min_share * (len(self.apps) - 1) \
                        and len(uses) <= rules.framework_max_uses * len(users):
                    found[package] = (f"framework app {package}: owns no table, used by {len(users)} of "
                                      f"{len(self.apps) - 1} other apps, uses {len(uses)}")
        return found

    def _outermost(self, package: str) -> bool:
        """A package outside every app whose parent holds apps (or is the top): `indico.web`, not `indico.web.forms`."""
        parent = package.rpartition(".")[0]
        return not parent or any(parent in _prefixes(a) for a in self.apps)


class _Affinity:
    """How strongly a module is tied to each app: the combined link weight to the app's modules."""

    def __init__(self, full: nx.Graph[str], home: Mapping[str, str], apps: set[str]) -> None:
        self.full = full
        self.home = home
        self.apps = apps

    def pulls(self, module: str) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        if module not in self.full:
            return {}
        for neighbour, attrs in self.full[module].items():
            app = self.home.get(neighbour, "")
            if app in self.apps:
                totals[app] += attrs.get("weight", 0.0)
        return dict(totals)

    def dominant(self, module: str, dominance: float) -> str:
        ranked = sorted(self.pulls(module).items(), key=lambda item: (-item[1], item[0]))
        if not ranked or ranked[0][1] <= 0:
            return ""
        if len(ranked) > 1 and ranked[0][1] < dominance * ranked[1][1]:
            return ""
        return ranked[0][0]

    def describe(self, module: str, app: str) -> str:
        pulls = self.pulls(module)
        total = sum(pulls.values())
        return f"{pulls[app] / total:.0%} of its links to apps" if total else "its only links to apps"
