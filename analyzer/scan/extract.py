"""One file's syntax tree -> RawModule: scopes, bindings, imports, call sites, loads, SQL.

Runs inside parser workers, so it only knows this file: names stay as written and are resolved
later, once for the whole program (`analyzer.scan.resolve`). Relative imports are made absolute
here because the module's own name is known.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from itertools import accumulate

from analyzer.scan import conventions as conv
from analyzer.scan.facts import (
    UNKNOWN,
    Binding,
    Expr,
    RawCall,
    RawHit,
    RawImport,
    RawLoad,
    RawModule,
    RawParam,
    RawScope,
    RawSql,
    TypeAlternative,
)
from analyzer.scan.sql import sql_tables

ARG_TEXT_LIMIT = 80
EXPR_TEXT_LIMIT = 120
COLLECTION_LIMIT = 64

_FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)
#: RawCall.decorates value of calls Python makes implicitly (iteration, context managers).
IMPLICIT = -2
_LITERAL_TYPES = {str: "str", bytes: "bytes", int: "int", float: "float", complex: "complex", bool: "bool"}
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


class _Scope:
    """Mutable twin of RawScope while the file is walked."""

    __slots__ = ("qualname", "kind", "parent", "node", "line", "end_line", "span_start", "is_async",
                 "decorators", "decorator_text", "method_kind", "bases", "base_text", "attributes",
                 "params", "returns", "return_annotation", "bindings", "self_attrs", "globals",
                 "nonlocals", "self_name", "name")

    def __init__(self, qualname: str, kind: str, parent: int, name: str = "") -> None:
        self.qualname = qualname
        self.kind = kind
        self.parent = parent
        self.name = name
        self.line = self.end_line = self.span_start = 1
        self.is_async = False
        self.decorators: tuple[Expr, ...] = ()
        self.decorator_text: tuple[str, ...] = ()
        self.method_kind = ""
        self.bases: tuple[Expr, ...] = ()
        self.base_text: tuple[str, ...] = ()
        self.attributes: list[tuple[str, str]] = []
        self.params: tuple[RawParam, ...] = ()
        self.returns: list[Expr] = []
        self.return_annotation: tuple[TypeAlternative, ...] = ()
        self.bindings: dict[str, list[Binding]] = {}
        self.self_attrs: dict[str, list[tuple[Binding, int]]] = {}
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()
        self.self_name = ""


def dotted(node: ast.AST) -> str | None:
    """`a.b.c` for a pure name/attribute chain, else None."""
    parts = []
    while type(node) is ast.Attribute:
        parts.append(node.attr)
        node = node.value
    if type(node) is not ast.Name:
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def is_chain(node: ast.AST) -> bool:
    while type(node) is ast.Attribute:
        node = node.value
    return type(node) is ast.Name


def to_expr(node: ast.AST | None) -> Expr:
    """The encoded expression (see analyzer.scan.facts) of an AST expression."""
    if node is None:
        return UNKNOWN
    kind = type(node)
    if kind is ast.Name:
        return ("n", node.id)
    if kind is ast.Attribute:
        return ("a", to_expr(node.value), node.attr)
    if kind is ast.Call:
        func = node.func
        if type(func) is ast.Name and func.id == "super":
            return ("super",)
        if node.args and is_chain(node.args[0]):  # `session.query(Order)`: the class may type the result
            return ("c", to_expr(func), to_expr(node.args[0]))
        return ("c", to_expr(func))
    if kind is ast.Constant:
        name = _LITERAL_TYPES.get(type(node.value))
        return ("k", name) if name else UNKNOWN
    if kind is ast.JoinedStr:
        return ("k", "str")
    if kind in (ast.List, ast.Tuple, ast.Set):
        return _collection([to_expr(e) for e in node.elts], kind.__name__.lower())
    if kind is ast.Dict:
        return _collection([to_expr(v) for v in node.values], "dict")
    if kind is ast.BoolOp:
        return ("u", *(to_expr(v) for v in node.values))
    if kind is ast.IfExp:
        return ("u", to_expr(node.body), to_expr(node.orelse))
    if kind is ast.Await or kind is ast.NamedExpr:
        return to_expr(node.value)
    if kind is ast.Subscript:
        if type(node.slice) is ast.Slice:  # `items[1:3]` is the same kind of collection
            return to_expr(node.value)
        return ("elem", to_expr(node.value))
    if kind is ast.Lambda:
        return ("lambda",)
    if kind is ast.ListComp:
        return ("k", "list")
    if kind is ast.DictComp:
        return ("k", "dict")
    if kind is ast.SetComp:
        return ("k", "set")
    return UNKNOWN


def _collection(members: list[Expr], type_name: str) -> Expr:
    kept = [m for m in members if m[0] not in ("k", "x")][:COLLECTION_LIMIT]
    return ("coll", *kept) if kept else ("k", type_name)


def type_alternatives(node: ast.AST | None) -> tuple[TypeAlternative, ...]:
    """What an annotation says a value is: `Optional["Order"]` -> (("inst", Order),)."""
    if node is None:
        return ()
    kind = type(node)
    if kind is ast.Constant:
        if isinstance(node.value, str):
            try:
                parsed = ast.parse(node.value.strip(), mode="eval")
            except (SyntaxError, ValueError):
                return ()
            return type_alternatives(parsed.body)
        return ()
    if kind is ast.Name or kind is ast.Attribute:
        return (("inst", to_expr(node)),) if is_chain(node) else ()
    if kind is ast.BinOp and isinstance(node.op, ast.BitOr):
        return type_alternatives(node.left) + type_alternatives(node.right)
    if kind is ast.Subscript:
        name = (dotted(node.value) or "").rpartition(".")[2]
        elements = node.slice.elts if type(node.slice) is ast.Tuple else [node.slice]
        if name in conv.UNION_TYPES:
            return tuple(alt for e in elements for alt in type_alternatives(e))
        if not elements:  # `tuple[()]`: the empty tuple type names no class
            return ()
        if name in conv.TRANSPARENT_TYPES:
            return type_alternatives(elements[-1])
        if name in conv.ANNOTATED_TYPES:
            return type_alternatives(elements[0])
        if name in conv.CLASS_TYPES:
            return tuple(("cls", e) for mode, e in type_alternatives(elements[0]) if mode == "inst")
        if name in conv.COLLECTION_TYPES or name in conv.MAPPING_TYPES:
            inner = elements[-1] if name in conv.MAPPING_TYPES else elements[0]
            return tuple(("list", e) for mode, e in type_alternatives(inner) if mode == "inst")
        return type_alternatives(node.value)
    return ()


def annotation_chains(node: ast.AST | None) -> list[ast.expr]:
    """Every name/attribute chain an annotation mentions, string annotations included."""
    if node is None:
        return []
    if type(node) is ast.Constant and isinstance(node.value, str):
        try:
            node = ast.parse(node.value.strip(), mode="eval").body
        except (SyntaxError, ValueError):
            return []
    if is_chain(node):
        return [node]
    found: list[ast.expr] = []
    for child in ast.iter_child_nodes(node):
        found.extend(annotation_chains(child))
    return found


def _is_type_checking(test: ast.expr) -> bool:
    name = dotted(test)
    return name is not None and name.rpartition(".")[2] in conv.TYPE_CHECKING_NAMES


def _constant_text(node: ast.AST) -> str | None:
    if type(node) is ast.Constant and not isinstance(node.value, bytes):
        value = node.value
        return value[:200] if isinstance(value, str) else repr(value)
    return None


def split_identifier(name: str) -> Iterable[str]:
    for part in name.split("_"):
        if part:
            yield from _CAMEL.findall(part)


class Extractor:
    """Walks one module's tree once and collects its raw facts."""

    def __init__(self, source: str, module: str, path: str, is_package: bool) -> None:
        self.module = module
        self.path = path
        self.is_package = is_package
        self.lines = source.split("\n")
        self.code_lines = list(accumulate(
            (1 if (s := line.strip()) and not s.startswith("#") else 0 for line in self.lines), initial=0))
        self.package = module if is_package else module.rpartition(".")[0]
        self.scopes: list[_Scope] = [_Scope(module, "module", -1)]
        self.scopes[0].end_line = len(self.lines)
        self.imports: list[RawImport] = []
        self.calls: list[RawCall] = []
        self.loads: list[RawLoad] = []
        self.sql: list[RawSql] = []
        self.names: set[str] = set()
        self.star_all: tuple[str, ...] | None = None
        self.cur = 0
        self.in_loop = False
        self.type_checking = False
        self.conditional = 0

    # ------------------------------------------------------------------ entry point

    def run(self, tree: ast.Module, parser: str, hits: Iterable[tuple[str, int, str, str]]) -> RawModule:
        self.body(tree.body, docstring=True)
        scopes = tuple(self._freeze(s) for s in self.scopes)
        raw_hits = tuple(RawHit(self._scope_at(line), rule, line, detail, entry_kind)
                         for rule, line, detail, entry_kind in hits)
        return RawModule(
            name=self.module, path=self.path, is_package=self.is_package,
            loc=self.code_lines[-1], parser=parser, scopes=scopes, imports=tuple(self.imports),
            calls=tuple(self.calls), loads=tuple(self.loads), sql=tuple(self.sql), hits=raw_hits,
            star_all=self.star_all, identifiers=self._identifiers(),
        )

    def _freeze(self, s: _Scope) -> RawScope:
        return RawScope(
            qualname=s.qualname, kind=s.kind, parent=s.parent, line=s.line, end_line=s.end_line,
            span_start=s.span_start, loc=self.loc(s.span_start, s.end_line), is_async=s.is_async,
            decorators=s.decorators, decorator_text=s.decorator_text, method_kind=s.method_kind,
            bases=s.bases, base_text=s.base_text, attributes=tuple(s.attributes), params=s.params,
            returns=tuple(dict.fromkeys(s.returns)), return_annotation=s.return_annotation,
            bindings={k: tuple(dict.fromkeys(v)) for k, v in s.bindings.items()},
            self_attrs={k: tuple(dict.fromkeys(v)) for k, v in s.self_attrs.items()},
        )

    def loc(self, first: int, last: int) -> int:
        return self.code_lines[min(last, len(self.lines))] - self.code_lines[max(first, 1) - 1]

    def _scope_at(self, line: int) -> int:
        best, best_start = 0, 0
        for index, s in enumerate(self.scopes):
            if index and s.span_start <= line <= s.end_line and s.span_start >= best_start:
                best, best_start = index, s.span_start
        return best

    def _identifiers(self) -> tuple[str, ...]:
        tokens = {t.lower() for name in self.names for t in split_identifier(name)}
        return tuple(sorted(t for t in tokens if len(t) >= 3 and not t.isdigit() and t not in conv.STOP_WORDS))

    # ------------------------------------------------------------------ source text

    def text(self, node: ast.AST, limit: int) -> str:
        name = dotted(node)
        if name is not None:
            return name[:limit]
        first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
        start, end = node.col_offset, node.end_col_offset or 0
        if first == last:
            line = self.lines[first] if first < len(self.lines) else ""
            segment = line[start:end] if line.isascii() else line.encode()[start:end].decode("utf-8", "replace")
        else:
            chunk = self.lines[first:last + 1]
            if not chunk:
                return ""
            chunk[0] = chunk[0].encode()[start:].decode("utf-8", "replace")
            chunk[-1] = chunk[-1].encode()[:end].decode("utf-8", "replace")
            segment = " ".join(part.strip() for part in chunk)
        return segment[:limit]

    # ------------------------------------------------------------------ bindings

    def bind(self, name: str, binding: Binding) -> None:
        scope = self.scopes[self.cur]
        if name in scope.globals:
            scope = self.scopes[0]
        elif name in scope.nonlocals:
            index = scope.parent
            while index > 0 and self.scopes[index].kind == "class":
                index = self.scopes[index].parent
            scope = self.scopes[max(index, 0)]
        scope.bindings.setdefault(name, []).append(binding)

    def bind_target(self, target: ast.AST, value: Expr, value_node: ast.AST | None = None) -> None:
        kind = type(target)
        if kind is ast.Name:
            self.names.add(target.id)
            self.bind(target.id, ("v", value))
        elif kind is ast.Tuple or kind is ast.List:
            pairs = (type(value_node) in (ast.Tuple, ast.List) and len(value_node.elts) == len(target.elts)
                     and not any(type(e) is ast.Starred for e in target.elts))
            for index, element in enumerate(target.elts):
                if pairs:
                    member = value_node.elts[index]
                    self.bind_target(element, to_expr(member), member)
                else:
                    self.bind_target(element, ("elem", value))
        elif kind is ast.Starred:
            self.bind_target(target.value, UNKNOWN)
        elif kind is ast.Attribute:
            self.expr(target.value, "other")
            self._self_attribute(target, ("v", value))
        elif kind is ast.Subscript:
            self.expr(target.value, "other")
            self.expr(target.slice, "other")

    def _self_attribute(self, target: ast.Attribute, binding: Binding) -> None:
        """`self.repo = OrderRepository()` inside a method: an instance attribute of the class."""
        scope = self.scopes[self.cur]
        if type(target.value) is not ast.Name or not scope.self_name or target.value.id != scope.self_name:
            return
        owner = self.scopes[scope.parent] if scope.parent >= 0 else None
        if owner is not None and owner.kind == "class":
            owner.self_attrs.setdefault(target.attr, []).append((binding, self.cur))

    # ------------------------------------------------------------------ statements

    def body(self, statements: list[ast.stmt], docstring: bool = False) -> None:
        for index, node in enumerate(statements):
            if (docstring and index == 0 and type(node) is ast.Expr and type(node.value) is ast.Constant
                    and isinstance(node.value.value, str)):
                continue
            handler = _STATEMENTS.get(type(node))
            if handler is None:
                self.generic_statement(node)
            else:
                handler(self, node)

    def generic_statement(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                self.body([child])
            elif isinstance(child, ast.expr):
                self.expr(child, "other")
            elif isinstance(child, ast.pattern):
                self._pattern(child)
            elif isinstance(child, (ast.match_case, ast.excepthandler, ast.withitem, ast.comprehension)):
                self.generic_statement(child)

    def _pattern(self, node: ast.pattern) -> None:
        for child in ast.walk(node):
            name = getattr(child, "name", None) if isinstance(child, (ast.MatchAs, ast.MatchStar)) else None
            if name:
                self.bind(name, UNKNOWN)
            if isinstance(child, ast.MatchValue):
                self.expr(child.value, "tested")
            elif isinstance(child, ast.MatchClass):
                self.expr(child.cls, "tested")

    def function_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.names.add(node.name)
        parent_index = self.cur
        parent = self.scopes[parent_index]
        kind = "method" if parent.kind == "class" else "function"
        decorators = self._decorators(node)
        for default in (*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)):
            self.expr(default, "argument")
        scope = _Scope(f"{parent.qualname}.{node.name}", kind, parent_index, node.name)
        scope.line, scope.end_line = node.lineno, node.end_lineno or node.lineno
        scope.span_start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        scope.is_async = type(node) is ast.AsyncFunctionDef
        scope.decorators = tuple(to_expr(d) for d in node.decorator_list)
        scope.decorator_text = tuple(self.text(d, EXPR_TEXT_LIMIT) for d in node.decorator_list)
        scope.method_kind = self._method_kind(node.decorator_list) if kind == "method" else ""
        if node.name == "__new__" and kind == "method":
            scope.method_kind = "class"
        scope.return_annotation = type_alternatives(node.returns)
        index = len(self.scopes)
        self.scopes.append(scope)
        self._params(scope, node.args, kind)
        annotations = [a.annotation for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs,
                                              node.args.vararg, node.args.kwarg) if a is not None]
        for annotation in (*annotations, node.returns):
            self._annotation_loads(annotation, index)
        self.bind(node.name, ("def", index))
        self._apply_decorators(node, decorators, index)
        saved = (self.cur, self.in_loop, self.type_checking, self.conditional)
        self.cur, self.in_loop, self.type_checking, self.conditional = index, False, False, 0
        self.body(node.body, docstring=True)
        self.cur, self.in_loop, self.type_checking, self.conditional = saved

    def _params(self, scope: _Scope, args: ast.arguments, kind: str) -> None:
        params: list[RawParam] = []
        for arg in (*args.posonlyargs, *args.args):
            params.append(RawParam(arg.arg, type_alternatives(arg.annotation), "pos"))
        if args.vararg:
            params.append(RawParam(args.vararg.arg, (), "vararg"))
        for arg in args.kwonlyargs:
            params.append(RawParam(arg.arg, type_alternatives(arg.annotation), "kwonly"))
        if args.kwarg:
            params.append(RawParam(args.kwarg.arg, (), "kwarg"))
        scope.params = tuple(params)
        for index, param in enumerate(params):
            self.names.add(param.name)
            scope.bindings.setdefault(param.name, []).append(("param", index))
        if kind == "method" and scope.method_kind not in ("static",) and params and params[0].kind == "pos":
            scope.self_name = params[0].name

    def _annotation_loads(self, annotation: ast.AST | None, scope: int) -> None:
        """Classes named in annotations: type-only uses (`def f(o: "Order")`)."""
        if annotation is None:
            return
        line = annotation.lineno
        for chain in annotation_chains(annotation):
            self.loads.append(RawLoad(scope, to_expr(chain), line, "annotation"))

    def _method_kind(self, decorators: list[ast.expr]) -> str:
        for decorator in decorators:
            name = dotted(decorator) or ""
            last = name.rpartition(".")[2]
            if last in conv.METHOD_KINDS:
                return conv.METHOD_KINDS[last]
            if last in ("setter", "getter", "deleter"):
                return "property"
        return ""

    def _decorators(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> list[int]:
        """Visit decorator expressions in the enclosing scope; return their call indexes (or -1)."""
        indexes = []
        for decorator in node.decorator_list:
            if type(decorator) is ast.Call:
                indexes.append(len(self.calls))
                self.call(decorator, "other")
            else:
                if not is_chain(decorator):
                    self.expr(decorator, "other")
                indexes.append(-1)
        return indexes

    def _apply_decorators(self, node: ast.AST, call_indexes: list[int], target: int) -> None:
        """A decorator application is a call from the enclosing scope to the decorator."""
        name = getattr(node, "name", "")
        for position, (decorator, inner) in enumerate(zip(node.decorator_list, call_indexes, strict=True)):
            func = ("c", to_expr(decorator.func)) if type(decorator) is ast.Call else to_expr(decorator)
            self.calls.append(RawCall(
                scope=self.cur, func=func, expr=self.text(decorator, EXPR_TEXT_LIMIT), line=decorator.lineno,
                usage="other", in_loop=self.in_loop, args=(("def", target, position + 1),), kwargs=(),
                arg_text=(name,), decorates=target, inner_call=inner))

    def class_def(self, node: ast.ClassDef) -> None:
        self.names.add(node.name)
        parent_index = self.cur
        parent = self.scopes[parent_index]
        decorators = self._decorators(node)
        for keyword in node.keywords:
            self.expr(keyword.value, "argument")
        for base in node.bases:
            if not is_chain(base):
                self.expr(base, "argument")
        scope = _Scope(f"{parent.qualname}.{node.name}", "class", parent_index, node.name)
        scope.line, scope.end_line = node.lineno, node.end_lineno or node.lineno
        scope.span_start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        scope.decorators = tuple(to_expr(d) for d in node.decorator_list)
        scope.decorator_text = tuple(self.text(d, EXPR_TEXT_LIMIT) for d in node.decorator_list)
        # `BaseRepository[Order]`, `Generic[T]`: the class being parametrised is the base
        scope.bases = tuple(to_expr(b.value if type(b) is ast.Subscript else b) for b in node.bases)
        scope.base_text = tuple(self.text(b, EXPR_TEXT_LIMIT) for b in node.bases)
        index = len(self.scopes)
        self.scopes.append(scope)
        self.bind(node.name, ("def", index))
        self._apply_decorators(node, decorators, index)
        saved = (self.cur, self.in_loop, self.type_checking, self.conditional)
        self.cur, self.in_loop, self.type_checking, self.conditional = index, False, False, 0
        self.body(node.body, docstring=True)
        self.cur, self.in_loop, self.type_checking, self.conditional = saved
        for statement in node.body:
            self._class_attribute(scope, statement)

    def _class_attribute(self, scope: _Scope, statement: ast.stmt) -> None:
        kind = type(statement)
        if kind is ast.Assign and len(statement.targets) == 1 and type(statement.targets[0]) is ast.Name:
            value = _constant_text(statement.value)
            if value is not None:
                scope.attributes.append((statement.targets[0].id, value))
        elif kind is ast.AnnAssign and type(statement.target) is ast.Name and statement.value is not None:
            value = _constant_text(statement.value)
            if value is not None:
                scope.attributes.append((statement.target.id, value))
        elif kind is ast.ClassDef:
            nested = next((s for s in reversed(self.scopes) if s.qualname == f"{scope.qualname}.{statement.name}"),
                          None)
            if nested is not None:
                scope.attributes.extend((f"{statement.name}.{k}", v) for k, v in nested.attributes
                                        if "." not in k)

    def assign(self, node: ast.Assign) -> None:
        value = to_expr(node.value)
        self.expr(node.value, "assigned", via="assign")
        for target in node.targets:
            self.bind_target(target, value, node.value)
        if (self.cur == 0 and len(node.targets) == 1 and type(node.targets[0]) is ast.Name
                and node.targets[0].id == "__all__" and type(node.value) in (ast.List, ast.Tuple)):
            names = [e.value for e in node.value.elts if type(e) is ast.Constant and isinstance(e.value, str)]
            self.star_all = tuple(names)

    def ann_assign(self, node: ast.AnnAssign) -> None:
        self._annotation_loads(node.annotation, self.cur)
        alternatives = type_alternatives(node.annotation)
        value = to_expr(node.value) if node.value is not None else None
        if node.value is not None:
            self.expr(node.value, "assigned", via="assign")
        target = node.target
        bindings: list[Binding] = [("ann", mode, e) for mode, e in alternatives]
        if value is not None:
            bindings.append(("v", value))
        if type(target) is ast.Name:
            self.names.add(target.id)
            for binding in bindings:
                self.bind(target.id, binding)
            if not bindings:
                self.bind(target.id, ("v", UNKNOWN))
        elif type(target) is ast.Attribute:
            self.expr(target.value, "other")
            for binding in bindings:
                self._self_attribute(target, binding)
        else:
            self.expr(target, "other")

    def aug_assign(self, node: ast.AugAssign) -> None:
        self.expr(node.value, "assigned")
        if type(node.target) is ast.Name:
            self.bind(node.target.id, ("v", UNKNOWN))
        else:
            self.expr(node.target, "other")

    def implicit_call(self, func: Expr, text: str, line: int) -> None:
        """A protocol method Python calls for us (`__iter__`, `__enter__`): kept only if internal."""
        self.calls.append(RawCall(
            scope=self.cur, func=func, expr=text, line=line, usage="other", in_loop=self.in_loop, args=(),
            kwargs=(), arg_text=(), decorates=IMPLICIT, inner_call=-1))

    def for_loop(self, node: ast.For | ast.AsyncFor) -> None:
        self.expr(node.iter, "other")
        iterable = to_expr(node.iter)
        if type(node.iter) not in (ast.List, ast.Tuple, ast.Set, ast.Dict):
            iterator = ("c", ("a", iterable, "__iter__"))
            self.implicit_call(("a", iterable, "__iter__"), "__iter__", node.lineno)
            self.implicit_call(("a", iterator, "__next__"), "__next__", node.lineno)
        if type(node.iter) in (ast.List, ast.Tuple) and type(node.target) is ast.Name:
            for element in node.iter.elts:
                self.bind(node.target.id, ("v", to_expr(element)))
        else:
            self.bind_target(node.target, ("elem", iterable))
        saved = self.in_loop
        self.in_loop = True
        self.body(node.body)
        self.in_loop = saved
        self.body(node.orelse)

    def while_loop(self, node: ast.While) -> None:
        saved = self.in_loop
        self.in_loop = True
        self.expr(node.test, "tested")
        self.body(node.body)
        self.in_loop = saved
        self.body(node.orelse)

    def if_statement(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            saved = self.type_checking
            self.type_checking = True
            self.body(node.body)
            self.type_checking = saved
            self.conditional += 1
            self.body(node.orelse)
            self.conditional -= 1
            return
        self.expr(node.test, "tested")
        self.conditional += 1
        self.body(node.body)
        self.body(node.orelse)
        self.conditional -= 1

    def try_statement(self, node: ast.Try) -> None:
        self.conditional += 1
        self.body(node.body)
        for handler in node.handlers:
            if handler.type is not None:
                self.expr(handler.type, "other")
                if handler.name:
                    for mode, e in type_alternatives(handler.type) or (("inst", UNKNOWN),):
                        self.bind(handler.name, ("ann", mode, e))
            self.body(handler.body)
        self.body(node.orelse)
        self.body(node.finalbody)
        self.conditional -= 1

    def with_statement(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.expr(item.context_expr, "other")
            manager = to_expr(item.context_expr)
            self.implicit_call(("a", manager, "__enter__"), "__enter__", node.lineno)
            self.implicit_call(("a", manager, "__exit__"), "__exit__", node.lineno)
            if item.optional_vars is not None:
                self.bind_target(item.optional_vars, to_expr(item.context_expr), item.context_expr)
        self.body(node.body)

    def return_statement(self, node: ast.Return) -> None:
        if node.value is not None:
            self.scopes[self.cur].returns.append(to_expr(node.value))
            self.expr(node.value, "returned", via="return")

    def assert_statement(self, node: ast.Assert) -> None:
        self.expr(node.test, "tested")
        if node.msg is not None:
            self.expr(node.msg, "other")

    def expression_statement(self, node: ast.Expr) -> None:
        self.expr(node.value, "discarded")

    def global_statement(self, node: ast.Global) -> None:
        self.scopes[self.cur].globals.update(node.names)

    def nonlocal_statement(self, node: ast.Nonlocal) -> None:
        self.scopes[self.cur].nonlocals.update(node.names)

    def import_statement(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                bound, binding = alias.asname, ("imp", alias.name, "")
            else:
                bound = alias.name.partition(".")[0]
                binding = ("imp", bound, "")
            self.names.update(alias.name.split("."))
            self.bind(bound, binding)
            self.imports.append(RawImport(
                scope=self.cur, target=alias.name, module=alias.name, attr="", bound_as=bound,
                line=node.lineno, level=0, star=False, type_checking=self.type_checking,
                conditional=self.conditional > 0))

    def import_from(self, node: ast.ImportFrom) -> None:
        module = self.absolute(node.module or "", node.level)
        for alias in node.names:
            if alias.name == "*":
                self.scopes[self.cur].bindings.setdefault("*", []).append(("star", module))
                target, attr, bound = module, "", ""
            else:
                attr = alias.name
                bound = alias.asname or alias.name
                target = f"{module}.{attr}" if module else attr
                self.names.add(attr)
                self.bind(bound, ("imp", module, attr))
            self.imports.append(RawImport(
                scope=self.cur, target=target, module=module, attr=attr, bound_as=bound,
                line=node.lineno, level=node.level, star=alias.name == "*",
                type_checking=self.type_checking, conditional=self.conditional > 0))

    def absolute(self, module: str, level: int) -> str:
        if level == 0:
            return module
        parts = self.package.split(".") if self.package else []
        if level - 1 > len(parts):
            return module
        base = parts[: len(parts) - (level - 1)]
        return ".".join([*base, module] if module else base)

    # ------------------------------------------------------------------ expressions

    def expr(self, node: ast.AST, usage: str, via: str = "value") -> None:
        """Visit an expression: record calls, value loads and SQL strings inside it."""
        kind = type(node)
        if kind is ast.Name:
            self.names.add(node.id)
            if type(node.ctx) is ast.Load and node.id not in ("self", "cls"):
                self.loads.append(RawLoad(self.cur, ("n", node.id), node.lineno, via))
            return
        if kind is ast.Attribute:
            self.names.add(node.attr)
            if is_chain(node):
                if type(node.ctx) is ast.Load:
                    self.loads.append(RawLoad(self.cur, to_expr(node), node.lineno, via))
                return
            self.expr(node.value, "other")
            return
        if kind is ast.Call:
            self.call(node, usage)
            return
        if kind is ast.Constant:
            if isinstance(node.value, str) and len(node.value) > 12:
                self._sql(node.value, node.lineno)
            return
        if kind is ast.Await:
            self.expr(node.value, "awaited", via)
            return
        if kind is ast.BoolOp:
            for value in node.values:
                self.expr(value, "tested", via)
            return
        if kind is ast.Compare:
            self.expr(node.left, "tested")
            for value in node.comparators:
                self.expr(value, "tested")
            return
        if kind is ast.UnaryOp:
            self.expr(node.operand, "tested" if isinstance(node.op, ast.Not) else "other")
            return
        if kind is ast.IfExp:
            self.expr(node.test, "tested")
            self.expr(node.body, usage, via)
            self.expr(node.orelse, usage, via)
            return
        if kind in (ast.List, ast.Tuple, ast.Set):
            for element in node.elts:
                self.expr(element, "other", "collection")
            return
        if kind is ast.Dict:
            for key in node.keys:
                if key is not None:
                    self.expr(key, "other", "collection")
            for value in node.values:
                self.expr(value, "other", "collection")
            return
        if kind is ast.JoinedStr:
            text = "".join(v.value if type(v) is ast.Constant else "?" for v in node.values)
            if len(text) > 12:
                self._sql(text, node.lineno)
            for value in node.values:
                if type(value) is ast.FormattedValue:
                    self.expr(value.value, "other")
                    if value.format_spec is not None:
                        self.expr(value.format_spec, "other")
            return
        if kind is ast.Lambda:
            for arg in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs):
                self.bind(arg.arg, ("v", UNKNOWN))
            for default in (*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)):
                self.expr(default, "argument")
            self.expr(node.body, "returned")
            return
        if kind in (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp):
            self._comprehension(node)
            return
        if kind is ast.NamedExpr:
            self.expr(node.value, "assigned")
            self.bind_target(node.target, to_expr(node.value), node.value)
            return
        if kind is ast.Yield or kind is ast.YieldFrom:
            if node.value is not None:
                self.expr(node.value, "returned", "return")
            return
        if kind is ast.Starred:
            self.expr(node.value, usage, via)
            return
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.expr(child, "other")

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> None:
        saved = self.in_loop
        for index, generator in enumerate(node.generators):
            self.expr(generator.iter, "other")
            self.in_loop = True if index == 0 else self.in_loop
            self.bind_target(generator.target, ("elem", to_expr(generator.iter)))
            for condition in generator.ifs:
                self.expr(condition, "tested")
        if type(node) is ast.DictComp:
            self.expr(node.key, "other")
            self.expr(node.value, "other")
        else:
            self.expr(node.elt, "other")
        self.in_loop = saved

    def call(self, node: ast.Call, usage: str) -> None:
        func = node.func
        if type(func) is ast.Name and func.id == "super" and usage == "other":
            return  # `super().m()`: the call that matters is m, resolved through the MRO
        if not is_chain(func):
            self.expr(func, "other")
        else:
            self.names.update((dotted(func) or "").split("."))
        args: list[Expr] = []
        texts: list[str] = []
        for arg in node.args:
            value = arg.value if type(arg) is ast.Starred else arg
            args.append(UNKNOWN if type(arg) is ast.Starred else to_expr(arg))
            texts.append(" ".join(self.text(arg, ARG_TEXT_LIMIT * 2).split())[:ARG_TEXT_LIMIT])
            if not is_chain(value):
                self.expr(value, "argument", "collection")
            elif type(value) is ast.Name:
                self.names.add(value.id)
        kwargs: list[tuple[str, Expr]] = []
        for keyword in node.keywords:
            if keyword.arg is not None:
                self.names.add(keyword.arg)
                kwargs.append((keyword.arg, to_expr(keyword.value)))
                prefix = f"{keyword.arg}="
            else:
                prefix = "**"
            texts.append(" ".join((prefix + self.text(keyword.value, ARG_TEXT_LIMIT * 2)).split())[:ARG_TEXT_LIMIT])
            if not is_chain(keyword.value):
                self.expr(keyword.value, "argument", "collection")
        self.calls.append(RawCall(
            scope=self.cur, func=to_expr(func), expr=self.text(func, EXPR_TEXT_LIMIT), line=node.lineno,
            usage=usage, in_loop=self.in_loop, args=tuple(args), kwargs=tuple(kwargs), arg_text=tuple(texts),
            decorates=-1, inner_call=-1))

    # ------------------------------------------------------------------ SQL

    def _sql(self, text: str, line: int) -> None:
        for table, op in sql_tables(text):
            self.sql.append(RawSql(self.cur, table, op, line))


_STATEMENTS = {
    ast.FunctionDef: Extractor.function_def,
    ast.AsyncFunctionDef: Extractor.function_def,
    ast.ClassDef: Extractor.class_def,
    ast.Assign: Extractor.assign,
    ast.AnnAssign: Extractor.ann_assign,
    ast.AugAssign: Extractor.aug_assign,
    ast.For: Extractor.for_loop,
    ast.AsyncFor: Extractor.for_loop,
    ast.While: Extractor.while_loop,
    ast.If: Extractor.if_statement,
    ast.Try: Extractor.try_statement,
    ast.With: Extractor.with_statement,
    ast.AsyncWith: Extractor.with_statement,
    ast.Return: Extractor.return_statement,
    ast.Expr: Extractor.expression_statement,
    ast.Assert: Extractor.assert_statement,
    ast.Global: Extractor.global_statement,
    ast.Nonlocal: Extractor.nonlocal_statement,
    ast.Import: Extractor.import_statement,
    ast.ImportFrom: Extractor.import_from,
}
if hasattr(ast, "TryStar"):
    _STATEMENTS[ast.TryStar] = Extractor.try_statement


def extract(tree: ast.Module, source: str, module: str, path: str, is_package: bool, parser: str,
            hits: Iterable[tuple[str, int, str, str]] = ()) -> RawModule:
    return Extractor(source, module, path, is_package).run(tree, parser, hits)
