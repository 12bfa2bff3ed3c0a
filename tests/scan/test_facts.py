"""Per-file facts: usage of call results, loops, definitions, imports, class uses, SQL, traits."""

from __future__ import annotations

from analyzer.model import Definition, EntryPoint, Import, SqlAccess, Trait
from analyzer.scan import worker
from analyzer.scan.traits import RuleHit


def test_how_each_call_result_is_used(scanned):
    codebase = scanned({"flow.py": """
        async def fetch():
            pass

        def f(x):
            pass

        async def run(items):
            f(1)
            value = f(2)
            if f(3) and not f(4):
                pass
            while f(5) > 0:
                break
            assert f(6)
            print(f(7))
            await fetch()
            f(8).attribute
            return f(9)
    """})
    usage = {c.args: c.usage for c in codebase.module("flow").calls if c.callees == ("flow.f",)}
    assert usage == {("1",): "discarded", ("2",): "assigned", ("3",): "tested", ("4",): "tested",
                     ("5",): "tested", ("6",): "tested", ("7",): "argument", ("8",): "other", ("9",): "returned"}
    awaited = [c for c in codebase.module("flow").calls if c.callees == ("flow.fetch",)]
    assert [c.usage for c in awaited] == ["awaited"]


def test_calls_in_loops_and_comprehensions_are_flagged_but_not_the_first_iterable(scanned):
    codebase = scanned({"loops.py": """
        def f(x=None):
            pass

        def g():
            f("before")
            for item in f("iterable"):
                f("body")
            else:
                f("else")
            while f("test"):
                f("while body")
            values = [f("element") for item in f("source") if f("condition")]
            def later():
                f("nested function")
    """})
    flags = {c.args[0].strip('"'): c.in_loop for c in codebase.module("loops").calls if c.callees == ("loops.f",)}
    assert flags == {"before": False, "iterable": False, "body": True, "else": False, "test": True,
                     "while body": True, "element": True, "source": False, "condition": True,
                     "nested function": False}


def test_arguments_are_kept_as_trimmed_source_text(scanned):
    long_literal = "x" * 120
    codebase = scanned({"args.py": f"""
        def f(*args, **kwargs):
            pass

        f(1, "two", name=value, *rest, **options)
        f("{long_literal}")
    """})
    first, second = codebase.module("args").calls
    assert first.args == ("1", '"two"', "*rest", "name=value", "**options")
    assert second.args == (f'"{long_literal}'[:80],)
    assert first.caller == "args" and first.expr == "f" and first.line == 4


def test_definitions_with_kinds_lines_decorators_and_class_attributes(scanned):
    codebase = scanned({"shop/__init__.py": "", "shop/models.py": """
        import functools
        from django.db import models
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()

        class Order(Base):
            __tablename__ = "orders"
            retries = 3

            @functools.cache
            def total(self):
                # a comment line is not code

                return 1

            async def refresh(self):
                def inner():
                    pass

        class Visit(models.Model):
            class Meta:
                db_table = "clinic_visits"
                abstract = True
    """})
    definitions = {d.qualname: d for d in codebase.module("shop.models").definitions}
    assert sorted(definitions) == ["shop.models.Order", "shop.models.Order.refresh", "shop.models.Order.refresh.inner",
                                   "shop.models.Order.total", "shop.models.Visit", "shop.models.Visit.Meta"]
    assert definitions["shop.models.Order.total"] == Definition(
        qualname="shop.models.Order.total", kind="method", module="shop.models", path="shop/models.py",
        line=12, end_line=15, loc=3, decorators=("functools.cache",))
    assert definitions["shop.models.Order.refresh"].is_async
    assert definitions["shop.models.Order.refresh.inner"].kind == "function"
    order = definitions["shop.models.Order"]
    assert (order.kind, order.bases, order.attributes) == (
        "class", ("sqlalchemy.orm.declarative_base()",), (("__tablename__", "orders"), ("retries", "3")))
    visit = definitions["shop.models.Visit"]
    assert visit.bases == ("django.db.models.Model",)
    assert visit.attributes == (("Meta.db_table", "clinic_visits"), ("Meta.abstract", "True"))
    assert codebase.module("shop.models").loc == 17


def test_imports_are_absolute_with_their_kind(scanned):
    codebase = scanned({
        "shop/__init__.py": "",
        "shop/util.py": "def helper():\n    pass\n",
        "shop/orders/__init__.py": "",
        "shop/orders/service.py": """
            import os.path
            import shop.util as u
            from .. import util
            from ..util import *
            try:
                import ujson as json
            except ImportError:
                import json

            def lazy():
                from shop.util import helper
        """,
    })
    imports = codebase.module("shop.orders.service").imports
    assert imports == (
        Import("shop.orders.service", "os.path", "os", 1),
        Import("shop.orders.service", "shop.util", "u", 2, internal=True, resolved="shop.util"),
        Import("shop.orders.service", "shop.util", "util", 3, level=2, internal=True, resolved="shop.util"),
        Import("shop.orders.service", "shop.util", "", 4, level=2, star=True, internal=True),
        Import("shop.orders.service", "ujson", "json", 6, conditional=True),
        Import("shop.orders.service", "json", "json", 8, conditional=True),
        Import("shop.orders.service", "shop.util.helper", "helper", 11, internal=True, resolved="shop.util.helper"),
    )


def test_class_uses_carry_the_attribute_or_call_applied(scanned):
    codebase = scanned({"shop/__init__.py": "", "shop/models.py": """
        from django.db import models
        from flask_sqlalchemy import SQLAlchemy

        db = SQLAlchemy()

        class Order(db.Model):
            def save(self):
                pass

        class Appointment(models.Model):
            pass
    """, "shop/service.py": """
        from shop.models import Appointment, Order, db

        def work(session, order: Order):
            Order.query.filter_by(id=1).first()
            session.query(Order)
            session.add(order)
            order.save()
            Appointment.objects.create(slot=1)
            Appointment.objects.filter(slot=2).update(slot=3)
            fresh = Appointment.objects.get(pk=1)
            fresh.delete()
    """})
    uses = {(u.symbol.rpartition(".")[2], u.context) for u in codebase.module("shop.service").uses}
    assert uses == {
        ("Order", ":annotation"),
        ("Order", "query.filter_by"), ("Order", "query.first"),
        ("Order", "session.query"), ("Order", "session.add"), ("Order", "save"),
        ("Appointment", "objects.create"), ("Appointment", "objects.filter"), ("Appointment", "objects.update"),
        ("Appointment", "objects.get"), ("Appointment", "delete"),
    }
    callees = [c.callees for c in codebase.module("shop.service").calls]
    assert ("django.db.models.Model.delete",) in callees
    assert ("flask_sqlalchemy.SQLAlchemy.Model.query.first",) in callees


def test_table_names_in_raw_sql_strings(scanned):
    codebase = scanned({"reports.py": '''
        """Reports read FROM the warehouse (a docstring is not SQL)."""

        def monthly(cursor):
            cursor.execute("SELECT o.id FROM orders o JOIN order_lines l ON l.order_id = o.id")
            cursor.execute(f"UPDATE invoices SET paid = 1 WHERE id = {1}")
            cursor.execute("""
                INSERT INTO audit_log (event) SELECT name FROM events
            """)
            cursor.execute("DELETE FROM sessions WHERE expired")
            note = "select the best option from the menu"
    '''})
    assert codebase.module("reports").sql == (
        SqlAccess("reports.monthly", "orders", "read", "reports.py", 4),
        SqlAccess("reports.monthly", "order_lines", "read", "reports.py", 4),
        SqlAccess("reports.monthly", "invoices", "write", "reports.py", 5),
        SqlAccess("reports.monthly", "audit_log", "write", "reports.py", 6),
        SqlAccess("reports.monthly", "events", "read", "reports.py", 6),
        SqlAccess("reports.monthly", "sessions", "write", "reports.py", 9),
    )


def test_identifiers_are_split_lowercased_and_filtered(scanned):
    codebase = scanned({"billing.py": """
        class InvoiceRepository:
            def fetch_overdue_invoices(self, customerId):
                return self.get(customerId)
    """})
    assert codebase.module("billing").identifiers == ("customer", "fetch", "invoice", "invoices", "overdue",
                                                      "repository")


def test_rule_hits_map_to_the_innermost_definition_and_decorators_to_the_function(scanned, monkeypatch):
    def fake_rules(source: str, path: str = ""):
        return (RuleHit("websocket-handler", 3, "@app.websocket", entry_kind="websocket"),
                RuleHit("long-running-loop", 6, "while True:"),
                RuleHit("module-import", 1, "import time"))

    monkeypatch.setattr(worker, "detect_traits", fake_rules)
    codebase = scanned({"live.py": """
        import time

        @app.websocket("/ws")
        def stream():
            def pump():
                while True:
                    time.sleep(1)
            pump()
    """})
    live = codebase.module("live")
    assert live.entry_points == (EntryPoint("websocket", "@app.websocket", "live.stream", "live.py", 3),)
    assert live.traits == (Trait("long-running-loop", "live.stream.pump", "live.py", 6, "while True:"),
                           Trait("module-import", "live", "live.py", 1, "import time"))


def test_a_failing_rule_set_keeps_the_file_and_notes_the_problem(scanned, monkeypatch):
    def broken_rules(source: str, path: str = ""):
        raise RuntimeError("bad rule")

    monkeypatch.setattr(worker, "detect_traits", broken_rules)
    codebase = scanned({"ok.py": "def f():\n    pass\n"})
    assert [m.name for m in codebase.modules] == ["ok"]
    assert "trait rules failed on ok.py: RuntimeError: bad rule" in codebase.notes
