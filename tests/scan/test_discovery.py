"""Which files are analyzed, under which module names, and which are skipped."""

from __future__ import annotations

import os

import pytest

from analyzer.errors import NoPythonFiles, SourceNotFound
from analyzer.options import AnalysisOptions
from analyzer.scan import scan
from analyzer.scan.discover import discover


def names(codebase) -> dict[str, str]:
    return {m.path: m.name for m in codebase.modules}


def test_packages_modules_and_loose_scripts(scanned):
    codebase = scanned({
        "main.py": "",
        "shop/__init__.py": "",
        "shop/orders/__init__.py": "",
        "shop/orders/service.py": "",
        "billing/__init__.py": "",
        "billing/invoices.py": "",
    })
    assert names(codebase) == {
        "billing/__init__.py": "billing", "billing/invoices.py": "billing.invoices", "main.py": "main",
        "shop/__init__.py": "shop", "shop/orders/__init__.py": "shop.orders",
        "shop/orders/service.py": "shop.orders.service",
    }
    assert {m.name for m in codebase.modules if m.is_package} == {"billing", "shop", "shop.orders"}


def test_namespace_packages_and_src_layout(scanned):
    codebase = scanned({
        "src/shop/__init__.py": "",
        "src/shop/api.py": "",
        "src/plugins/payments/stripe.py": "",
    })
    assert names(codebase) == {"src/plugins/payments/stripe.py": "plugins.payments.stripe",
                               "src/shop/__init__.py": "shop", "src/shop/api.py": "shop.api"}


def test_a_root_that_is_itself_a_package_prefixes_its_modules(tree):
    root = tree({"django/__init__.py": "", "django/db/__init__.py": "", "django/db/models.py": ""})
    codebase = scan(root / "django", AnalysisOptions(cache=False))
    assert names(codebase) == {"__init__.py": "django", "db/__init__.py": "django.db",
                               "db/models.py": "django.db.models"}


def test_duplicate_module_names_keep_one_file_and_say_why(scanned):
    codebase = scanned({"tool.py": "", "tool/__init__.py": "", "src/tool.py": ""})
    assert names(codebase) == {"tool/__init__.py": "tool"}
    assert [(s.path, s.reason) for s in codebase.skipped] == [
        ("src/tool.py", "duplicate module name tool: tool/__init__.py is analyzed instead"),
        ("tool.py", "duplicate module name tool: tool/__init__.py is analyzed instead"),
    ]


def test_default_excludes_with_include_winning(tree):
    root = tree({
        "app.py": "",
        "tests/test_app.py": "",
        "app/migrations/0001_initial.py": "",
        ".venv/lib/site.py": "",
        "build/generated.py": "",
        "conftest.py": "",
    })
    default = discover(root, AnalysisOptions())
    assert [f.path for f in default.files] == ["app.py"]
    with_tests = discover(root, AnalysisOptions(include=("tests", "test_*.py")))
    assert [f.path for f in with_tests.files] == ["app.py", "tests/test_app.py"]
    extra = discover(root, AnalysisOptions(extra_exclude=("app.py",), include=("build",)))
    assert [f.path for f in extra.files] == ["build/generated.py"]


def test_files_are_walked_in_sorted_order(tree):
    root = tree({"b.py": "", "a/__init__.py": "", "a/z.py": "", "a/b.py": "", "C.py": ""})
    assert [f.path for f in discover(root, AnalysisOptions()).files] == [
        "C.py", "a/__init__.py", "a/b.py", "a/z.py", "b.py"]


def test_directory_symlinks_are_not_followed_and_loops_are_reported(tree, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "foreign.py").write_text("x = 1\n")
    root = tree({"pkg/__init__.py": "", "pkg/mod.py": ""})
    os.symlink(root / "pkg", root / "pkg" / "loop")
    os.symlink(outside, root / "vendor")
    os.symlink(root / "pkg", root / "alias")
    os.symlink(outside / "foreign.py", root / "linked.py")
    codebase = scan(root, AnalysisOptions(cache=False))
    assert names(codebase) == {"pkg/__init__.py": "pkg", "pkg/mod.py": "pkg.mod"}
    assert [(s.path, s.reason) for s in codebase.skipped] == [
        ("alias", "symlink to pkg: analyzed at its real path"),
        ("linked.py", "symlink to a file outside the analyzed tree: not followed"),
        ("pkg/loop", "symlink loop: points back to pkg"),
        ("vendor", "symlink to a folder outside the analyzed tree: not followed"),
    ]


def test_a_missing_or_empty_root_is_a_clear_error(tmp_path):
    with pytest.raises(SourceNotFound, match="does not exist"):
        scan(tmp_path / "nope", AnalysisOptions(cache=False))
    (tmp_path / "notes.txt").write_text("no python here")
    with pytest.raises(NoPythonFiles, match="No Python files found"):
        scan(tmp_path, AnalysisOptions(cache=False))
    with pytest.raises(SourceNotFound, match="is not a folder"):
        scan(tmp_path / "notes.txt", AnalysisOptions(cache=False))


def test_what_is_not_the_application_is_listed_with_its_reason(tree):
    root = tree({
        "shop/__init__.py": "",
        "shop/orders.py": "",
        "shop/tests.py": "",
        "shop/test.py": "",
        "shop/tests/__init__.py": "",
        "shop/tests/test_orders.py": "",
        "shop/migrations/0001_initial.py": "",
        "shop/settings_docker.py": "",
        "shop/app_settings.py": "",
        "docs/conf.py": "",
        "scripts/release.py": "",
        "shop/scripts/__init__.py": "",
        ".semgrep/rules.py": "",
        "shop-1.0.dist-info/x.py": "",
        "vendor/lib.py": "",
    })
    found = discover(root, AnalysisOptions())
    assert [f.path for f in found.files] == ["shop/__init__.py", "shop/app_settings.py", "shop/orders.py",
                                             "shop/scripts/__init__.py"]
    assert [(e.path, e.reason, e.files) for e in found.excluded] == [
        (".semgrep/", "tooling configuration (hidden folder)", 1),
        ("docs/", "documentation", 1),
        ("scripts/", "build, release and developer scripts", 1),
        ("shop-1.0.dist-info/", "packaging metadata and installed scripts", 1),
        ("shop/migrations/", "database migrations", 1),
        ("shop/settings_docker.py", "settings variant (deployment configuration)", 1),
        ("shop/test.py", "tests", 1),
        ("shop/tests.py", "tests", 1),
        ("shop/tests/", "tests", 2),
        ("vendor/", "vendored third-party code", 1),
    ]
    back = discover(root, AnalysisOptions(include=("docs", "tests", "test_*.py")))
    assert {"docs/conf.py", "shop/tests/test_orders.py"} <= {f.path for f in back.files}


def test_a_tree_of_tests_only_says_how_to_include_them(tree):
    root = tree({"tests/test_a.py": "", "tests/conftest.py": ""})
    with pytest.raises(NoPythonFiles, match="left out as not the application .*--include"):
        scan(root, AnalysisOptions(cache=False))
