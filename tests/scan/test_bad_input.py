"""Files that cannot be analyzed are skipped with a reason; the rest of the tree still is."""

from __future__ import annotations

import builtins
import os

import pytest

from analyzer.options import AnalysisOptions
from analyzer.scan import scan

GOOD = {"good.py": "def ok():\n    return helper()\n\ndef helper():\n    pass\n"}


def reasons(codebase) -> dict[str, str]:
    return {s.path: s.reason for s in codebase.skipped}


def assert_good_file_analyzed(codebase) -> None:
    assert [c.callees for c in codebase.module("good").calls] == [("good.helper",)]


def test_syntax_errors_and_python2_files_are_skipped_with_the_parser_message(scanned):
    codebase = scanned({**GOOD, "broken.py": "x = 1\n\ndef broken(:\n    pass\n",
                        "legacy.py": "import os\nprint 'hello'\n"})
    assert reasons(codebase) == {
        "broken.py": "SyntaxError: line 3: invalid syntax",
        "legacy.py": "SyntaxError: line 2: Missing parentheses in call to 'print'. Did you mean print(...)?",
    }
    assert [m.name for m in codebase.modules] == ["good"]
    assert_good_file_analyzed(codebase)


def test_undecodable_and_binary_files_are_skipped(scanned):
    codebase = scanned({**GOOD, "latin.py": b"# -*- coding: utf-8 -*-\nname = '\xff\xfe'\n",
                        "blob.py": b"\x00\x01\x02binary"})
    assert reasons(codebase) == {
        "blob.py": "binary file (contains NUL bytes)",
        "latin.py": "undecodable: not valid utf-8 (invalid start byte)",
    }
    assert_good_file_analyzed(codebase)


def test_declared_encodings_are_honoured(scanned):
    codebase = scanned({"legacy.py": "# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n\ndef f():\n    len(name)\n"
                       .encode("latin-1")})
    assert [c.callees for c in codebase.module("legacy").calls] == [("<builtin>.len",)]


def test_generated_files_over_the_size_limit_are_skipped(scanned):
    generated = "DATA = [\n" + "    '0123456789abcdef0123456789abcdef',\n" * 140_000 + "]\n"
    codebase = scanned({**GOOD, "generated.py": generated})
    assert reasons(codebase) == {"generated.py": "generated file: 5.6 MB over the 2.0 MB limit"}
    assert_good_file_analyzed(codebase)


def test_unreadable_files_are_skipped(scanned, tree, monkeypatch):
    root = tree({**GOOD, "secret.py": "x = 1\n"})
    real_open = builtins.open

    def guarded_open(path, *args, **kwargs):
        if str(path).endswith("secret.py"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    codebase = scan(root, AnalysisOptions(cache=False))
    assert reasons(codebase) == {"secret.py": "unreadable: Permission denied"}
    assert_good_file_analyzed(codebase)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_chmod_000_files_are_skipped(tree):
    root = tree({**GOOD, "secret.py": "x = 1\n"})
    (root / "secret.py").chmod(0)
    try:
        codebase = scan(root, AnalysisOptions(cache=False))
    finally:
        (root / "secret.py").chmod(0o644)
    assert reasons(codebase) == {"secret.py": "unreadable: Permission denied"}


def test_newer_syntax_is_read_through_tree_sitter_with_real_line_numbers(scanned):
    codebase = scanned({**GOOD, "modern.py": '''
        from good import helper

        type Pair[T] = tuple[T, T]

        class Box[T: int]:
            def get[U](self, default: U) -> T | U:
                return helper()

        def first[T](items: list[T]) -> T:
            names = ["a", "b"]
            label = f"{", ".join(names)} and {f"{helper()}"}"
            return items[0]

        first([1])
    '''})
    modern = codebase.module("modern")
    assert modern.parser == "tree-sitter"
    assert [d.qualname for d in modern.definitions] == ["modern.Box", "modern.Box.get", "modern.first"]
    assert [(d.qualname, d.line) for d in modern.definitions if d.kind != "class"] == [
        ("modern.Box.get", 6), ("modern.first", 9)]
    assert [i.target for i in modern.imports] == ["good.helper"]
    assert [(c.caller, c.callees, c.line) for c in modern.calls] == [
        ("modern.Box.get", ("good.helper",), 7),
        ("modern.first", ("<builtin>.str.join",), 11),
        ("modern.first", ("good.helper",), 11),
        ("modern", ("modern.first",), 14),
    ]
    assert codebase.module("good").parser == "ast"


def test_one_bad_file_never_stops_a_parallel_run(tree):
    files = {f"pkg/m{i:02}.py": f"def f{i}():\n    return {i}\n" for i in range(60)}
    files["pkg/__init__.py"] = ""
    files["pkg/bad.py"] = "def (:\n"
    codebase = scan(tree(files), AnalysisOptions(cache=False, jobs=2))
    assert len(codebase.modules) == 61
    assert reasons(codebase) == {"pkg/bad.py": "SyntaxError: line 1: invalid syntax"}


def test_a_file_the_extractor_trips_on_is_skipped_not_fatal(scanned, monkeypatch):
    from analyzer.scan import worker

    real_extract = worker.extract

    def fragile(tree, source, module, *args, **kwargs):
        if module == "odd":
            raise ValueError("unexpected node")
        return real_extract(tree, source, module, *args, **kwargs)

    monkeypatch.setattr(worker, "extract", fragile)
    codebase = scanned({**GOOD, "odd.py": "x = 1\n"})
    assert reasons(codebase) == {"odd.py": "could not be analyzed (ValueError: unexpected node); please report this file"}
    assert_good_file_analyzed(codebase)


def test_deeply_nested_expressions_are_skipped_with_a_reason(scanned):
    codebase = scanned({**GOOD, "deep.py": "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"})
    assert "deep.py" in reasons(codebase)
    assert_good_file_analyzed(codebase)


def test_an_empty_tuple_type_does_not_cost_the_file(scanned):
    codebase = scanned({"pkg/__init__.py": "", "pkg/sets.py": """
        class Set:
            __slots__: tuple[()] = ()

            def size(self) -> int:
                return len(self.__slots__)
    """})
    assert not codebase.skipped
    assert "pkg.sets.Set.size" in {d.qualname for d in codebase.module("pkg.sets").definitions}
