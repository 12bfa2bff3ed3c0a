"""Import roots: modules are named the way the code imports them, wherever the user points."""

from __future__ import annotations

import pytest

from analyzer.errors import ConfigError
from analyzer.options import AnalysisOptions
from analyzer.scan import scan
from analyzer.scan.roots import absolute_imports, import_resolution

NO_CACHE = AnalysisOptions(cache=False)

MANAGE = """
import os, sys
if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_conf.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
"""

#: A Django project one folder below the repository root, importing its apps absolutely.
ONE_DOWN = {
    "README.py": "",
    "site/manage.py": MANAGE,
    "site/site_conf/__init__.py": "",
    "site/site_conf/settings.py": "INSTALLED_APPS = ['billing', 'orders']\n",
    "site/billing/__init__.py": "",
    "site/billing/models.py": "class Invoice:\n    def total(self):\n        return 1\n",
    "site/orders/__init__.py": "",
    "site/orders/views.py": """
        from billing.models import Invoice
        from billing import models

        def show():
            return Invoice().total()
    """,
}


def names(codebase) -> dict[str, str]:
    return {m.path: m.name for m in codebase.modules}


def test_a_django_project_one_folder_down_is_named_from_its_manage_py_folder(tree):
    codebase = scan(tree(ONE_DOWN), NO_CACHE)
    assert names(codebase)["site/billing/models.py"] == "billing.models"
    assert names(codebase)["site/orders/views.py"] == "orders.views"
    assert names(codebase)["README.py"] == "README"
    assert [(r.path, r.reason) for r in codebase.roots] == [
        (".", "the analyzed folder"), ("site", "holds Django's manage.py")]
    views = codebase.module("orders.views")
    assert [c.callees for c in views.calls if c.expr == "Invoice().total"] == [("billing.models.Invoice.total",)]
    resolution = import_resolution(codebase)
    assert (resolution.project, resolution.resolved) == (2, 2)


def test_folders_the_code_imports_from_become_roots_without_manage_py(tree):
    files = {f"backend/app{i}/__init__.py": "" for i in range(3)}
    files.update({f"backend/app{i}/logic.py": "".join(f"from app{j}.logic import run as run{j}\n" for j in range(3) if j != i)
                  + "def run():\n    return 1\n" for i in range(3)})
    files["backend/app0/extra.py"] = "import app1.logic\nimport app2.logic\nfrom app1 import logic\n"
    codebase = scan(tree(files), NO_CACHE)
    assert names(codebase)["backend/app1/logic.py"] == "app1.logic"
    assert [r.path for r in codebase.roots] == [".", "backend"]
    assert codebase.roots[1].reason == "the code imports 9 modules from here"
    assert import_resolution(codebase).share == 1.0


def test_a_wrong_root_shows_as_unresolved_imports(tree):
    root = tree(ONE_DOWN)
    codebase = scan(root, NO_CACHE.replace(roots=(".",)))
    assert names(codebase)["site/billing/models.py"] == "site.billing.models"
    resolution = import_resolution(codebase)
    assert (resolution.project, resolution.resolved) == (2, 0)
    assert resolution.unresolved == (("billing.models", 1), ("billing.models.Invoice", 1))


def test_given_roots_replace_the_detection_and_must_be_inside_the_tree(tree, tmp_path):
    root = tree(ONE_DOWN)
    codebase = scan(root, NO_CACHE.replace(roots=("site",)))
    assert [(r.path, r.reason) for r in codebase.roots] == [(".", "the analyzed folder"), ("site", "given with --root")]
    with pytest.raises(ConfigError, match="is not inside"):
        scan(root, NO_CACHE.replace(roots=(str(tmp_path),)))
    with pytest.raises(ConfigError, match="is not a folder"):
        scan(root, NO_CACHE.replace(roots=("nowhere",)))


def test_a_manage_py_module_inside_a_package_is_not_a_root(tree):
    codebase = scan(tree({
        "app/__init__.py": "",
        "app/timetable/__init__.py": "",
        "app/timetable/manage.py": "def manage_slot():\n    return 1\n",
        "app/timetable/views.py": "from app.timetable.manage import manage_slot\n",
    }), NO_CACHE)
    assert [r.path for r in codebase.roots] == ["."]
    assert names(codebase)["app/timetable/manage.py"] == "app.timetable.manage"


def test_standard_library_names_never_make_a_root(tree):
    files = {"mylib/logging/__init__.py": "", "mylib/logging/handlers.py": ""}
    files.update({f"app/m{i}.py": "import logging\nimport logging.handlers\n" for i in range(10)})
    codebase = scan(tree(files), NO_CACHE)
    assert [r.path for r in codebase.roots] == ["."]
    assert names(codebase)["mylib/logging/handlers.py"] == "mylib.logging.handlers"


def test_package_folders_declared_in_pyproject_are_roots(tree):
    codebase = scan(tree({
        "pyproject.toml": '[tool.setuptools.packages.find]\nwhere = ["lib"]\n',
        "lib/shop/__init__.py": "",
        "lib/shop/cart.py": "",
    }), NO_CACHE)
    assert names(codebase)["lib/shop/cart.py"] == "shop.cart"
    assert ("lib", "package folder declared in pyproject.toml") in [(r.path, r.reason) for r in codebase.roots]


def test_absolute_imports_are_read_as_text_without_relative_ones():
    source = b"import a.b as c, d\nfrom e.f import (g,\n  h)\nfrom . import x\nfrom .y import z\n  import k\n"
    assert absolute_imports(source) == ["a.b", "d", "e.f", "k"]
