"""One file's syntax tree -> RawModule: scopes, bindings, imports, call sites, loads, SQL.

Runs inside parser workers, so it only knows this file: names stay as written and are resolved
later, once for the whole program (`analyzer.scan.resolve`). Relative imports are made absolute
here because the module's own name is known.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable
from itertools import accumulate
from typing import Any

from analyzer.scan import conventions as conv
from analyzer.scan.expressions import Expressions, dotted, is_chain, literal_key
from analyzer.scan.facts import (
    UNKNOWN,
    Annotated,
    Assigned,
    Attr,
    Binding,
    Call,
    Const,
    Defined,
    DefRef,
    Element,
    Expr,
    Imported,
    Param,
    RawCall,
    RawHit,
    RawImport,
    RawLoad,
    RawModule,
    RawParam,
    RawScope,
    RawSql,
    StarImported,
    Stored,
    TypeRef,
    Unknown,
)
from analyzer.scan.sql import sql_tables

ARG_TEXT_LIMIT = 80
EXPR_TEXT_LIMIT = 120

#: RawCall.decorates value of calls Python makes implicitly (iteration, context managers, raise).
IMPLICIT = -2
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
#: Expressions that can never carry a function, class or instance: not worth storing into a collection.
_INERT = (Const, Unknown)


class _Scope:
    """Mutable twin of RawScope while the file is walked."""

    __slots__ = ("qualname", "kind", "parent", "line", "end_line", "span_start", "is_async",
                 "decorators", "decorator_text", "method_kind", "bases", "base_text", "attributes",
                 "params", "returns", "yields", "generator", "return_annotation", "bindings", "outer",
                 "since", "replaced", "free_stores", "lambdas", "self_attrs", "globals", "nonlocals", "self_name",
                 "raises")

    def __init__(self, qualname: str, kind: str, parent: int) -> None:
        self.qualname = qualname
        self.kind = kind
        self.parent = parent
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
        self.yields: list[Expr] = []
        self.generator = False
        self.return_annotation: tuple[TypeRef, ...] = ()
        self.bindings: dict[str, list[Binding]] = {}
        self.outer: dict[str, list[Binding]] = {}  # bindings from nested scopes: they reach every use
        self.since: dict[str, int] = {}  # name -> index of its first binding after the last plain assignment
        self.replaced: set[str] = set()  # names with a Stored binding that replaces
        self.free_stores: list[tuple[str, Stored]] = []  # stores into names not bound here (yet)
        self.lambdas = 0  # lambdas opened directly in this scope, for PyCG's numbering
        self.self_attrs: dict[str, list[tuple[Binding, int]]] = {}
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()
        self.self_name = ""
        self.raises: list[str] = []


def annotation_chains(node: ast.AST | None) -> list[ast.expr]:
    """Every name/attribute chain an annotation mentions, string annotations included."""
    if node is None:
        return []
    if type(node) is ast.Constant and isinstance(node.value, str):
        try:
            node = ast.parse(node.value.strip(), mode="eval").body
        except (SyntaxError, ValueError):
            return []
    if isinstance(node, ast.expr) and is_chain(node):
        return [node]
    found: list[ast.expr] = []
    for child in ast.iter_child_nodes(node):
        found.extend(annotation_chains(child))
    return found


def _is_type_checking(test: ast.expr) -> bool:
    name = dotted(test)
    return name is not None and name.rpartition(".")[2] in conv.TYPE_CHECKING_NAMES


def _string_entries(node: ast.expr) -> list[str]:
    """The string literals of a list/tuple display, or of displays joined with `+` (`BASE + [...]`)."""
    if type(node) is ast.BinOp and type(node.op) is ast.Add:
        return _string_entries(node.left) + _string_entries(node.right)
    if type(node) is ast.List or type(node) is ast.Tuple:
        return [e.value for e in node.elts if type(e) is ast.Constant and isinstance(e.value, str)]
    return []


def _constant_text(node: ast.AST) -> str | None:
    if type(node) is ast.Constant and not isinstance(node.value, bytes):
        value = node.value
        return value[:200] if isinstance(value, str) else repr(value)
    return None


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
        self.exprs = Expressions(self)
        self.lambda_scopes: dict[int, int] = {}  # id of an ast.Lambda -> its scope
        self.scopes: list[_Scope] = [_Scope(module, "module", -1)]
        self.scopes[0].end_line = len(self.lines)
        self.imports: list[RawImport] = []
        self.calls: list[RawCall] = []
        self.loads: list[RawLoad] = []
        self.sql: list[RawSql] = []
        self.names: set[str] = set()
        self.star_all: tuple[str, ...] | None = None
        self.installed_apps: list[str] = []
        self.cur = 0
        self.in_loop = False
        self.type_checking = False
        self.conditional = 0
        self.within: tuple[str, ...] = ()  # context managers around the current statement, in this scope
        self.handled = False  # inside a `try` body with an `except` clause, in this scope

    # ------------------------------------------------------------------ entry point

    def run(self, tree: ast.Module, parser: str, hits: Iterable[tuple[str, int, str, str]]) -> RawModule:
        self.body(tree.body, docstring=True)
        self.close_scope(0)
        scopes = tuple(self._freeze(s) for s in self.scopes)
        raw_hits = tuple(RawHit(self._scope_at(line), rule, line, detail, entry_kind)
                         for rule, line, detail, entry_kind in hits)
        return RawModule(
            name=self.module, path=self.path, is_package=self.is_package,
            loc=self.code_lines[-1], parser=parser, scopes=scopes, imports=tuple(self.imports),
            calls=tuple(self.calls), loads=tuple(self.loads), sql=tuple(self.sql), hits=raw_hits,
            star_all=self.star_all, identifiers=self._identifiers(), installed_apps=tuple(self.installed_apps),
        )

    def _freeze(self, s: _Scope) -> RawScope:
        return RawScope(
            qualname=s.qualname, kind=s.kind, parent=s.parent, line=s.line, end_line=s.end_line,
            span_start=s.span_start, loc=self.loc(s.span_start, s.end_line), is_async=s.is_async,
            decorators=s.decorators, decorator_text=s.decorator_text, method_kind=s.method_kind,
            bases=s.bases, base_text=s.base_text, attributes=tuple(s.attributes), params=s.params,
            returns=tuple(dict.fromkeys(s.returns)), yields=tuple(dict.fromkeys(s.yields)), generator=s.generator,
            return_annotation=s.return_annotation,
            bindings={k: tuple(v) for k, v in s.bindings.items()},
            outer_bindings={k: tuple(dict.fromkeys(v)) for k, v in s.outer.items()},
            replaced=frozenset(s.replaced),
            self_attrs={k: tuple(dict.fromkeys(v)) for k, v in s.self_attrs.items()},
            raises=tuple(sorted(set(s.raises))),
        )

    def loc(self, first: int, last: int) -> int:
        return self.code_lines[min(last, len(self.lines))] - self.code_lines[max(first, 1) - 1]

    def _scope_at(self, line: int) -> int:
        best, best_start = 0, 0
        for index, s in enumerate(self.scopes):
            if index and s.kind != "lambda" and s.span_start <= line <= s.end_line and s.span_start >= best_start:
                best, best_start = index, s.span_start
        return best

    def _identifiers(self) -> tuple[str, ...]:
        # one regex pass over all the names: no word spans a "_", so joining on it changes no word
        tokens = {t.lower() for t in _CAMEL.findall("_".join(self.names))}
        return tuple(sorted(t for t in tokens if len(t) >= 3 and not t.isdigit() and t not in conv.STOP_WORDS))

    # ------------------------------------------------------------------ source text

    def text(self, node: ast.expr, limit: int) -> str:
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

    def straight(self) -> bool:
        """Is the statement being walked run once, in order (not in a loop, branch or handler)?"""
        return self.conditional == 0 and not self.in_loop

    def binding_scope(self, name: str) -> _Scope | None:
        """Where a binding of `name` from the current scope goes when it is declared global or
        nonlocal (None: the current scope itself)."""
        scope = self.scopes[self.cur]
        if name in scope.globals and self.cur != 0:
            return self.scopes[0]
        if name in scope.nonlocals:
            index = scope.parent
            while index > 0 and self.scopes[index].kind == "class":
                index = self.scopes[index].parent
            return self.scopes[max(index, 0)]
        return None

    def bind(self, name: str, binding: Binding, kill: bool = False) -> None:
        """Add a binding; `kill`: a plain assignment, which hides the bindings before it from the
        straight-line code after it (when it is straight-line code itself)."""
        binding = self.exprs.interned.setdefault(binding, binding)
        scope = self.scopes[self.cur]
        if scope.globals or scope.nonlocals:
            elsewhere = self.binding_scope(name)
            if elsewhere is not None:
                elsewhere.outer.setdefault(name, []).append(binding)
                return
        bound = scope.bindings.setdefault(name, [])
        if kill and self.conditional == 0 and not self.in_loop:  # straight-line code
            scope.since[name] = len(bound)
        bound.append(binding)

    def store(self, name: str, path: tuple[str, ...], value: Expr) -> None:
        """An item stored into the collection `name` holds (`name[...] = value`, `name.append(value)`)."""
        if isinstance(value, _INERT):
            return
        replaces = all(path) and bool(path) and self.straight()
        elsewhere = self.binding_scope(name)
        if elsewhere is not None:
            elsewhere.outer.setdefault(name, []).append(self.exprs.intern(Stored(path, value, False, self.cur)))
            return
        scope = self.scopes[self.cur]
        if name in scope.bindings:
            scope.bindings[name].append(self.exprs.intern(Stored(path, value, replaces, self.cur)))
            if replaces:
                scope.replaced.add(name)
        else:  # bound in an enclosing scope, or later: settled when this scope closes
            scope.free_stores.append((name, self.exprs.intern(Stored(path, value, False, self.cur))))

    def close_scope(self, index: int) -> None:
        """Stores into names this scope did not bind go to the nearest enclosing scope that binds
        them (class bodies are not enclosing scopes for the code inside them)."""
        scope = self.scopes[index]
        pending, scope.free_stores = scope.free_stores, []
        for name, stored in pending:
            if name in scope.bindings or name in scope.outer:
                scope.outer.setdefault(name, []).append(stored)
                continue
            parent = scope.parent
            while parent > 0 and self.scopes[parent].kind == "class":
                parent = self.scopes[parent].parent
            if parent >= 0:
                self.scopes[parent].free_stores.append((name, stored))

    def bind_target(self, target: ast.expr, value: Expr, value_node: ast.expr | None = None,
                    kill: bool = False) -> None:
        if type(target) is ast.Name:
            self.names.add(target.id)
            self.bind(target.id, Assigned(value), kill)
        elif (type(target) is ast.Tuple or type(target) is ast.List):
            self.bind_elements(target, value, value_node, kill)
        elif type(target) is ast.Starred:
            self.bind_target(target.value, UNKNOWN)
        elif type(target) is ast.Attribute:
            self.expr(target.value, "other")
            self._self_attribute(target, Assigned(value))
        elif type(target) is ast.Subscript:
            self.expr(target.value, "other")
            self.expr(target.slice, "other")
            self.store_item(target, value)

    def bind_elements(self, target: ast.Tuple | ast.List, value: Expr, value_node: ast.expr | None,
                      kill: bool) -> None:
        """`a, b = f, g` binds pairwise; `a, b = pair` binds each to an element of the pair."""
        if ((type(value_node) is ast.Tuple or type(value_node) is ast.List) and len(value_node.elts) == len(target.elts)
                and not any(type(e) is ast.Starred for e in target.elts)):
            for element, member in zip(target.elts, value_node.elts, strict=True):
                self.bind_target(element, self.exprs.of(member), member, kill)
            return
        starred = any(type(e) is ast.Starred for e in target.elts)
        for position, element in enumerate(target.elts):
            self.bind_target(element, self.exprs.intern(Element(value, "" if starred else str(position))), None, kill)

    def store_item(self, target: ast.Subscript, value: Expr) -> None:
        """`d["a"]["b"] = value` on a bare name: a Stored binding of `d` under ("'a'", "'b'")."""
        path: list[str] = []
        node: ast.expr = target
        while type(node) is ast.Subscript:
            if type(node.slice) is ast.Slice:
                return
            path.append(literal_key(node.slice))
            node = node.value
        if type(node) is ast.Name:
            self.store(node.id, tuple(reversed(path)), value)

    def store_call(self, node: ast.Call) -> None:
        """`handlers.append(f)`, `registry.update({"a": f})`: stores by method (conventions.COLLECTION_STORES)."""
        func = node.func
        if type(func) is ast.Attribute and type(func.value) is ast.Attribute:
            self._self_store(func.value, func.attr, node)
            return
        if type(func) is not ast.Attribute or type(func.value) is not ast.Name:
            return
        spec = conv.COLLECTION_STORES.get(func.attr)
        if spec is None:
            return
        name = func.value.id
        if spec.spread == "mapping":
            for keyword in node.keywords:
                if keyword.arg is not None:
                    self.store(name, (repr(keyword.arg),), self.exprs.of(keyword.value))
        if len(node.args) <= spec.value or type(node.args[spec.value]) is ast.Starred:
            return
        argument = node.args[spec.value]
        if spec.spread == "mapping" and type(argument) is ast.Dict:
            for key, item in zip(argument.keys, argument.values, strict=True):
                self.store(name, ("" if key is None else literal_key(key),), self.exprs.of(item))
        elif spec.spread == "mapping":
            self.store(name, (), self.exprs.of(argument))
        elif spec.spread == "elements":
            self.store(name, ("",), self.exprs.intern(Element(self.exprs.of(argument))))
        else:
            literal = literal_key(node.args[spec.key]) if 0 <= spec.key < len(node.args) else ""
            self.store(name, (literal,), self.exprs.of(argument))

    def _self_store(self, target: ast.Attribute, method: str, node: ast.Call) -> None:
        """`self.handlers.append(f)` inside a method: an item stored into an instance attribute's
        collection (an observer registry kept on the instance)."""
        spec = conv.COLLECTION_STORES.get(method)
        if spec is None or spec.spread or len(node.args) <= spec.value or type(node.args[spec.value]) is ast.Starred:
            return
        value = self.exprs.of(node.args[spec.value])
        if isinstance(value, _INERT):
            return
        literal = literal_key(node.args[spec.key]) if 0 <= spec.key < len(node.args) else ""
        self._self_attribute(target, Stored((literal,), value, False, self.cur))

    def _self_attribute(self, target: ast.Attribute, binding: Binding) -> None:
        """`self.repo = OrderRepository()` inside a method: an instance attribute of the class."""
        scope = self.scopes[self.cur]
        if type(target.value) is not ast.Name or not scope.self_name or target.value.id != scope.self_name:
            return
        owner = self.scopes[scope.parent] if scope.parent >= 0 else None
        if owner is not None and owner.kind == "class":
            owner.self_attrs.setdefault(target.attr, []).append((self.exprs.intern(binding), self.cur))

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
        """Any other statement (`match`, `del`, ...): its parts, taken as conditional code."""
        self.conditional += 1
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                self.body([child])
            elif isinstance(child, ast.expr):
                self.expr(child, "other")
            elif isinstance(child, ast.pattern):
                self._pattern(child)
            elif isinstance(child, (ast.match_case, ast.excepthandler, ast.withitem, ast.comprehension)):
                self.generic_statement(child)
        self.conditional -= 1

    def _pattern(self, node: ast.pattern) -> None:
        for child in ast.walk(node):
            name = getattr(child, "name", None) if isinstance(child, (ast.MatchAs, ast.MatchStar)) else None
            if name:
                self.bind(name, Assigned(UNKNOWN))
            if type(child) is ast.MatchValue:
                self.expr(child.value, "tested")
            elif type(child) is ast.MatchClass:
                self.expr(child.cls, "tested")

    def function_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.names.add(node.name)
        parent_index = self.cur
        parent = self.scopes[parent_index]
        kind = "method" if parent.kind == "class" else "function"
        decorators = self._decorators(node)
        for default in (*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)):
            self.expr(default, "argument")
        scope = _Scope(f"{parent.qualname}.{node.name}", kind, parent_index)
        scope.line, scope.end_line = node.lineno, node.end_lineno or node.lineno
        scope.span_start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        scope.is_async = type(node) is ast.AsyncFunctionDef
        scope.decorators = tuple(self.exprs.of(d) for d in node.decorator_list)
        scope.decorator_text = tuple(self.text(d, EXPR_TEXT_LIMIT) for d in node.decorator_list)
        scope.method_kind = self._method_kind(node.decorator_list) if kind == "method" else ""
        if node.name == "__new__" and kind == "method":
            scope.method_kind = "class"
        scope.return_annotation = self.exprs.plain_types(node.returns)
        index = len(self.scopes)
        self.scopes.append(scope)
        self._params(scope, node.args, kind)
        annotations = [a.annotation for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs,
                                              node.args.vararg, node.args.kwarg) if a is not None]
        for annotation in (*annotations, node.returns):
            self._annotation_loads(annotation, index)
        self.bind(node.name, Defined(index), kill=True)
        self._apply_decorators(node, decorators, index)
        self.walk_scope(index, node.body)

    def walk_scope(self, index: int, statements: list[ast.stmt]) -> None:
        """The body of a def or class: its own straight-line code, outside any loop."""
        saved = (self.cur, self.in_loop, self.type_checking, self.conditional, self.within, self.handled)
        self.cur, self.in_loop, self.type_checking, self.conditional, self.within, self.handled = (
            index, False, False, 0, (), False)
        self.body(statements, docstring=True)
        self.cur, self.in_loop, self.type_checking, self.conditional, self.within, self.handled = saved
        self.close_scope(index)

    def open_lambda(self, node: ast.Lambda) -> int:
        """The scope of a lambda of the current scope, opened the first time it is met (its
        expression may be built before its body is walked). Named and numbered as PyCG does."""
        index = self.lambda_scopes.get(id(node))
        if index is not None:
            return index
        parent = self.scopes[self.cur]
        parent.lambdas += 1
        scope = _Scope(f"{parent.qualname}.<lambda{parent.lambdas}>", "lambda", self.cur)
        scope.line = scope.span_start = node.lineno
        scope.end_line = node.end_lineno or node.lineno
        index = len(self.scopes)
        self.scopes.append(scope)
        self.lambda_scopes[id(node)] = index
        self._params(scope, node.args, "lambda")
        return index

    def _params(self, scope: _Scope, args: ast.arguments, kind: str) -> None:
        positional = (*args.posonlyargs, *args.args)
        defaults = [None] * (len(positional) - len(args.defaults)) + [self.exprs.of(d) for d in args.defaults]
        params: list[RawParam] = []
        for arg, default in zip(positional, defaults, strict=True):
            params.append(RawParam(arg.arg, self.exprs.plain_types(arg.annotation) if arg.annotation else (), "pos",
                                   default))
        if args.vararg:
            params.append(RawParam(args.vararg.arg, (), "vararg", None))
        for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            params.append(RawParam(arg.arg, self.exprs.plain_types(arg.annotation), "kwonly",
                                   None if kw_default is None else self.exprs.of(kw_default)))
        if args.kwarg:
            params.append(RawParam(args.kwarg.arg, (), "kwarg", None))
        scope.params = tuple(params)
        for index, param in enumerate(params):
            self.names.add(param.name)
            scope.bindings.setdefault(param.name, []).append(self.exprs.intern(Param(index)))
        if kind == "method" and scope.method_kind not in ("static",) and params and params[0].kind == "pos":
            scope.self_name = params[0].name

    def _annotation_loads(self, annotation: ast.expr | None, scope: int) -> None:
        """Classes named in annotations: type-only uses (`def f(o: "Order")`)."""
        if annotation is None:
            return
        line = annotation.lineno
        for chain in annotation_chains(annotation):
            expr = self.exprs.of(chain) if scope == self.cur else self.exprs.plain(chain)
            self.loads.append(RawLoad(scope, expr, line, "annotation"))

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

    def _apply_decorators(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, call_indexes: list[int],
                          target: int) -> None:
        """A decorator application is a call from the enclosing scope to the decorator."""
        name = node.name
        for position, (decorator, inner) in enumerate(zip(node.decorator_list, call_indexes, strict=True)):
            func = Call(self.exprs.of(decorator.func)) if type(decorator) is ast.Call else self.exprs.of(decorator)
            self.calls.append(RawCall(
                scope=self.cur, func=func, expr=self.text(decorator, EXPR_TEXT_LIMIT), line=decorator.lineno,
                usage="other", in_loop=self.in_loop, args=(DefRef(target, position + 1),), kwargs=(),
                arg_text=(name,), decorates=target, inner_call=inner, within=self.within, handled=self.handled))

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
        scope = _Scope(f"{parent.qualname}.{node.name}", "class", parent_index)
        scope.line, scope.end_line = node.lineno, node.end_lineno or node.lineno
        scope.span_start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        scope.decorators = tuple(self.exprs.of(d) for d in node.decorator_list)
        scope.decorator_text = tuple(self.text(d, EXPR_TEXT_LIMIT) for d in node.decorator_list)
        # `BaseRepository[Order]`, `Generic[T]`: the class being parametrised is the base
        scope.bases = tuple(self.exprs.of(b.value if type(b) is ast.Subscript else b) for b in node.bases)
        scope.base_text = tuple(self.text(b, EXPR_TEXT_LIMIT) for b in node.bases)
        index = len(self.scopes)
        self.scopes.append(scope)
        self.bind(node.name, Defined(index), kill=True)
        self._apply_decorators(node, decorators, index)
        self.walk_scope(index, node.body)
        for statement in node.body:
            self._class_attribute(scope, statement)

    def _class_attribute(self, scope: _Scope, statement: ast.stmt) -> None:
        if type(statement) is ast.Assign and len(statement.targets) == 1:
            self._constant_attribute(scope, statement.targets[0], statement.value)
        elif type(statement) is ast.AnnAssign and statement.value is not None:
            self._constant_attribute(scope, statement.target, statement.value)
        elif type(statement) is ast.ClassDef:
            nested = next((s for s in reversed(self.scopes) if s.qualname == f"{scope.qualname}.{statement.name}"),
                          None)
            if nested is not None:
                scope.attributes.extend((f"{statement.name}.{k}", v) for k, v in nested.attributes
                                        if "." not in k)

    def _constant_attribute(self, scope: _Scope, target: ast.expr, value: ast.expr) -> None:
        """`__tablename__ = "orders"` in a class body."""
        text = _constant_text(value)
        if type(target) is ast.Name and text is not None:
            scope.attributes.append((target.id, text))

    def assign(self, node: ast.Assign) -> None:
        value = self.exprs.of(node.value)
        self.expr(node.value, "assigned", via="assign")
        for target in node.targets:
            self.bind_target(target, value, node.value, kill=True)
        if (self.cur == 0 and len(node.targets) == 1 and type(node.targets[0]) is ast.Name
                and node.targets[0].id == "__all__" and (type(node.value) is ast.List or type(node.value) is ast.Tuple)):
            names = [e.value for e in node.value.elts if type(e) is ast.Constant and isinstance(e.value, str)]
            self.star_all = tuple(names)
        if self.cur == 0 and any(type(t) is ast.Name and t.id in conv.APP_LIST_SETTINGS for t in node.targets):
            self.installed_apps = _string_entries(node.value)

    def ann_assign(self, node: ast.AnnAssign) -> None:
        self._annotation_loads(node.annotation, self.cur)
        alternatives = self.exprs.types(node.annotation)
        value = self.exprs.of(node.value) if node.value is not None else None
        if node.value is not None:
            self.expr(node.value, "assigned", via="assign")
        target = node.target
        bindings: list[Binding] = [Annotated(alt.mode, alt.type) for alt in alternatives]
        if value is not None:
            bindings.append(Assigned(value))
        if type(target) is ast.Name:
            self.names.add(target.id)
            for position, binding in enumerate(bindings or [Assigned(UNKNOWN)]):
                self.bind(target.id, binding, kill=value is not None and position == 0)
        elif type(target) is ast.Attribute:
            self.expr(target.value, "other")
            for binding in bindings:
                self._self_attribute(target, binding)
        else:
            self.expr(target, "other")
            if type(target) is ast.Subscript and value is not None:
                self.store_item(target, value)

    def aug_assign(self, node: ast.AugAssign) -> None:
        if self.cur == 0 and type(node.target) is ast.Name and node.target.id in conv.APP_LIST_SETTINGS:
            self.installed_apps += _string_entries(node.value)
        self.expr(node.value, "assigned")
        if type(node.target) is ast.Name:
            self.bind(node.target.id, Assigned(UNKNOWN))
        else:
            self.expr(node.target, "other")

    def implicit_call(self, func: Expr, text: str, line: int) -> None:
        """A protocol method Python calls for us (`__iter__`, `__enter__`): kept only if internal."""
        self.calls.append(RawCall(
            scope=self.cur, func=func, expr=text, line=line, usage="other", in_loop=self.in_loop, args=(),
            kwargs=(), arg_text=(), decorates=IMPLICIT, inner_call=-1, within=self.within, handled=self.handled))

    def for_loop(self, node: ast.For | ast.AsyncFor) -> None:
        self.expr(node.iter, "other")
        iterable = self.exprs.of(node.iter)
        if type(node.iter) not in (ast.List, ast.Tuple, ast.Set, ast.Dict):
            iterator = Call(Attr(iterable, "__iter__"))
            self.implicit_call(Attr(iterable, "__iter__"), "__iter__", node.lineno)
            self.implicit_call(Attr(iterator, "__next__"), "__next__", node.lineno)
        if (type(node.iter) is ast.List or type(node.iter) is ast.Tuple) and type(node.target) is ast.Name:
            for element in node.iter.elts:
                self.bind(node.target.id, Assigned(self.exprs.of(element)))
        else:
            self.bind_target(node.target, self.exprs.intern(Element(iterable)))
        saved = self.in_loop
        self.in_loop = True
        self.body(node.body)
        self.in_loop = saved
        self.conditional_body(node.orelse)

    def while_loop(self, node: ast.While) -> None:
        saved = self.in_loop
        self.in_loop = True
        self.expr(node.test, "tested")
        self.body(node.body)
        self.in_loop = saved
        self.conditional_body(node.orelse)

    def conditional_body(self, statements: list[ast.stmt]) -> None:
        self.conditional += 1
        self.body(statements)
        self.conditional -= 1

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
        saved = self.handled
        self.handled = saved or bool(node.handlers)
        self.body(node.body)
        self.handled = saved
        for handler in node.handlers:
            if handler.type is not None:
                self.expr(handler.type, "other")
                if handler.name:
                    for alt in self.exprs.types(handler.type) or (TypeRef("inst", UNKNOWN),):
                        self.bind(handler.name, Annotated(alt.mode, alt.type))
            self.body(handler.body)
        self.body(node.orelse)
        self.body(node.finalbody)
        self.conditional -= 1

    def with_statement(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.expr(item.context_expr, "other")
            manager = self.exprs.of(item.context_expr)
            self.implicit_call(Attr(manager, "__enter__"), "__enter__", node.lineno)
            self.implicit_call(Attr(manager, "__exit__"), "__exit__", node.lineno)
            if item.optional_vars is not None:
                self.bind_target(item.optional_vars, self.exprs.of(item.context_expr), item.context_expr, kill=True)
        saved = self.within
        self.within = saved + tuple(self.text(item.context_expr, EXPR_TEXT_LIMIT) for item in node.items)
        self.body(node.body)
        self.within = saved

    def return_statement(self, node: ast.Return) -> None:
        if node.value is not None:
            self.scopes[self.cur].returns.append(self.exprs.of(node.value))
            self.expr(node.value, "returned", via="return")

    def raise_statement(self, node: ast.Raise) -> None:
        """`raise Error` instantiates Error: an implicit call, kept when it reaches internal code."""
        raised = node.exc.func if type(node.exc) is ast.Call else node.exc
        self.scopes[self.cur].raises.append(self.text(raised, EXPR_TEXT_LIMIT) if raised is not None else "raise")
        if node.exc is not None:
            self.expr(node.exc, "other")
            if type(node.exc) is not ast.Call:
                self.implicit_call(self.exprs.of(node.exc), self.text(node.exc, EXPR_TEXT_LIMIT), node.lineno)
        if node.cause is not None:
            self.expr(node.cause, "other")

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
                bound, binding = alias.asname, Imported(alias.name, "")
            else:
                bound = alias.name.partition(".")[0]
                binding = Imported(bound, "")
            self.names.update(alias.name.split("."))
            self.bind(bound, binding, kill=True)
            self.imports.append(RawImport(
                scope=self.cur, target=alias.name, module=alias.name, attr="", bound_as=bound,
                line=node.lineno, level=0, star=False, type_checking=self.type_checking,
                conditional=self.conditional > 0))

    def import_from(self, node: ast.ImportFrom) -> None:
        module = self.absolute(node.module or "", node.level)
        for alias in node.names:
            if alias.name == "*":
                self.scopes[self.cur].bindings.setdefault("*", []).append(StarImported(module))
                target, attr, bound = module, "", ""
            else:
                attr = alias.name
                bound = alias.asname or alias.name
                target = f"{module}.{attr}" if module else attr
                self.names.add(attr)
                self.bind(bound, Imported(module, attr), kill=True)
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
        if type(node) is ast.Name:  # the commonest nodes first, without a handler frame
            self.names.add(node.id)
            if type(node.ctx) is ast.Load and node.id not in ("self", "cls"):
                self.loads.append(RawLoad(self.cur, self.exprs.of(node), node.lineno, via))
            return
        if type(node) is ast.Call:
            self.call(node, usage)
            return
        handler = _EXPRESSIONS.get(type(node))
        if handler is not None:
            handler(self, node, usage, via)
            return
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.expr(child, "other")

    def attribute_expr(self, node: ast.Attribute, usage: str, via: str) -> None:
        self.names.add(node.attr)
        if not is_chain(node):
            self.expr(node.value, "other")
        elif type(node.ctx) is ast.Load:
            self.loads.append(RawLoad(self.cur, self.exprs.of(node), node.lineno, via))

    def constant_expr(self, node: ast.Constant, usage: str, via: str) -> None:
        if isinstance(node.value, str) and len(node.value) > 12:
            self._sql(node.value, node.lineno)

    def await_expr(self, node: ast.Await, usage: str, via: str) -> None:
        self.expr(node.value, "awaited", via)

    def bool_expr(self, node: ast.BoolOp, usage: str, via: str) -> None:
        for value in node.values:
            self.expr(value, "tested", via)

    def compare_expr(self, node: ast.Compare, usage: str, via: str) -> None:
        self.expr(node.left, "tested")
        for value in node.comparators:
            self.expr(value, "tested")

    def unary_expr(self, node: ast.UnaryOp, usage: str, via: str) -> None:
        self.expr(node.operand, "tested" if type(node.op) is ast.Not else "other")

    def if_expr(self, node: ast.IfExp, usage: str, via: str) -> None:
        self.expr(node.test, "tested")
        self.expr(node.body, usage, via)
        self.expr(node.orelse, usage, via)

    def sequence_expr(self, node: ast.List | ast.Tuple | ast.Set, usage: str, via: str) -> None:
        for element in node.elts:
            self.expr(element, "other", "collection")

    def dict_expr(self, node: ast.Dict, usage: str, via: str) -> None:
        for key in node.keys:
            if key is not None:
                self.expr(key, "other", "collection")
        for value in node.values:
            self.expr(value, "other", "collection")

    def fstring_expr(self, node: ast.JoinedStr, usage: str, via: str) -> None:
        text = "".join(v.value if type(v) is ast.Constant and isinstance(v.value, str) else "?"
                       for v in node.values)
        if len(text) > 12:
            self._sql(text, node.lineno)
        for value in node.values:
            if type(value) is ast.FormattedValue:
                self.expr(value.value, "other")
                if value.format_spec is not None:
                    self.expr(value.format_spec, "other")

    def lambda_expr(self, node: ast.Lambda, usage: str, via: str) -> None:
        """A lambda is a scope of its own: its body runs when it is called, not here."""
        index = self.open_lambda(node)
        for default in (*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)):
            self.expr(default, "argument")
        saved = (self.cur, self.in_loop, self.conditional, self.within, self.handled)
        self.cur, self.in_loop, self.conditional, self.within, self.handled = index, False, 0, (), False
        self.scopes[index].returns.append(self.exprs.of(node.body))
        self.expr(node.body, "returned")
        self.cur, self.in_loop, self.conditional, self.within, self.handled = saved
        self.close_scope(index)

    def comprehension_expr(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp,
                           usage: str, via: str) -> None:
        self._comprehension(node)

    def named_expr(self, node: ast.NamedExpr, usage: str, via: str) -> None:
        self.expr(node.value, "assigned")
        self.bind_target(node.target, self.exprs.of(node.value), node.value)

    def yield_expr(self, node: ast.Yield | ast.YieldFrom, usage: str, via: str) -> None:
        """A yield makes its function a generator: calling it gives an iterator over what it yields."""
        scope = self.scopes[self.cur]
        scope.generator = True
        if node.value is not None:
            value = self.exprs.of(node.value)
            scope.yields.append(self.exprs.intern(Element(value)) if type(node) is ast.YieldFrom else value)
            self.expr(node.value, "returned", "return")

    def starred_expr(self, node: ast.Starred, usage: str, via: str) -> None:
        self.expr(node.value, usage, via)

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> None:
        saved = self.in_loop
        for index, generator in enumerate(node.generators):
            self.expr(generator.iter, "other")
            self.in_loop = True if index == 0 else self.in_loop
            self.bind_target(generator.target, self.exprs.intern(Element(self.exprs.of(generator.iter))))
            for condition in generator.ifs:
                self.expr(condition, "tested")
        if isinstance(node, ast.DictComp):
            self.expr(node.key, "other")
            self.expr(node.value, "other")
        else:
            self.expr(node.elt, "other")
        self.in_loop = saved

    def call(self, node: ast.Call, usage: str) -> None:
        func = node.func
        if not is_chain(func):
            self.expr(func, "other")
        else:
            self.names.update((dotted(func) or "").split("."))
        args: list[Expr] = []
        texts: list[str] = []
        for arg in node.args:
            value = arg.value if type(arg) is ast.Starred else arg
            args.append(UNKNOWN if type(arg) is ast.Starred else self.exprs.of(arg))
            texts.append(" ".join(self.text(arg, ARG_TEXT_LIMIT * 2).split())[:ARG_TEXT_LIMIT])
            if not is_chain(value):
                self.expr(value, "argument", "collection")
            elif type(value) is ast.Name:
                self.names.add(value.id)
        kwargs: list[tuple[str, Expr]] = []
        for keyword in node.keywords:
            if keyword.arg is not None:
                self.names.add(keyword.arg)
                kwargs.append((keyword.arg, self.exprs.of(keyword.value)))
                prefix = f"{keyword.arg}="
            else:
                prefix = "**"
            texts.append(" ".join((prefix + self.text(keyword.value, ARG_TEXT_LIMIT * 2)).split())[:ARG_TEXT_LIMIT])
            if not is_chain(keyword.value):
                self.expr(keyword.value, "argument", "collection")
        self.calls.append(RawCall(
            scope=self.cur, func=self.exprs.of(func), expr=self.text(func, EXPR_TEXT_LIMIT), line=node.lineno,
            usage=usage, in_loop=self.in_loop, args=tuple(args), kwargs=tuple(kwargs), arg_text=tuple(texts),
            decorates=-1, inner_call=-1, within=self.within, handled=self.handled))
        if type(func) is ast.Attribute and func.attr in conv.COLLECTION_STORES:
            self.store_call(node)

    # ------------------------------------------------------------------ SQL

    def _sql(self, text: str, line: int) -> None:
        for table, op in sql_tables(text):
            self.sql.append(RawSql(self.cur, table, op, line))


#: Statement visitors by node type; other statements have their children visited.
_STATEMENTS: dict[type, Callable[[Extractor, Any], None]] = {
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
    ast.Raise: Extractor.raise_statement,
    ast.Expr: Extractor.expression_statement,
    ast.Assert: Extractor.assert_statement,
    ast.Global: Extractor.global_statement,
    ast.Nonlocal: Extractor.nonlocal_statement,
    ast.Import: Extractor.import_statement,
    ast.ImportFrom: Extractor.import_from,
}
#: Expression visitors by node type; other nodes have their child expressions visited.
_EXPRESSIONS: dict[type, Callable[[Extractor, Any, str, str], None]] = {
    ast.Attribute: Extractor.attribute_expr,
    ast.Constant: Extractor.constant_expr,
    ast.Await: Extractor.await_expr,
    ast.BoolOp: Extractor.bool_expr,
    ast.Compare: Extractor.compare_expr,
    ast.UnaryOp: Extractor.unary_expr,
    ast.IfExp: Extractor.if_expr,
    ast.List: Extractor.sequence_expr,
    ast.Tuple: Extractor.sequence_expr,
    ast.Set: Extractor.sequence_expr,
    ast.Dict: Extractor.dict_expr,
    ast.JoinedStr: Extractor.fstring_expr,
    ast.Lambda: Extractor.lambda_expr,
    ast.ListComp: Extractor.comprehension_expr,
    ast.SetComp: Extractor.comprehension_expr,
    ast.GeneratorExp: Extractor.comprehension_expr,
    ast.DictComp: Extractor.comprehension_expr,
    ast.NamedExpr: Extractor.named_expr,
    ast.Yield: Extractor.yield_expr,
    ast.YieldFrom: Extractor.yield_expr,
    ast.Starred: Extractor.starred_expr,
}
if hasattr(ast, "TryStar"):
    _STATEMENTS[ast.TryStar] = Extractor.try_statement


def extract(tree: ast.Module, source: str, module: str, path: str, is_package: bool, parser: str,
            hits: Iterable[tuple[str, int, str, str]] = ()) -> RawModule:
    return Extractor(source, module, path, is_package).run(tree, parser, hits)
