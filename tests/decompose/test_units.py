"""Services shaped like business capabilities: apps, layer folders and the framework layer come
from the package structure, and file kinds never make a service."""

from __future__ import annotations

from collections import defaultdict

from analyzer.decompose import SHARED_KERNEL_NAME, decompose
from analyzer.graph import build_graph
from analyzer.options import AnalysisOptions
from analyzer.scan import scan
from tests.scan.conftest import write_tree

APPS = ("billing", "catalog", "orders", "shipping")
MODEL = {"billing": "Invoice", "catalog": "Product", "orders": "Order", "shipping": "Parcel"}
USES = {"billing": "orders", "catalog": "billing", "orders": "catalog", "shipping": "orders"}


def app_files(app: str) -> dict[str, str]:
    """A small Django app: a model pointing at another app's model, views, forms and constants."""
    model, other = MODEL[app], USES[app]
    return {
        f"shop/{app}/__init__.py": "",
        f"shop/{app}/apps.py": f"""
            from django.apps import AppConfig

            class Config(AppConfig):
                name = "shop.{app}"
        """,
        f"shop/{app}/constants.py": f"""
            {app.upper()}_PAGE_SIZE = 20
            {app.upper()}_STATES = ("new", "done")
        """,
        f"shop/{app}/models.py": f"""
            from django.db import models

            from shop.common.models import TimestampedModel
            from shop.{app}.constants import {app.upper()}_STATES

            class {model}(TimestampedModel):
                state = models.CharField(max_length=10, choices={app.upper()}_STATES)
                link = models.ForeignKey("{other}.{MODEL[other]}", on_delete=models.CASCADE)

                def label(self):
                    return f"{{self.state}}"
        """,
        f"shop/{app}/services.py": f"""
            from shop.common.text import clean
            from shop.{app}.models import {model}

            def create_{model.lower()}(state):
                item = {model}(state=clean(state))
                item.save()
                return item

            def list_{model.lower()}s():
                return list({model}.objects.filter(state="new"))
        """,
        f"shop/{app}/views.py": f"""
            from shop.common.views import BaseView
            from shop.{app}.constants import {app.upper()}_PAGE_SIZE
            from shop.{app}.services import create_{model.lower()}, list_{model.lower()}s

            class {model}View(BaseView):
                def get(self, request):
                    return list_{model.lower()}s()[:{app.upper()}_PAGE_SIZE]

                def post(self, request):
                    return create_{model.lower()}(request.POST["state"])
        """,
    }


def project(extra: dict[str, str] | None = None) -> dict[str, str]:
    files: dict[str, str] = {"shop/__init__.py": "", "manage.py": "", "shop/settings.py": "DEBUG = False\n"}
    files.update({
        "shop/common/__init__.py": "",
        "shop/common/models.py": """
            from django.db import models

            class TimestampedModel(models.Model):
                created = models.DateTimeField(auto_now_add=True)

                class Meta:
                    abstract = True
        """,
        "shop/common/text.py": "def clean(value):\n    return value.strip()\n",
        "shop/common/views.py": "class BaseView:\n    def dispatch(self, request):\n        return None\n",
    })
    for app in APPS:
        files.update(app_files(app))
    files.update(extra or {})
    return files


def plan_of(tmp_path, files, options: AnalysisOptions | None = None):
    graph = build_graph(scan(write_tree(tmp_path, files), AnalysisOptions(cache=False)))
    return decompose(graph, options or AnalysisOptions(cache=False))


def services_of(decomposition) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for module, service in decomposition.assignment.items():
        found[service].add(module)
    return found


def test_every_app_is_one_service_and_file_kinds_stay_with_their_app(tmp_path):
    decomposition = plan_of(tmp_path, project())
    assignment = decomposition.assignment
    for app in APPS:
        service = assignment[f"shop.{app}.models"]
        assert service == app
        assert {assignment[f"shop.{app}.{kind}"] for kind in ("constants", "views", "services", "apps")} == {app}
    assert decomposition.placement["shop.billing.constants"] == "app package shop.billing"


def test_the_project_framework_package_is_shared_kernel_with_its_reason(tmp_path):
    decomposition = plan_of(tmp_path, project())
    for module in ("shop.common", "shop.common.models", "shop.common.text", "shop.common.views"):
        assert decomposition.assignment[module] == SHARED_KERNEL_NAME
    reason = decomposition.shared_reasons["shop.common.views"]
    assert reason.startswith("framework package shop.common (a common package), used by ")


def test_a_layer_folder_named_after_apps_follows_them(tmp_path):
    layer = {"shop/backoffice/__init__.py": "", "shop/backoffice/views/__init__.py": ""}
    for app in APPS:
        model = MODEL[app]
        layer[f"shop/backoffice/views/{app}.py"] = f"""
            from shop.{app}.models import {model}

            def review_{app}():
                return {model}.objects.filter(state="new").count()
        """
    layer["shop/backoffice/views/dashboard.py"] = """
        from shop.orders.models import Order
        from shop.orders.services import list_orders

        def dashboard():
            return list_orders(), Order.objects.count()
    """
    decomposition = plan_of(tmp_path, project(layer))
    for app in APPS:
        assert decomposition.assignment[f"shop.backoffice.views.{app}"] == app
        assert decomposition.placement[f"shop.backoffice.views.{app}"] == \
            f"layer module of shop.backoffice named after app shop.{app}"
    assert decomposition.assignment["shop.backoffice.views.dashboard"] == "orders"
    assert "backoffice" not in services_of(decomposition)


def test_a_plugin_app_owning_no_data_joins_the_app_it_extends(tmp_path):
    plugin = {
        "shop/shipping_courier/__init__.py": "",
        "shop/shipping_courier/apps.py": """
            from django.apps import AppConfig

            class Config(AppConfig):
                name = "shop.shipping_courier"
        """,
        "shop/shipping_courier/backend.py": """
            from shop.shipping.models import Parcel
            from shop.shipping.services import create_parcel

            class CourierBackend:
                def book(self, state):
                    return create_parcel(state), Parcel.objects.filter(state=state).first()
        """,
        "shop/shipping_courier/tracking.py": """
            from shop.shipping_courier.backend import CourierBackend

            def track(parcel):
                return CourierBackend().book(parcel)
        """,
    }
    decomposition = plan_of(tmp_path, project(plugin))
    assert decomposition.assignment["shop.shipping_courier.backend"] == "shipping"
    assert decomposition.assignment["shop.shipping_courier.tracking"] == "shipping"
    assert "joined shop.shipping" in decomposition.placement["shop.shipping_courier.backend"]


def test_a_layered_monolith_without_apps_is_clustered_module_by_module(tmp_path):
    files = {"app/__init__.py": "", "app/models/__init__.py": "", "app/services/__init__.py": ""}
    for name in ("order", "invoice"):
        files[f"app/models/{name}.py"] = f"""
            from sqlalchemy.orm import DeclarativeBase

            class Base(DeclarativeBase):
                pass

            class {name.title()}(Base):
                __tablename__ = "{name}s"
        """
        files[f"app/services/{name}_service.py"] = f"""
            from app.models.{name} import {name.title()}

            def load_{name}(session, key):
                return session.get({name.title()}, key)
        """
    decomposition = plan_of(tmp_path, files)
    assert decomposition.placement == {}
    assert decomposition.assignment["app.services.order_service"] == decomposition.assignment["app.models.order"]


def test_an_apps_own_settings_module_stays_in_the_app_while_the_project_settings_are_wiring(tmp_path):
    decomposition = plan_of(tmp_path, project({"shop/billing/settings.py": "BILLING_CURRENCY = 'EUR'\n"}))
    assert decomposition.assignment["shop.billing.settings"] == "billing"
    assert decomposition.assignment["shop.settings"] == SHARED_KERNEL_NAME
    assert decomposition.shared_reasons["shop.settings"] == "composition root (settings)"


def test_an_app_without_data_that_every_app_builds_on_is_the_framework_layer(tmp_path):
    extra = {
        "shop/navigation/__init__.py": "",
        "shop/navigation/apps.py": """
            from django.apps import AppConfig

            class Config(AppConfig):
                name = "shop.navigation"
        """,
        "shop/navigation/menus.py": "class Menu:\n    def bind(self, *links):\n        return links\n",
        "shop/navigation/links.py": "class Link:\n    def __init__(self, text):\n        self.text = text\n",
    }
    for app in APPS:
        extra[f"shop/{app}/links.py"] = f"""
            from shop.navigation.links import Link
            from shop.navigation.menus import Menu

            def menu():
                return Menu().bind(Link("{app}"))
        """
    decomposition = plan_of(tmp_path, project(extra))
    assert decomposition.assignment["shop.navigation.menus"] == SHARED_KERNEL_NAME
    assert decomposition.shared_reasons["shop.navigation.menus"].startswith(
        "framework app shop.navigation: owns no table, used by 4 of 4 other apps")
    assert decomposition.assignment["shop.billing.links"] == "billing"


def test_asking_for_more_services_than_units_says_what_was_reached(tmp_path):
    decomposition = plan_of(tmp_path, project(), AnalysisOptions(cache=False, services=12))
    assert len(services_of(decomposition)) - 1 == 4
    assert decomposition.notes == ("asked for 12 services, reached 4: the code has 4 units (apps and modules outside "
                                   "them) that can be placed apart; pin modules apart to split further",)


def test_asking_for_fewer_services_merges_the_most_coupled_apps(tmp_path):
    decomposition = plan_of(tmp_path, project(), AnalysisOptions(cache=False, services=2))
    services = services_of(decomposition)
    assert len(services) - 1 == 2
    for app in APPS:  # apps are merged whole, never torn apart
        assert len({decomposition.assignment[f"shop.{app}.{kind}"] for kind in ("models", "views")}) == 1


def test_model_packages_nested_in_an_installed_app_are_that_app(tmp_path):
    """An app listed in INSTALLED_APPS without an AppConfig owns the models of the packages inside
    it (Django files them under its label), so its storage backends are not services of their own."""
    storage = {
        "shop/settings.py": 'INSTALLED_APPS = ["django.contrib.auth", "shop.storage"]\nINSTALLED_APPS += ["shop.storage"]\n',
        "shop/storage/__init__.py": "",
        "shop/storage/models.py": """
            from django.db import models

            class Storage(models.Model):
                title = models.CharField(max_length=20)
        """,
        "shop/storage/sync.py": """
            from shop.storage.models import Storage

            def sync_all():
                return [s.title for s in Storage.objects.all()]
        """,
    }
    for backend in ("s3", "gcs"):
        storage[f"shop/storage/{backend}/__init__.py"] = ""
        storage[f"shop/storage/{backend}/models.py"] = f"""
            from django.db import models

            from shop.storage.models import Storage

            class {backend.upper()}Storage(Storage):
                bucket = models.CharField(max_length=20)
        """
        storage[f"shop/storage/{backend}/api.py"] = f"""
            from shop.storage.{backend}.models import {backend.upper()}Storage

            def list_buckets():
                return [s.bucket for s in {backend.upper()}Storage.objects.all()]
        """
    graph = build_graph(scan(write_tree(tmp_path, project(storage)), AnalysisOptions(cache=False)))
    tables = {m.qualname: m.table for m in graph.models}
    assert tables["shop.storage.s3.models.S3Storage"] == "storage_s3storage"
    decomposition = decompose(graph, AnalysisOptions(cache=False))
    homes = {decomposition.assignment[f"shop.storage.{b}.api"] for b in ("s3", "gcs")}
    assert homes == {decomposition.assignment["shop.storage.sync"]}


def test_the_app_factory_and_a_configs_package_are_wiring_whatever_their_names(tmp_path):
    """The module that builds the Flask app imports every app's views and is imported by the CLI:
    it is the composition root, found by the constructor it calls; a `configs/` package near the
    top is the deployment's configuration. Neither is a service."""
    extra = {
        "shop/web/__init__.py": "",
        "shop/web/factory.py": """
            from flask import Flask

            from shop.billing.views import InvoiceView
            from shop.orders.views import OrderView

            def create_app(config="shop.configs.default"):
                app = Flask("shop")
                app.config.from_object(config)
                app.add_url_rule("/orders", view_func=OrderView().get)
                app.add_url_rule("/invoices", view_func=InvoiceView().get)
                return app
        """,
        "shop/web/cli.py": "from shop.web.factory import create_app\n\ndef main():\n    create_app().run()\n",
        "shop/configs/__init__.py": "",
        "shop/configs/default.py": "DEBUG = False\nPAGE_SIZE = 20\n",
        "shop/configs/testing.py": "from shop.configs.default import *\nDEBUG = True\n",
    }
    decomposition = plan_of(tmp_path, project(extra))
    assert decomposition.shared_reasons["shop.web.factory"] == "composition root (app factory: calls flask.Flask)"
    assert decomposition.shared_reasons["shop.configs.testing"] == "composition root (settings: testing)"
    assert decomposition.assignment["shop.configs.default"] == SHARED_KERNEL_NAME
