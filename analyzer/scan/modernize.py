"""Read syntax newer than the running interpreter through tree-sitter (ast-grep).

When `ast.parse` rejects a file but tree-sitter finds no ERROR node, the file is valid Python
for a newer interpreter (PEP 695 type parameters and `type` aliases, PEP 701 f-strings). Those
nodes are rewritten into older, equivalent-for-our-purposes code with the same line numbers,
so every fact keeps its real location:

    def first[T](xs: list[T]) -> T:     ->  def first(xs: list[T]) -> T:
    class Box[T: int]:                  ->  class Box:
    type Pair[T] = tuple[T, T]          ->  Pair = tuple[T, T]
    f"{", ".join(names)}"               ->  (", ".join(names),)

Python 2 files and broken files are not rewritten into anything that parses: the caller
reports the original SyntaxError.
"""

from __future__ import annotations

import ast

from ast_grep_py import Edit, SgNode, SgRoot

_MAX_ROUNDS = 6


def has_errors(root: SgNode) -> bool:
    return root.find(kind="ERROR") is not None


def _type_parameter_edits(root: SgNode) -> list[Edit]:
    edits = []
    for node in root.find_all(kind="type_parameter"):
        parent = node.parent()
        if parent is not None and parent.kind() in ("function_definition", "class_definition"):
            edits.append(node.replace(""))
    for node in root.find_all(kind="type_alias_statement"):
        children = [c for c in node.children() if c.is_named() and c.kind() == "type"]
        if len(children) != 2:
            continue
        name = children[0].find(kind="identifier")
        if name is None:
            continue
        edits.append(node.replace(f"{name.text()} = {children[1].text()}"))
    return edits


def _old_grammar_rejects(text: str) -> bool:
    try:
        ast.parse(f"({text}\n)", mode="eval")
    except SyntaxError:
        return True
    return False


def _interpolated_expressions(string: SgNode) -> list[str]:
    """The expressions of a string's own interpolations (nested strings travel inside them)."""
    found = []
    for interpolation in string.children():
        if interpolation.kind() != "interpolation":
            continue
        expression = next((c for c in interpolation.children()
                           if c.is_named() and c.kind() not in ("type_conversion", "format_specifier")), None)
        if expression is not None:
            found.append(expression.text())
    return found


def _fstring_edits(root: SgNode) -> list[Edit]:
    """Replace each outermost f-string the old grammar rejects by a tuple of its expressions."""
    edits: list[Edit] = []
    taken: list[tuple[int, int]] = []
    for node in root.find_all(kind="string"):
        if node.find(kind="interpolation") is None:
            continue
        parent = node.parent()
        target = parent if parent is not None and parent.kind() == "concatenated_string" else node
        start, end = target.range().start.index, target.range().end.index
        if any(s <= start and end <= e for s, e in taken):
            continue
        if not _old_grammar_rejects(target.text()):
            continue
        parts = target.children() if target.kind() == "concatenated_string" else [target]
        expressions = [e for part in parts if part.kind() == "string" for e in _interpolated_expressions(part)]
        replacement = "(" + ", ".join(expressions) + ",)" if expressions else '""'
        missing = target.text().count("\n") - replacement.count("\n")
        if missing > 0:
            replacement = replacement[:-1] + "\n" * missing + replacement[-1]
        taken.append((start, end))
        edits.append(target.replace(replacement))
    return edits


def modernize(source: str) -> str | None:
    """Source rewritten so Python 3.11's `ast` accepts it, or None when it is not valid Python 3."""
    try:
        root = SgRoot(source, "python").root()
    except BaseException:  # noqa: BLE001 - pyo3 panics derive from BaseException
        return None
    if has_errors(root):
        return None
    current = source
    for _ in range(_MAX_ROUNDS):
        edits = _type_parameter_edits(root) + _fstring_edits(root)
        if not edits:
            return None
        current = root.commit_edits(edits)
        try:
            ast.parse(current)
        except SyntaxError:
            root = SgRoot(current, "python").root()
            continue
        return current
    return None
