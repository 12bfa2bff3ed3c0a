"""ORM models and table access, read statically from scan facts.

Tables are the strongest evidence of where a service boundary lies: modules that read and
write the same table belong together, and the module that defines a model owns its table.
Models are recognised from class definitions (SQLAlchemy declarative, flask_sqlalchemy
`db.Model`, Django `models.Model`) and module-level `Table("name", metadata, ...)` calls;
access comes from uses of a model class, raw SQL literals and the model's own methods.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from analyzer.graph.frameworks import (
    GET_MODEL_CALLS,
    RELATIONSHIP_CALLS,
    USER_MODEL_BASES,
    USER_MODEL_CALLS,
    AppRegistry,
    ModelNames,
    app_registry,
    string_literal,
    user_model,
)
from analyzer.model import CallSite, CodeBase, DataAccess, Definition, OrmModel, SymbolUse

#: Base classes (resolved dotted names) that make a subclass a mapped SQLAlchemy model.
SQLALCHEMY_BASES = frozenset({
    "sqlalchemy.orm.DeclarativeBase",
    "sqlalchemy.orm.DeclarativeBaseNoMeta",
    "sqlalchemy.orm.decl_api.DeclarativeBase",
    "sqlalchemy.ext.declarative.api.Base",
})

#: Base classes that make a subclass a Django model (Django's own abstract user models included).
DJANGO_BASES = frozenset({"django.db.models.Model", "django.db.models.base.Model"}) | USER_MODEL_BASES

#: Flask-SQLAlchemy spells relationships through its extension object (`db.relationship("Order")`).
RELATIONSHIP_NAMES = frozenset({"relationship", "relation"})
#: A column-level foreign key names its table as text: `ForeignKey("orders.id")`, `ForeignKey("shop.orders.id")`.
COLUMN_FOREIGN_KEY = "ForeignKey"

#: Callees under this prefix ending in `Field` (and relation fields) declare model fields.
DJANGO_FIELD_PREFIX = "django.db.models."

#: Calls that declare a table object: `orders = Table("orders", metadata, ...)`.
TABLE_CALLS = frozenset({"sqlalchemy.Table", "sqlalchemy.schema.Table", "sqlalchemy.sql.schema.Table"})

#: Django relation fields whose first argument (or `to=`) names another model ("app.Model" or Model).
RELATION_FIELDS = frozenset({
    "django.db.models.ForeignKey", "django.db.models.OneToOneField", "django.db.models.ManyToManyField",
    "django.db.models.fields.related.ForeignKey", "django.db.models.fields.related.OneToOneField",
    "django.db.models.fields.related.ManyToManyField",
})

#: Words in a use's context (attribute chain or call applied to the model) that change rows.
WRITE_WORDS = frozenset({
    "add", "add_all", "bulk_create", "bulk_update", "bulk_save_objects", "bulk_insert_mappings",
    "bulk_update_mappings", "create", "delete", "get_or_create", "insert", "merge", "remove",
    "save", "update", "update_or_create", "upsert",
})

#: Call names that persist an object built earlier in the same function (`session.add(order)`).
PERSIST_CALLS = frozenset({"add", "add_all", "save", "merge", "commit", "flush", "bulk_save_objects"})

#: Contexts that mean the class was instantiated (the scanner writes "" or "()" for `Order(...)`).
INSTANTIATION_CONTEXTS = frozenset({"", "()", "call", "__init__"})


def find_data_access(codebase: CodeBase) -> tuple[tuple[OrmModel, ...], tuple[DataAccess, ...]]:
    """Return (ORM models, table accesses), both sorted; every access keeps its path:line."""
    classes = {d.qualname: d for m in codebase.modules for d in m.definitions if d.kind == "class"}
    project_modules = frozenset(m.name for m in codebase.modules)
    registry = app_registry(codebase, classes)
    found = _ModelFinder(classes, project_modules, registry, _django_field_classes(codebase)).models() \
        + _table_models(codebase)
    models = tuple(sorted(found, key=lambda m: (m.qualname, m.table)))
    table_of = {m.qualname: m.table for m in models}
    module_of = {d.qualname: d.module for d in classes.values()}
    names = ModelNames(registry, table_of, module_of, user_model(classes, table_of))
    persisting = _persisting_functions(codebase)
    accesses: set[DataAccess] = set()
    for model in models:
        module = module_of.get(model.qualname) or model.qualname.rpartition(".")[0]
        accesses.add(DataAccess(model.qualname, module, model.table, "write", "define", model.path, model.line))
    for facts in codebase.modules:
        for use in facts.uses:
            table = table_of.get(use.symbol)
            if table:
                mode, via = _use_mode(use, persisting)
                accesses.add(DataAccess(use.user, facts.name, table, mode, via, use.path, use.line))
        for sql in facts.sql:
            accesses.add(DataAccess(sql.user, facts.name, sql.table, sql.op, "sql", sql.path, sql.line))
        accesses.update(_own_method_accesses(facts.name, facts.definitions, facts.calls, table_of))
        accesses.update(_framework_accesses(facts.name, facts.calls, names, table_of))
    ordered = sorted(accesses, key=lambda a: (a.module, a.path, a.line, a.table, a.accessor, a.mode, a.via))
    return models, tuple(ordered)


# --------------------------------------------------------------------------- models


class _ModelFinder:
    """Walks base-class chains once per class (memoised) to find mapped models and their tables."""

    def __init__(self, classes: dict[str, Definition], project_modules: frozenset[str], registry: AppRegistry,
                 field_classes: frozenset[str] = frozenset()) -> None:
        self.classes = classes
        self.project_modules = project_modules
        self.registry = registry
        self.field_classes = field_classes  # classes whose body declares Django model fields
        self.memo: dict[str, str] = {}

    def models(self) -> list[OrmModel]:
        models = []
        for qualname in sorted(self.classes):
            definition = self.classes[qualname]
            framework = self.framework(qualname, set())
            if not framework or self.is_abstract(definition, framework):
                continue
            table = self.table_name(definition, framework)
            if table:
                models.append(OrmModel(qualname, table, framework, definition.path, definition.line))
        return models

    def framework(self, qualname: str, seen: set[str]) -> str:
        """'sqlalchemy' / 'django' when the class's base chain reaches an ORM base, else ''."""
        if qualname in self.memo:
            return self.memo[qualname]
        if qualname in seen:
            return ""
        seen.add(qualname)
        definition = self.classes[qualname]
        result = "sqlalchemy" if "__tablename__" in _attributes(definition) else ""
        if not result and qualname in self.field_classes and not any(b in self.classes for b in definition.bases):
            result = "django"  # fields on a third-party base (MPTTModel, TimeStampedModel): a Django model
        for base in definition.bases:
            if result:
                break
            if base in DJANGO_BASES:
                result = "django"
            elif base in SQLALCHEMY_BASES or self.is_flask_model_base(base):
                result = "sqlalchemy"
            elif base in self.classes:
                result = self.framework(base, seen)
        self.memo[qualname] = result
        return result

    def is_flask_model_base(self, base: str) -> bool:
        """`db.Model` where `db = SQLAlchemy()` in a project module resolves to `<module>.db.Model`."""
        owner, _, name = base.rpartition(".")
        if name != "Model" or not owner or base in self.classes or owner in self.classes:
            return False
        return owner.startswith("flask_sqlalchemy") or (
            owner not in self.project_modules and owner.rpartition(".")[0] in self.project_modules
        )

    def is_abstract(self, definition: Definition, framework: str) -> bool:
        attributes = _attributes(definition)
        if framework == "django":
            return attributes.get("Meta.abstract") == "True"
        if attributes.get("__abstract__") == "True":
            return True
        # A declarative root (`class Base(DeclarativeBase)`) maps no table of its own.
        return "__tablename__" not in attributes and any(b in SQLALCHEMY_BASES for b in definition.bases)

    def table_name(self, definition: Definition, framework: str) -> str:
        attributes = _attributes(definition)
        if framework == "django":
            if attributes.get("Meta.db_table"):
                return attributes["Meta.db_table"]
            parent = self.mapped_parent(definition, framework)
            if attributes.get("Meta.proxy") == "True" and parent is not None:
                return self.table_name(parent, framework)
            app_label = attributes.get("Meta.app_label") or self.registry.label_for_module(definition.module)
            return f"{app_label}_{definition.qualname.rpartition('.')[2].lower()}"
        if attributes.get("__tablename__"):
            return attributes["__tablename__"]
        parent = self.mapped_parent(definition, framework)
        if parent is not None:  # single-table inheritance shares the parent's table
            return self.table_name(parent, framework)
        if any(self.is_flask_model_base(b) for b in definition.bases):
            return _snake_case(definition.qualname.rpartition(".")[2])
        return ""

    def mapped_parent(self, definition: Definition, framework: str) -> Definition | None:
        for base in definition.bases:
            parent = self.classes.get(base)
            if parent is not None and self.memo.get(base) == framework \
                    and not self.is_abstract(parent, framework):
                return parent
        return None


def _attributes(definition: Definition) -> dict[str, str]:
    return dict(definition.attributes)


def _snake_case(name: str) -> str:
    """flask_sqlalchemy's default table name: CamelCase → camel_case."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _django_field_classes(codebase: CodeBase) -> frozenset[str]:
    """Classes whose body creates Django model fields (`name = models.CharField(...)`)."""
    return frozenset(
        call.caller for m in codebase.modules for call in m.calls
        if any(c.startswith(DJANGO_FIELD_PREFIX) and (c.endswith("Field") or c in RELATION_FIELDS) for c in call.callees)
    )


def _table_models(codebase: CodeBase) -> list[OrmModel]:
    """Module-level `Table("orders", metadata, ...)`: the module that declares it owns it."""
    models = []
    for facts in codebase.modules:
        for call in facts.calls:
            if call.caller != facts.name or not TABLE_CALLS.intersection(call.callees) or not call.args:
                continue
            table = string_literal(call.args[0])
            if table:
                models.append(OrmModel(f"{facts.name}.{table}", table, "table", call.path, call.line))
    return models


# --------------------------------------------------------------------------- access


def _persisting_functions(codebase: CodeBase) -> frozenset[str]:
    """Functions that call `session.add(...)`, `.save()`, `.commit()`: instantiations there are writes."""
    return frozenset(
        call.caller for m in codebase.modules for call in m.calls
        if call.expr.rpartition(".")[2] in PERSIST_CALLS
    )


def _use_mode(use: SymbolUse, persisting: frozenset[str]) -> tuple[str, str]:
    context = use.context.strip()
    words = set(re.split(r"[.()\s]+", context))
    if words & WRITE_WORDS:
        return "write", context
    if context in INSTANTIATION_CONTEXTS:
        return ("write" if use.user in persisting else "read"), "instantiate"
    return "read", context


def _own_method_accesses(module: str, definitions: Iterable[Definition], calls: Iterable[CallSite],
                         table_of: dict[str, str]) -> list[DataAccess]:
    """A model's own methods touch its table: writes when they save/delete, reads otherwise."""
    writers = {c.caller for c in calls if c.expr.rpartition(".")[2] in WRITE_WORDS | PERSIST_CALLS}
    accesses = []
    for definition in definitions:
        if definition.kind != "method":
            continue
        owner = definition.qualname.rpartition(".")[0]
        table = table_of.get(owner)
        if table:
            mode = "write" if definition.qualname in writers else "read"
            accesses.append(DataAccess(definition.qualname, module, table, mode, "method",
                                       definition.path, definition.line))
    return accesses


def _framework_accesses(module: str, calls: Iterable[CallSite], names: ModelNames,
                        table_of: dict[str, str]) -> list[DataAccess]:
    """Models reached through framework conventions, each a read by the caller with its path:line.

    Django relation fields (`ForeignKey("billing.Invoice")`, `ForeignKey(settings.AUTH_USER_MODEL)`,
    `to=...`), `apps.get_model("order", "Line")`, `get_user_model()`, SQLAlchemy's
    `relationship("Order")` (also `db.relationship`) and column foreign keys `ForeignKey("orders.id")`.
    """
    accesses = []
    tables = frozenset(table_of.values())
    for call in calls:
        callees = set(call.callees)
        target, via = "", ""
        name = call.expr.rpartition(".")[2]
        if RELATION_FIELDS & callees:
            text = next((a.partition("=")[2] for a in call.args if a.startswith("to=")), call.args[0] if call.args else "")
            target, via = (names.by_text(text, module) if text else ""), "relation"
        elif (RELATIONSHIP_CALLS & callees or name in RELATIONSHIP_NAMES) and call.args:
            value = string_literal(call.args[0])
            target, via = (names.by_class_name(value.rpartition(".")[2], module) if value else ""), "relation"
        elif name == COLUMN_FOREIGN_KEY and call.args and (column := string_literal(call.args[0])):
            named = column.rpartition(".")[0]  # "schema.table.column" -> "schema.table"
            found = named if named in tables else named.rpartition(".")[2] if named.rpartition(".")[2] in tables else ""
            if found:
                accesses.append(DataAccess(call.caller, module, found, "read", "relation", call.path, call.line))
            continue
        elif USER_MODEL_CALLS & callees:
            target, via = names.user or "", "user-model"
        elif call.expr.rpartition(".")[2] in GET_MODEL_CALLS and call.args:
            target, via = _get_model_target(call.args, names), "get_model"
        table = table_of.get(target)
        if table:
            accesses.append(DataAccess(call.caller, module, table, "read", via, call.path, call.line))
    return accesses


def _get_model_target(args: tuple[str, ...], names: ModelNames) -> str:
    """`get_model("app", "Model")` or `get_model("app.Model")`: the model class, or ''."""
    values = [string_literal(a) for a in args[:2]]
    if len(values) == 2 and values[0] and values[1]:
        return names.by_label_parts(values[0], values[1])
    if values[0] and values[0].count(".") == 1:
        label, _, name = values[0].partition(".")
        return names.by_label_parts(label, name)
    return ""
