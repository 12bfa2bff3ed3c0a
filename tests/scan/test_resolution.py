"""Call resolution, one rule per test. Each asserts the whole call graph (PyCG format, callers
with callees only), so a missing edge (recall) and an invented one (precision) both fail.
In that format, as in PyCG, instantiating a class without `__init__` is no edge."""

from __future__ import annotations


def test_module_functions_and_module_level_code(callgraph):
    assert callgraph({"app.py": """
        def load():
            return parse()

        def parse():
            pass

        def unused():
            pass

        load()
    """}) == {"app": ["app.load"], "app.load": ["app.parse"]}


def test_imported_names_and_aliases(callgraph):
    assert callgraph({
        "shop/__init__.py": "",
        "shop/pricing/__init__.py": "",
        "shop/pricing/rules.py": """
            def discount(total):
                return total

            def tax(total):
                return total
        """,
        "shop/checkout.py": """
            import shop.pricing.rules as rules
            from shop.pricing.rules import tax as vat
            from shop.pricing.rules import discount

            def total(amount):
                return vat(discount(rules.tax(amount)))
        """,
    }) == {"shop.checkout.total": ["shop.pricing.rules.discount", "shop.pricing.rules.tax"]}


def test_module_attributes_through_plain_and_from_imports(callgraph):
    assert callgraph({
        "pkg/__init__.py": "",
        "pkg/mod.py": "def func():\n    pass\n",
        "pkg/other.py": "def helper():\n    pass\n",
        "main.py": """
            import pkg.mod
            from pkg import other

            pkg.mod.func()
            other.helper()
        """,
    }) == {"main": ["pkg.mod.func", "pkg.other.helper"]}


def test_relative_imports_resolve_against_the_package(callgraph):
    assert callgraph({
        "shop/__init__.py": "",
        "shop/core/__init__.py": "",
        "shop/core/base.py": "def audit():\n    pass\n",
        "shop/orders/__init__.py": "",
        "shop/orders/helpers.py": "def fmt():\n    pass\n\ndef norm():\n    pass\n",
        "shop/orders/service.py": """
            from . import helpers
            from .helpers import norm as n
            from ..core import base
            from ..core.base import audit

            def place():
                helpers.fmt()
                n()
                base.audit()
                audit()
        """,
    }) == {"shop.orders.service.place": ["shop.core.base.audit", "shop.orders.helpers.fmt",
                                         "shop.orders.helpers.norm"]}


def test_reexports_through_init_chains_and_star_imports(callgraph):
    assert callgraph({
        "api/__init__.py": "from .v1 import create_order\nfrom .v1.shared import *\n",
        "api/v1/__init__.py": "from .orders import create_order\n",
        "api/v1/orders.py": "def create_order():\n    pass\n",
        "api/v1/shared.py": "__all__ = ['public']\n\ndef public():\n    pass\n\ndef hidden():\n    pass\n",
        "client.py": """
            import api
            from api import create_order, public

            create_order()
            api.create_order()
            public()
        """,
    }) == {"client": ["api.v1.orders.create_order", "api.v1.shared.public"]}


def test_import_cycles_between_init_files_terminate(callgraph):
    assert callgraph({
        "a/__init__.py": "from b import *\n",
        "b/__init__.py": "from a import *\n\ndef real():\n    pass\n",
        "main.py": "from a import real, missing\n\nreal()\nmissing()\n",
    }) == {"main": ["a.missing", "b.real"]}


def test_constructors_reach_init_through_the_mro_or_name_the_class(callgraph):
    assert callgraph({"models.py": """
        from django.db import models

        class Base:
            def __init__(self):
                pass

        class Child(Base):
            pass

        class Plain:
            pass

        class Order(models.Model):
            pass

        def build():
            Base()
            Child()
            Plain()
            Order()
    """}) == {"models.build": ["django.db.models.Model.__init__", "models.Base.__init__"]}


def test_constructor_without_init_keeps_the_class_as_callee(scanned):
    codebase = scanned({"models.py": "class Plain:\n    pass\n\nPlain()\n"})
    assert [c.callees for c in codebase.module("models").calls] == [("models.Plain",)]


def test_self_cls_and_super_follow_the_c3_mro_of_a_diamond(callgraph):
    assert callgraph({"shapes.py": """
        class Base:
            def describe(self):
                return self.name()

            def name(self):
                pass

            @classmethod
            def create(cls):
                return cls.defaults()

            @classmethod
            def defaults(cls):
                pass

        class Left(Base):
            def name(self):
                return super().name()

        class Right(Base):
            def name(self):
                return super().name()

        class Diamond(Left, Right):
            def show(self):
                self.describe()
                return super().name()
    """}) == {
        "shapes.Base.create": ["shapes.Base.defaults"],
        # a Diamond calls describe(), so self.name() there also reaches Left.name (Diamond's MRO)
        "shapes.Base.describe": ["shapes.Base.name", "shapes.Left.name"],
        # super() is itself a call to the builtin, as PyCG counts it
        "shapes.Diamond.show": ["<builtin>.super", "shapes.Base.describe", "shapes.Left.name"],
        "shapes.Left.name": ["<builtin>.super", "shapes.Base.name"],
        "shapes.Right.name": ["<builtin>.super", "shapes.Base.name"],
    }


def test_self_call_in_a_base_method_reaches_the_override_of_a_receiver_seen_calling_it(callgraph):
    assert callgraph({"views.py": """
        class View:
            def dispatch(self):
                return self.get()

            def get(self):
                pass

        class OrderView(View):
            def get(self):
                pass

        OrderView().dispatch()
    """}) == {"views": ["views.View.dispatch"], "views.View.dispatch": ["views.OrderView.get", "views.View.get"]}


def test_variables_typed_by_assignment_annotation_and_return_type(callgraph):
    assert callgraph({"repo.py": """
        from __future__ import annotations
        from typing import Optional

        class Order:
            def total(self):
                pass

        class OrderRepository:
            def get(self) -> Optional["Order"]:
                pass

        def get_repo() -> OrderRepository:
            pass

        def by_assignment():
            repo = OrderRepository()
            repo.get()

        def by_parameter(repo: OrderRepository, order: Order | None):
            repo.get()
            order.total()

        def by_variable_annotation():
            order: "Order" = load()
            order.total()

        def by_return_type():
            get_repo().get().total()

        def load():
            pass
    """}) == {
        "repo.by_assignment": ["repo.OrderRepository.get"],
        "repo.by_parameter": ["repo.Order.total", "repo.OrderRepository.get"],
        "repo.by_return_type": ["repo.Order.total", "repo.OrderRepository.get", "repo.get_repo"],
        "repo.by_variable_annotation": ["repo.Order.total", "repo.load"],
    }


def test_return_values_type_calls_without_annotations(callgraph):
    assert callgraph({"svc.py": """
        class Mailer:
            def send(self):
                pass

        def make_mailer():
            return Mailer()

        def notify():
            make_mailer().send()
    """}) == {"svc.notify": ["svc.Mailer.send", "svc.make_mailer"]}


def test_self_attributes_assigned_in_init_and_class_attributes(callgraph):
    assert callgraph({"svc.py": """
        class Repo:
            def save(self):
                pass

        class Cache:
            def clear(self):
                pass

        class Service:
            cache = Cache()

            def __init__(self):
                self.repo = Repo()

            def run(self):
                self.repo.save()
                self.cache.clear()
    """}) == {"svc.Service.run": ["svc.Cache.clear", "svc.Repo.save"]}


def test_values_flow_through_parameters(callgraph):
    assert callgraph({"flow.py": """
        class Repo:
            def save(self):
                pass

        def on_done():
            pass

        def persist(repo, callback):
            repo.save()
            callback()

        persist(Repo(), on_done)
    """}) == {"flow": ["flow.persist"], "flow.persist": ["flow.Repo.save", "flow.on_done"]}


def test_decorators_are_calls_from_the_enclosing_scope(callgraph):
    assert callgraph({"app.py": """
        import functools

        def traced(func):
            @functools.wraps(func)
            def wrapper(*args):
                return func(*args)
            return wrapper

        def route(path):
            def register(func):
                return func
            return register

        @route("/orders")
        @traced
        def list_orders():
            pass

        def handler():
            list_orders()
    """}) == {
        "app": ["app.route", "app.route.register", "app.traced"],
        "app.handler": ["app.list_orders", "app.traced.wrapper"],
        "app.traced": ["functools.wraps"],
        "app.traced.wrapper": ["app.list_orders"],
    }


def test_nested_functions_are_named_outer_inner(callgraph):
    assert callgraph({"jobs.py": """
        def outer():
            def inner():
                def innermost():
                    pass
                innermost()
            inner()
    """}) == {"jobs.outer": ["jobs.outer.inner"], "jobs.outer.inner": ["jobs.outer.inner.innermost"]}


def test_lambdas_are_call_graph_nodes_named_as_pycg_names_them(callgraph):
    assert callgraph({"sort.py": """
        def weight(item):
            pass

        def rank(items):
            return sorted(items, key=lambda item: weight(item))

        double = lambda x: x * 2
        inc = lambda x: x + 1
        double(inc(1))
    """}) == {
        "sort": ["sort.<lambda1>", "sort.<lambda2>"],
        # sorted() calls its key: PyCG counts that as an edge from the caller
        "sort.rank": ["<builtin>.sorted", "sort.rank.<lambda1>"],
        "sort.rank.<lambda1>": ["sort.weight"],
    }


def test_calls_inside_lambdas_belong_to_the_enclosing_function_in_the_plan(scanned):
    codebase = scanned({"sort.py": """
        def weight(item):
            pass

        def rank(items):
            return sorted(items, key=lambda item: weight(item))
    """})
    module = codebase.module("sort")
    assert sorted((c.caller, c.lambda_scope, c.callees) for c in module.calls) == [
        ("sort.rank", "", ("<builtin>.sorted", "sort.rank.<lambda1>")),
        ("sort.rank", "sort.rank.<lambda1>", ("sort.weight",)),
    ]
    assert [d.qualname for d in module.definitions] == ["sort.weight", "sort.rank"]


def test_builtins_unless_shadowed(callgraph):
    assert callgraph({"util.py": """
        def count(items):
            print(len(items))
            return isinstance(items, list)

        def open(path):
            pass

        def read():
            open("x")
    """}) == {"util.count": ["<builtin>.isinstance", "<builtin>.len", "<builtin>.print"],
              "util.read": ["util.open"]}


def test_external_libraries_by_dotted_name_and_known_instances(callgraph):
    assert callgraph({"client.py": """
        import logging
        import boto3
        import requests
        from flask import Blueprint

        log = logging.getLogger(__name__)
        bp = Blueprint("orders", __name__)

        def sync():
            requests.post("https://x")
            s3 = boto3.client("s3")
            session = requests.Session()
            session.get("https://y")
            log.info("done")
    """}) == {
        "client": ["flask.Blueprint", "logging.getLogger"],
        "client.sync": ["boto3.client", "logging.Logger.info", "requests.Session", "requests.Session.get",
                        "requests.post"],
    }


def test_unresolved_calls_are_kept_with_a_best_effort_name(scanned):
    codebase = scanned({"misc.py": """
        def run(obj, callback):
            obj.get()
            callback()
    """})
    assert [c.callees for c in codebase.module("misc").calls] == [("<unknown>.get",), ("<unknown>.callback",)]


def test_several_possible_callees_are_all_kept(callgraph):
    assert callgraph({"pay.py": """
        class Card:
            def charge(self):
                pass

        class Wallet:
            def charge(self):
                pass

        def pay(use_card):
            method = Card() if use_card else Wallet()
            method.charge()
    """}) == {"pay.pay": ["pay.Card.charge", "pay.Wallet.charge"]}


def test_dispatch_tables_of_functions(callgraph):
    assert callgraph({"events.py": """
        def on_created():
            pass

        def on_deleted():
            pass

        HANDLERS = {"created": on_created, "deleted": on_deleted}

        def handle(kind):
            HANDLERS[kind]()
            for handler in (on_created,):
                handler()
    """}) == {"events.handle": ["events.on_created", "events.on_deleted"]}


def test_type_checking_imports_are_flagged_and_produce_no_calls(scanned):
    codebase = scanned({
        "shop/__init__.py": "",
        "shop/billing.py": "class Invoice:\n    def total(self):\n        pass\n",
        "shop/orders.py": """
            from typing import TYPE_CHECKING
            import typing

            if TYPE_CHECKING:
                from shop.billing import Invoice
            if typing.TYPE_CHECKING:
                import shop.billing

            def describe(invoice: "Invoice") -> str:
                return "order"
        """,
    })
    orders = codebase.module("shop.orders")
    flagged = {(i.target, i.type_checking, i.internal) for i in orders.imports}
    assert flagged == {("typing.TYPE_CHECKING", False, False), ("typing", False, False),
                       ("shop.billing.Invoice", True, True), ("shop.billing", True, True)}
    assert [c for c in orders.calls if any(callee.startswith("shop.") for callee in c.callees)] == []
    assert [(u.symbol, u.context) for u in orders.uses] == [("shop.billing.Invoice", ":annotation")]


# --------------------------------------------------------------------------- issue 12: PyCG's gaps


def test_raise_instantiates_the_exception_class(callgraph):
    assert callgraph({"errors.py": """
        class NotFound(Exception):
            def __init__(self):
                pass

        class Outer:
            class Conflict(Exception):
                def __init__(self):
                    pass

        class Plain(Exception):
            pass

        def by_name():
            raise NotFound

        def by_alias():
            error = NotFound
            raise error

        def nested():
            raise Outer.Conflict

        def called():
            raise NotFound() from None

        def without_init():
            raise Plain

        def builtin():
            raise ValueError
    """}) == {
        "errors.by_alias": ["errors.NotFound.__init__"],
        "errors.by_name": ["errors.NotFound.__init__"],
        "errors.called": ["errors.NotFound.__init__"],
        "errors.nested": ["errors.Outer.Conflict.__init__"],
    }


def test_functions_stored_in_dicts_by_key(callgraph):
    assert callgraph({"table.py": """
        def first():
            pass

        def second():
            pass

        def added():
            table = {}
            table["b"] = first
            table["b"]()

        def replaced():
            table = {"a": first}
            table["a"] = second
            table["a"]()

        def nested():
            table = {"a": {"b": first}}
            table["a"]["b"] = second
            table["a"]["b"]()

        def updated():
            table = {"a": first}
            table.update({"a": second})
            table["a"]()

        def coerced():
            table = {1: first, "1": second}
            table[1]()

        def by_key():
            table = {first: second}
            table[first]()

        def any_key(key):
            table = {"a": first, "b": second}
            table[key]()
    """}) == {
        "table.added": ["table.first"],
        "table.any_key": ["table.first", "table.second"],
        "table.by_key": ["table.second"],
        "table.coerced": ["table.first"],
        "table.nested": ["table.second"],
        "table.replaced": ["table.second"],
        "table.updated": ["table.second"],
    }


def test_stores_from_a_function_reach_the_module_dict(callgraph):
    assert callgraph({"registry.py": """
        def handler():
            pass

        def register(key="a"):
            registry[key] = handler

        registry = {}
        register()
        registry["a"]()
    """}) == {"registry": ["registry.handler", "registry.register"]}


def test_functions_in_lists_by_position_slice_and_append(callgraph):
    assert callgraph({"steps.py": """
        def one():
            pass

        def two():
            pass

        def three():
            pass

        def four():
            pass

        steps = [one, two, three]
        steps[1]()
        steps[1:3][1]()

        slots = [None]
        slots[0] = four
        slots[0]()

        hooks = []
        hooks.append(one)
        for hook in hooks:
            hook()
    """}) == {"steps": ["<builtin>.list.append", "steps.four", "steps.one", "steps.three", "steps.two"]}


def test_a_slice_keeps_only_the_elements_in_it(callgraph):
    assert callgraph({"steps.py": """
        def one():
            pass

        def two():
            pass

        def three():
            pass

        rest = [one, two, three][1:]
        rest[0]()
    """}) == {"steps": ["steps.two"]}


def test_lambdas_flow_into_parameters_and_out_of_returns(callgraph):
    assert callgraph({"lam.py": """
        def apply(fn, value):
            return fn(value)

        def make():
            return lambda y: y

        apply(lambda x: x + 1, 2)
        make()(3)
    """}) == {
        "lam": ["lam.<lambda1>", "lam.apply", "lam.make", "lam.make.<lambda1>"],
        "lam.apply": ["lam.<lambda1>"],
    }


def test_consuming_a_generator_calls_what_it_yields(callgraph):
    assert callgraph({"gen.py": """
        def task():
            pass

        def other():
            pass

        def tasks():
            yield task

        def delegated():
            yield from [other]

        for job in tasks():
            job()
        for job in delegated():
            job()
    """}) == {"gen": ["gen.delegated", "gen.other", "gen.task", "gen.tasks"]}


def test_functions_passed_to_map_and_sorted_are_called(callgraph):
    assert callgraph({"hof.py": """
        def double(x):
            return x

        def key(x):
            return x

        def factory(x):
            def made():
                pass
            return made

        list(map(double, [1, 2]))
        sorted([3, 1], key=key)
        for made in map(factory, [1]):
            made()
    """}) == {
        "hof": ["<builtin>.list", "<builtin>.map", "<builtin>.sorted", "hof.double", "hof.factory",
                "hof.factory.made", "hof.key"],
    }


def test_a_decorator_that_returns_a_wrapper(callgraph):
    assert callgraph({"deco.py": """
        def logged(func):
            def wrapper():
                return func()
            return wrapper

        @logged
        def work():
            pass

        def caller():
            work()
    """}) == {
        "deco": ["deco.logged"],
        # the wrapper runs first and calls the function; the plan keeps the direct edge too
        "deco.caller": ["deco.logged.wrapper", "deco.work"],
        "deco.logged.wrapper": ["deco.work"],
    }


def test_a_rebound_name_reaches_only_what_it_holds_at_each_use(callgraph):
    assert callgraph({"flow.py": """
        def first(f):
            return f

        def second(f):
            return f

        def a():
            pass

        def b():
            pass

        decorate = first
        decorate = second

        @decorate
        def decorated():
            pass

        def straight():
            handler = a
            handler()

        def rebound():
            handler = a
            handler = b
            handler()

        def branches(flag):
            handler = a
            if flag:
                handler = b
            handler()

        def looped(items):
            handler = a
            for item in items:
                handler()
                handler = b
    """}) == {
        "flow": ["flow.second"],
        "flow.branches": ["flow.a", "flow.b"],
        "flow.looped": ["flow.a", "flow.b"],
        "flow.rebound": ["flow.b"],
        "flow.straight": ["flow.a"],
    }


def test_parameter_defaults_are_values_of_the_parameter(callgraph):
    assert callgraph({"defaults.py": """
        def fallback():
            pass

        def run(callback=fallback):
            callback()

        run()
    """}) == {"defaults": ["defaults.run"], "defaults.run": ["defaults.fallback"]}


def test_partial_stands_for_the_function_it_wraps(callgraph):
    assert callgraph({"part.py": """
        from functools import partial

        def send(channel, message):
            pass

        send_email = partial(send, "email")
        send_email("hi")
    """}) == {"part": ["functools.partial", "part.send"]}
