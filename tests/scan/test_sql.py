"""Tables from raw SQL strings, parsed as SQL: real tables with read/write, never a word of prose."""

from __future__ import annotations

import pytest

from analyzer.scan.sql import sql_tables

CASES = {
    "join with placeholders": (
        "SELECT o.id, l.qty FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.id = %s",
        [("orders", "read"), ("order_lines", "read")]),
    "insert with named placeholders": (
        "INSERT INTO audit_log (actor, action) VALUES (%(actor)s, %(action)s)", [("audit_log", "write")]),
    "update with colon placeholders": (
        "UPDATE accounts SET balance = balance - :amount WHERE id = :id", [("accounts", "write")]),
    "delete with qmark": ("DELETE FROM sessions WHERE expires < ?", [("sessions", "write")]),
    "insert from select": ("INSERT INTO archive SELECT * FROM orders WHERE paid", [("archive", "write"),
                                                                                    ("orders", "read")]),
    "common table expression is not a table": (
        "WITH recent AS (SELECT * FROM orders) SELECT * FROM recent JOIN customers c ON c.id = recent.cid",
        [("customers", "read"), ("orders", "read")]),
    "schema-qualified and quoted": ('SELECT COUNT(*) FROM public.users u JOIN "order" o ON o.uid = u.id',
                                    [("public.users", "read"), ("order", "read")]),
    "a table function is not a table": ("SELECT day FROM generate_series(1, 10) AS day", []),
    "prose starting with a keyword": ("Delete from the database all records that are older", []),
    "lower-case prose": ("select the best option from the menu", []),
    "prose with capitals": ("UPDATE the database with new values", []),
    "a help text": ("Select a database to connect to.", []),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_sql_tables(name):
    text, expected = CASES[name]
    assert sorted(sql_tables(text)) == sorted(expected)
