"""Framework references the import graph cannot see: models and code named by strings."""

from __future__ import annotations

from analyzer.graph import build_graph
from analyzer.options import AnalysisOptions
from analyzer.scan import scan
from tests.scan.conftest import write_tree

DJANGO = {
    "shop/__init__.py": "",
    "shop/accounts/__init__.py": "",
    "shop/accounts/apps.py": """
        from django.apps import AppConfig

        class AccountsConfig(AppConfig):
            name = "shop.accounts"
            label = "shop_accounts"
    """,
    "shop/accounts/models.py": """
        from django.contrib.auth.models import AbstractUser

        class User(AbstractUser):
            pass
    """,
    "shop/catalogue/__init__.py": "",
    "shop/catalogue/models.py": """
        from django.db import models

        class Product(models.Model):
            pass
    """,
    "shop/orders/__init__.py": "",
    "shop/orders/models.py": """
        from django.conf import settings
        from django.db import models

        class Order(models.Model):
            buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
            product = models.ForeignKey("catalogue.Product", on_delete=models.CASCADE)
            seller = models.ForeignKey(to="shop_accounts.User", on_delete=models.CASCADE)
            parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)
    """,
    "shop/orders/services.py": """
        import logging

        from django.apps import apps
        from django.contrib.auth import get_user_model

        log = logging.getLogger("shop.catalogue.models")

        def lines():
            Product = apps.get_model("catalogue", "Product")
            Buyer = apps.get_model("shop_accounts.User")
            return Product.objects.all(), Buyer, get_user_model()
    """,
    "shop/urls.py": """
        from django.urls import include, path

        from shop.loading import load_class

        urlpatterns = [path("orders/", include("shop.orders.urls"))]
        Mixin = load_class("orders.services", "lines")

        def register(app):
            app.task(name="orders.lines")
    """,
    "shop/orders/urls.py": "urlpatterns = []\n",
    "shop/loading.py": "def load_class(module, name):\n    return None\n",
}


def graph_of(tmp_path, files):
    return build_graph(scan(write_tree(tmp_path, files), AnalysisOptions(cache=False)))


def test_django_relations_resolve_app_labels_the_user_model_and_get_model(tmp_path):
    graph = graph_of(tmp_path, DJANGO)
    tables = {m.qualname: m.table for m in graph.models}
    assert tables["shop.accounts.models.User"] == "shop_accounts_user"
    assert tables["shop.catalogue.models.Product"] == "catalogue_product"
    found = sorted((a.accessor, a.table, a.via, a.line) for a in graph.data_access
                   if a.via in ("relation", "get_model", "user-model"))
    assert found == [
        ("shop.orders.models.Order", "catalogue_product", "relation", 6),
        ("shop.orders.models.Order", "shop_accounts_user", "relation", 5),
        ("shop.orders.models.Order", "shop_accounts_user", "relation", 7),
        ("shop.orders.services.lines", "catalogue_product", "get_model", 9),
        ("shop.orders.services.lines", "shop_accounts_user", "get_model", 10),
        ("shop.orders.services.lines", "shop_accounts_user", "user-model", 11),
    ]


def test_dotted_strings_naming_project_code_become_references(tmp_path):
    graph = graph_of(tmp_path, DJANGO)
    assert sorted((r.source, r.target, r.via, r.line) for r in graph.references) == [
        ("shop.urls", "shop.orders.services.lines", "string-path", 6),
        ("shop.urls", "shop.orders.urls", "string-path", 5),
    ]
    assert graph.modules.edges["shop.urls", "shop.orders.urls"]["reference"] == 1
    assert not graph.modules.has_edge("shop.orders.services", "shop.catalogue.models") or \
        graph.modules.edges["shop.orders.services", "shop.catalogue.models"].get("reference", 0) == 0


def test_sqlalchemy_relationship_by_class_name(tmp_path):
    graph = graph_of(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": """
            from sqlalchemy.orm import DeclarativeBase, relationship

            class Base(DeclarativeBase):
                pass

            class Customer(Base):
                __tablename__ = "customers"

            class Order(Base):
                __tablename__ = "orders"
                customer = relationship("Customer", back_populates="orders")
        """,
    })
    assert [(a.accessor, a.table, a.via) for a in graph.data_access if a.via == "relation"] == [
        ("app.models.Order", "customers", "relation")]


def test_flask_sqlalchemy_relationships_and_column_foreign_keys(tmp_path):
    graph = graph_of(tmp_path, {
        "app/__init__.py": "",
        "app/db.py": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n",
        "app/models.py": """
            from app.db import db

            class Customer(db.Model):
                __tablename__ = "customers"
                id = db.Column(db.Integer, primary_key=True)

            class Order(db.Model):
                __tablename__ = "orders"
                customer_id = db.Column(db.Integer, db.ForeignKey("customers.id"))
                customer = db.relationship("Customer")
                archived_id = db.Column(db.Integer, db.ForeignKey("archive.old_orders.id"))
        """,
    })
    assert sorted((a.table, a.line) for a in graph.data_access if a.via == "relation") == [
        ("customers", 9), ("customers", 10)]
