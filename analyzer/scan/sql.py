"""Tables named by raw SQL in string literals, read with a SQL parser (sqlglot), never by regex.

A string is a query only if it starts like one (conventions.SQL_STATEMENT), shows SQL syntax
when written in lower case, and parses as SQL: prose such as "Delete from the database all
records" does not, and a word that is not a table is never reported. Tables written by INSERT,
UPDATE, DELETE and MERGE are writes, every other table a read; common table expressions and
table functions (`generate_series(...)`) are not tables. Placeholders of the DB-API styles
(`%s`, `%(name)s`, `:name`, `?`) are read as values.
"""

from __future__ import annotations

import re

from analyzer.scan import conventions as conv

#: DB-API placeholders and the holes an f-string left ("?"), read as a literal value.
_PLACEHOLDER = re.compile(r"%\(\w+\)s|%s|(?<![:\w]):\w+|\?")
#: Longer strings are not parsed (generated SQL dumps, fixtures): parsing time grows with them.
MAX_SQL_CHARS = 20_000


def sql_tables(text: str) -> list[tuple[str, str]]:
    """(table, "read"|"write") for each table a SQL string names, in order, without duplicates."""
    statement = conv.SQL_STATEMENT.match(text)
    if not statement or len(text) > MAX_SQL_CHARS:
        return []
    if not statement.group(1).isupper() and not conv.SQL_MARKERS.search(text):
        return []  # "select the best option from the menu" is prose, not a query
    from sqlglot import exp, parse
    from sqlglot.errors import ErrorLevel, SqlglotError

    try:
        parsed = parse(_PLACEHOLDER.sub("1", text), error_level=ErrorLevel.RAISE)
    except (SqlglotError, RecursionError, ValueError):
        return []
    found: dict[str, str] = {}
    for tree in parsed:
        if tree is None:
            continue
        ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        written = {id(_target(node)) for node in tree.find_all(exp.Insert, exp.Update, exp.Delete, exp.Merge)}
        for table in tree.find_all(exp.Table):
            if not isinstance(table.this, exp.Identifier) or table.name.lower() in ctes:
                continue
            name = f"{table.db}.{table.name}" if table.db else table.name
            mode = "write" if id(table) in written else "read"
            if found.get(name) != "write":
                found[name] = mode
    return list(found.items())


def _target(node: object) -> object:
    """The table an INSERT/UPDATE/DELETE/MERGE writes (INSERT INTO t (a, b) wraps it in a schema)."""
    from sqlglot import exp

    target = getattr(node, "this", None)
    return target.this if isinstance(target, exp.Schema) else target
