"""Import roots: the folders a project imports itself from, found the way Python would see them.

A module's name is the dotted path from the folder on `sys.path` that holds it, and a project's
code says which folders those are by how it imports itself. The roots are, in this order:

1. the analyzed folder;
2. folders holding Django's `manage.py` (Django puts that folder on `sys.path`);
3. a `src/` layout and package folders declared in pyproject.toml, setup.cfg or setup.py
   (read as text, never run);
4. folders whose children the code imports absolutely (`from billing.models import Invoice`
   with `billing/` in `site/`): chosen greedily, the folder explaining most imports that no root
   explains yet first, while it explains at least MIN_EVIDENCE statements.

`--root` (the `roots` option) replaces the detection. The same file is named from the deepest
root that holds it. `import_resolution` then measures, on the scanned CodeBase, which share of
the imports of project modules resolved to a project module.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from analyzer.errors import ConfigError
from analyzer.inputs import InputRefused, TOMLDecodeError, load_toml
from analyzer.model import CodeBase, ImportRoot, ImportStats

#: A folder becomes an import root when it explains at least this many import statements ...
MIN_EVIDENCE = 5
#: ... and at least this share of the statements that name project folders.
MIN_EVIDENCE_SHARE = 0.01
#: At most this many roots are chosen from import evidence.
MAX_EVIDENCE_ROOTS = 8

_IMPORT = re.compile(rb"^[ \t]*(?:from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b|import[ \t]+([A-Za-z_][\w.]*(?:[ \t]+as[ \t]+\w+)?"
                     rb"(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*(?:[ \t]+as[ \t]+\w+)?)*))", re.M)
_DJANGO_MANAGE = re.compile(rb"execute_from_command_line|DJANGO_SETTINGS_MODULE")
_SETUP_PY_DIR = re.compile(r"""package_dir\s*=\s*\{\s*['"]{2}\s*:\s*['"]([^'"]+)['"]""")
_SETUP_PY_WHERE = re.compile(r"""find_(?:namespace_)?packages\(\s*(?:where\s*=\s*)?['"]([^'"]+)['"]""")
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ()))


def absolute_imports(data: bytes) -> list[str]:
    """The module paths a file imports absolutely (`from a.b import c` -> a.b), read as text."""
    found = []
    for match in _IMPORT.finditer(data):
        if match.group(1):
            found.append(match.group(1).decode("ascii", "replace").rstrip("."))
        else:
            for part in match.group(2).split(b","):
                found.append(part.split()[0].decode("ascii", "replace") if part.split() else "")
    return [name for name in found if name]


class _Tree:
    """The folders and modules of the scanned files, as relative POSIX paths without `.py`."""

    def __init__(self, files: Iterable[str]) -> None:
        self.paths: set[str] = set()
        self.packages: set[str] = set()
        self.children: dict[str, set[str]] = defaultdict(set)  # first component -> folders holding it
        for rel in files:
            parts = rel[:-3].split("/")
            if parts[-1] == "__init__":
                self.packages.add("/".join(parts[:-1]) or ".")
                parts = parts[:-1]
            for end in range(1, len(parts) + 1):
                self.paths.add("/".join(parts[:end]))
            for index, name in enumerate(parts):
                self.children[name].add("/".join(parts[:index]) or ".")

    def folders(self) -> set[str]:
        return {"/".join(p.split("/")[:-1]) or "." for p in self.paths}

    def explains(self, folder: str, module: str) -> bool:
        path = module.replace(".", "/")
        return (path if folder == "." else f"{folder}/{path}") in self.paths

    def candidates(self, module: str) -> set[str]:
        """Folders that are not packages and hold the module path (a package is never on sys.path)."""
        first = module.partition(".")[0]
        return {f for f in self.children.get(first, ()) if f not in self.packages and self.explains(f, module)}


def choose_roots(root: Path, contents: Mapping[str, bytes], given: Iterable[str] = (),
                 root_is_package: bool = False) -> tuple[ImportRoot, ...]:
    """The import roots of a tree: `contents` maps each scanned file (relative POSIX) to its bytes."""
    given = tuple(given)
    if given:
        return _given_roots(root, given)
    top = ImportRoot(".", "the analyzed folder, a package: its name prefixes every module" if root_is_package
                     else "the analyzed folder")
    if root_is_package:
        return (top,)
    tree = _Tree(contents)
    chosen: dict[str, str] = {".": top.reason}
    for rel, data in sorted(contents.items()):
        if rel.rpartition("/")[2] == "manage.py" and _DJANGO_MANAGE.search(data):
            chosen.setdefault(rel.rpartition("/")[0] or ".", "holds Django's manage.py")
    for folder, reason in _declared(root, tree):
        chosen.setdefault(folder, reason)
    imports = [(module, tree.candidates(module)) for data in contents.values() for module in absolute_imports(data)
               if module.partition(".")[0] not in _STDLIB]
    imports = [(module, holders) for module, holders in imports if holders]
    evidence: Counter[str] = Counter()
    for _, holders in imports:
        evidence.update(holders & set(chosen))
    open_imports = [holders for _, holders in imports if not holders & set(chosen)]
    for _ in range(MAX_EVIDENCE_ROOTS):
        gain: Counter[str] = Counter(folder for holders in open_imports for folder in holders)
        if not gain:
            break
        folder, count = min(gain.items(), key=lambda item: (-item[1], item[0].count("/"), item[0]))
        if count < max(MIN_EVIDENCE, MIN_EVIDENCE_SHARE * len(imports)):
            break
        chosen[folder] = f"the code imports {count} modules from here"
        evidence[folder] += count
        open_imports = [holders for holders in open_imports if folder not in holders]
    return tuple(ImportRoot(folder, reason, evidence.get(folder, 0))
                 for folder, reason in sorted(chosen.items(), key=lambda item: (item[0] != ".", item[0])))


def _given_roots(root: Path, given: tuple[str, ...]) -> tuple[ImportRoot, ...]:
    roots = {".": "the analyzed folder"}
    for text in given:
        path = Path(text)
        folder = path if path.is_absolute() else root / path
        try:
            relative = folder.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            raise ConfigError(f"Import root {text} is not inside {root}; give a folder of the analyzed tree.") from None
        if not folder.is_dir():
            raise ConfigError(f"Import root {text} is not a folder of {root}; check the --root value.")
        roots[relative or "."] = "given with --root"
    return tuple(ImportRoot(folder, reason) for folder, reason in sorted(roots.items(), key=lambda i: (i[0] != ".", i[0])))


def _declared(root: Path, tree: _Tree) -> list[tuple[str, str]]:
    """`src/` layouts and package folders named in packaging files (read as data, never run)."""
    found: list[tuple[str, str]] = []
    if "src" in tree.folders() | tree.paths and "src" not in tree.packages:
        found.append(("src", "src layout"))
    found += [(folder, "package folder declared in pyproject.toml") for folder in _pyproject_dirs(root)]
    found += [(folder, "package folder declared in setup.cfg") for folder in _setup_cfg_dirs(root)]
    setup_py = _read_text(root / "setup.py")
    found += [(m.strip("/") or ".", "package folder declared in setup.py")
              for m in _SETUP_PY_DIR.findall(setup_py) + _SETUP_PY_WHERE.findall(setup_py)]
    return [(folder, reason) for folder, reason in found
            if folder == "." or (folder in tree.paths and folder not in tree.packages)]


def _pyproject_dirs(root: Path) -> list[str]:
    try:
        data = load_toml(_read_text(root / "pyproject.toml"))
    except (TOMLDecodeError, InputRefused):
        return []
    tool = data.get("tool", {}) if isinstance(data.get("tool"), dict) else {}
    setuptools = tool.get("setuptools", {}) if isinstance(tool.get("setuptools"), dict) else {}
    dirs: list[str] = []
    package_dir = setuptools.get("package-dir")
    if isinstance(package_dir, dict) and isinstance(package_dir.get(""), str):
        dirs.append(package_dir[""])
    packages = setuptools.get("packages")
    if isinstance(packages, dict) and isinstance(packages.get("find"), dict):
        dirs += [w for w in packages["find"].get("where", []) if isinstance(w, str)]
    poetry = tool.get("poetry", {}) if isinstance(tool.get("poetry"), dict) else {}
    for entry in poetry.get("packages", []) if isinstance(poetry.get("packages"), list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("from"), str):
            dirs.append(entry["from"])
    return [d.strip("/").removeprefix("./") or "." for d in dirs]


def _setup_cfg_dirs(root: Path) -> list[str]:
    text = _read_text(root / "setup.cfg")
    dirs = re.findall(r"^\s*package_dir\s*=\s*(?:\n\s*)?=\s*(\S+)", text, re.M)
    dirs += re.findall(r"^\[options\.packages\.find\][^\[]*?^\s*where\s*=\s*(\S+)", text, re.M | re.S)
    return [d.strip("/") or "." for d in dirs]


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    except OSError:
        return ""


# --------------------------------------------------------------------------- measuring


def import_resolution(codebase: CodeBase, top: int = 5) -> ImportStats:
    """Imports of project modules and the share that resolved.

    An import is of the project when its target names a module the tree holds, by its name or by
    the name it would have from another folder that is not a package (the import a wrong root
    breaks: `billing.models` for `site.billing.models`). It resolved when the target is a module
    of the CodeBase or a name inside one (`from billing.models import Invoice`).
    """
    modules = {m.name for m in codebase.modules}
    tops = {name.partition(".")[0] for name in modules}
    other_names = _names_from_other_roots(codebase)
    project = resolved = 0
    misses: Counter[str] = Counter()
    for facts in codebase.modules:
        for item in facts.imports:
            target = item.target
            parent = target.rpartition(".")[0]
            if target in modules or parent in modules:
                project += 1
                resolved += 1
            elif (target.partition(".")[0] in tops and item.internal) or target in other_names \
                    or parent in other_names:
                project += 1
                misses[target] += 1
    return ImportStats(project, resolved, tuple(sorted(misses.items(), key=lambda i: (-i[1], i[0]))[:top]))


def _names_from_other_roots(codebase: CodeBase) -> set[str]:
    """Each module's dotted name from every folder above it that is not a package (a possible root)."""
    packages = {m.path.rpartition("/")[0] for m in codebase.modules if m.is_package}
    names = set()
    for facts in codebase.modules:
        parts = facts.path[:-3].split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        for start in range(1, len(parts)):
            if "/".join(parts[:start]) not in packages and start < len(parts):
                names.add(".".join(parts[start:]))
    return names
