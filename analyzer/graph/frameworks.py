"""Framework references the import graph cannot see: models and code named by strings.

Most of the coupling of Django code travels in strings and conventions: `ForeignKey("billing.Invoice")`
names a model by its app label, `apps.get_model("order", "Line")` loads one at run time,
`settings.AUTH_USER_MODEL` / `get_user_model()` stand for the project's user model, SQLAlchemy's
`relationship("Order")` names a class, and frameworks built for extension load classes and URL
modules from dotted paths (`include("billing.urls")`, `load_class("checkout.mixins", "Mixin")`).
This module reads them from scan facts (call sites keep their argument text), statically:

* `AppRegistry`: app labels from `AppConfig` subclasses (`label`, or the last part of `name`),
  Django's default label otherwise (the package holding `models`);
* `model_target`: the model class a model reference names;
* `string_references`: call arguments that name a module, class or function of the project,
  as Reference facts (`via` says which kind), each with its path:line.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from analyzer.model import CallSite, CodeBase, Definition, Reference, enclosing

#: Base classes of a Django application config.
APP_CONFIG_BASES = frozenset({"django.apps.AppConfig", "django.apps.config.AppConfig"})
#: Base classes of Django's user models: a concrete project subclass is the AUTH_USER_MODEL.
USER_MODEL_BASES = frozenset({
    "django.contrib.auth.models.AbstractUser", "django.contrib.auth.base_user.AbstractBaseUser",
    "django.contrib.auth.models.AbstractBaseUser",
})
#: Expressions that stand for the project's user model.
USER_MODEL_TEXTS = frozenset({"settings.AUTH_USER_MODEL", "django.conf.settings.AUTH_USER_MODEL"})
#: Calls returning the project's user model class.
USER_MODEL_CALLS = frozenset({"django.contrib.auth.get_user_model"})
#: Calls loading a model by app label: `apps.get_model("app", "Model")` or ("app.Model").
GET_MODEL_CALLS = frozenset({"get_model"})
#: SQLAlchemy relationship constructors naming the related class by string.
RELATIONSHIP_CALLS = frozenset({"sqlalchemy.orm.relationship", "sqlalchemy.orm.relation",
                                "sqlalchemy.orm.relationships.relationship"})
#: Callees whose dotted string arguments are names of something else (loggers, settings keys).
NOT_CODE_PATH_CALLS = frozenset({"getLogger", "get_logger", "getattr", "setattr", "hasattr", "get", "setdefault",
                                 "_", "gettext", "gettext_lazy", "ugettext", "ugettext_lazy", "pgettext",
                                 "ngettext", "format", "startswith", "endswith", "split", "join"})

_STRING = re.compile(r"""^\s*[rRuU]?(['"])([^'"\\]*)\1\s*$""")
_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$")
_IDENTIFIER = re.compile(r"^[A-Za-z_]\w*$")
#: A string names project code by suffix only when it has at least this many dotted parts.
MIN_SUFFIX_PARTS = 2


def string_literal(text: str) -> str | None:
    """The value of a plain string literal argument (`"a.b"` -> a.b), or None (keyword arguments too)."""
    match = _STRING.match(text)
    return match.group(2) if match else None


@dataclass(frozen=True)
class AppRegistry:
    """Django app labels and the packages they name."""

    package_of_label: Mapping[str, str]  # "misago_threads" -> "misago.threads"
    label_of_package: Mapping[str, str]  # "misago.threads" -> "misago_threads"

    def label_for_module(self, module: str) -> str:
        """The app label of the app holding `module` (its longest registered package), else Django's default."""
        package = enclosing(module, self.label_of_package)
        return default_app_label(module) if package is None else self.label_of_package[package]


def default_app_label(module: str) -> str:
    """Django's default app label: the package holding `models` (`clinic.patients.models` -> patients)."""
    parts = module.split(".")
    if "models" in parts[1:]:
        return parts[parts.index("models", 1) - 1]
    return parts[-2] if len(parts) > 1 else parts[0]


def app_configs(classes: Mapping[str, Definition]) -> list[Definition]:
    """Project classes deriving (transitively) from Django's AppConfig."""
    memo: dict[str, bool] = {}

    def is_config(qualname: str, seen: frozenset[str]) -> bool:
        if qualname in memo:
            return memo[qualname]
        definition = classes.get(qualname)
        found = definition is not None and qualname not in seen and any(
            base in APP_CONFIG_BASES or is_config(base, seen | {qualname}) for base in definition.bases)
        memo[qualname] = found
        return found

    return [classes[q] for q in sorted(classes) if is_config(q, frozenset())]


def app_registry(codebase: CodeBase, classes: Mapping[str, Definition]) -> AppRegistry:
    """Labels of the apps the project declares with AppConfig (`label`, else the last part of `name`)."""
    modules = {m.name for m in codebase.modules}
    package_of_label: dict[str, str] = {}
    label_of_package: dict[str, str] = {}
    for config in app_configs(classes):
        attributes = dict(config.attributes)
        package = attributes.get("name") or config.module.rpartition(".")[0]
        if package not in modules:  # `name` given relative to another import root: keep the config's package
            package = config.module.rpartition(".")[0] if config.module.endswith(".apps") else config.module
        label = attributes.get("label") or package.rpartition(".")[2]
        if package and label and label not in package_of_label:
            package_of_label[label] = package
            label_of_package[package] = label
    return AppRegistry(package_of_label, label_of_package)


def user_model(classes: Mapping[str, Definition], is_model: Mapping[str, str]) -> str:
    """The project's concrete user model (a mapped subclass of Django's AbstractUser), or ''."""
    memo: dict[str, bool] = {}

    def derives(qualname: str, seen: frozenset[str]) -> bool:
        if qualname in memo:
            return memo[qualname]
        definition = classes.get(qualname)
        found = definition is not None and qualname not in seen and any(
            base in USER_MODEL_BASES or derives(base, seen | {qualname}) for base in definition.bases)
        memo[qualname] = found
        return found

    users = [q for q in sorted(is_model) if derives(q, frozenset())]
    return users[0] if len(users) == 1 else ""


class ModelNames:
    """Finds the model class a reference names: by app label, by class name in the same app, or the user model."""

    def __init__(self, registry: AppRegistry, table_of: Mapping[str, str], module_of: Mapping[str, str],
                 user: str) -> None:
        self.registry = registry
        self.user = user
        self.by_label: dict[str, str] = {}
        self.by_name: dict[str, list[str]] = defaultdict(list)
        for qualname in sorted(table_of):
            name = qualname.rpartition(".")[2]
            module = module_of.get(qualname, qualname.rpartition(".")[0])
            self.by_label.setdefault(f"{registry.label_for_module(module)}.{name}".lower(), qualname)
            self.by_name[name].append(qualname)

    def by_text(self, text: str, module: str) -> str:
        """The model a relation's target argument names: '"app.Model"', '"Model"', 'Model', settings.AUTH_USER_MODEL."""
        text = text.strip()
        if text in USER_MODEL_TEXTS or text.endswith(".AUTH_USER_MODEL"):
            return self.user
        value = string_literal(text)
        if value is None:
            value = text
        if value == "self":
            return ""
        if "." in value and string_literal(text) is not None:
            found = self.by_label.get(value.lower())
            if found:
                return found
        return self.by_class_name(value.rpartition(".")[2], module)

    def by_label_parts(self, label: str, name: str) -> str:
        return self.by_label.get(f"{label}.{name}".lower(), "")

    def by_class_name(self, name: str, module: str) -> str:
        """A class name, preferring the model of the same app as `module`, then a unique one."""
        candidates = self.by_name.get(name, [])
        if len(candidates) == 1:
            return candidates[0]
        label = self.registry.label_for_module(module)
        same_app = [q for q in candidates if self.registry.label_for_module(q.rpartition(".")[0]) == label]
        return same_app[0] if len(same_app) == 1 else ""


# --------------------------------------------------------------------------- string references


class CodeNames:
    """Resolves dotted strings to project modules and definitions, exactly or by a unique suffix."""

    def __init__(self, codebase: CodeBase) -> None:
        self.names = {m.name for m in codebase.modules}
        self.names.update(d.qualname for m in codebase.modules for d in m.definitions)
        suffixes: dict[str, set[str]] = defaultdict(set)
        for name in self.names:
            parts = name.split(".")
            for start in range(1, len(parts) - MIN_SUFFIX_PARTS + 1):
                suffixes[".".join(parts[start:])].add(name)
        self.suffixes = {suffix: next(iter(found)) for suffix, found in suffixes.items() if len(found) == 1}

    def resolve(self, dotted: str) -> str:
        dotted = dotted.replace(":", ".")
        if dotted in self.names:
            return dotted
        return self.suffixes.get(dotted, "")


def string_references(calls: Iterable[CallSite], names: CodeNames, modules: set[str]) -> list[Reference]:
    """Positional call arguments naming project code: `include("billing.urls")`,
    `load_class("checkout.mixins", "X")`. Keyword arguments are names (`name="orders.cancel"`), not paths."""
    found: list[Reference] = []
    for call in calls:
        if not call.args or call.expr.rpartition(".")[2] in NOT_CODE_PATH_CALLS:
            continue
        values = [string_literal(text) for text in call.args]
        for index, value in enumerate(values):
            if not value or not _DOTTED.match(value.replace(":", ".")):
                continue
            target = names.resolve(value)
            following = values[index + 1] if index + 1 < len(values) else None
            if target in modules and following and _IDENTIFIER.match(following):
                target = names.resolve(f"{target}.{following}") or target
            if target and not call.caller.startswith(target + ".") and target != call.caller:
                found.append(Reference(call.caller, target, call.path, call.line, "string-path"))
    return found
