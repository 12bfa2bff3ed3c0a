"""Read module → service decisions back from an edited plan.xlsx, a JSON file or a TOML file.

The result feeds `AnalysisOptions.assign`. Any problem (unknown module, blank service cell,
a module listed twice with different services) raises OverridesError and nothing is applied:
a half-applied review is worse than none.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from analyzer.errors import OverridesError
from analyzer.inputs import (
    MAX_OVERRIDES_BYTES,
    InputRefused,
    TOMLDecodeError,
    check_nesting,
    load_toml,
    read_limited,
)

MODULES_SHEET = "Modules"
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_SHOWN = 10

#: An edited plan.xlsx is checked before openpyxl opens it: a workbook is a zip of XML, and a
#: small file can unpack to gigabytes. Django's plan.xlsx is 0.15 MB and unpacks to 1.5 MB.
MAX_WORKBOOK_BYTES = 20_000_000
MAX_WORKBOOK_UNPACKED = 200_000_000
MAX_WORKBOOK_MEMBERS = 1_000
#: A member over 1 MB unpacked may not be more than this many times its compressed size
#: (spreadsheet XML compresses about 10-30:1).
MAX_WORKBOOK_RATIO = 150
_RATIO_FLOOR = 1_000_000


def read_overrides(path: Path, known_modules: set[str], known_services: set[str] | None = None,
                   *, changed_only: bool = False, label: str | None = None) -> dict[str, str]:
    """module → service from an edited plan.xlsx (Modules sheet), JSON or TOML file.

    A service name that is not in `known_services` is kept (it creates a new service); one that
    differs from a known name only in case or surrounding spaces is spelled as the known one.
    With `changed_only`, a workbook yields only rows whose service differs from the
    `proposed service` column the plan wrote. Messages name the file as `label` (an upload's own
    name on the review page, never the server's temporary path).
    """
    path = Path(path)
    shown = label or str(path)
    if not path.is_file():
        raise OverridesError(f"Overrides file {shown} does not exist; pass an edited plan.xlsx, a .json or a .toml file.")
    suffix = path.suffix.lower()
    if suffix in _WORKBOOK_SUFFIXES:
        rows = _workbook_rows(path, shown, changed_only)
    elif suffix == ".json":
        rows = _mapping_rows(shown, _load_json(path, shown))
    elif suffix == ".toml":
        rows = _mapping_rows(shown, _load_toml(path, shown))
    else:
        raise OverridesError(
            f"Overrides file {shown} has an unsupported type {suffix or '(none)'}; "
            "pass an edited plan.xlsx, a .json or a .toml file."
        )
    return _validated(shown, rows, known_modules, known_services or set())


# A row is (where, module, service): `where` names the row for error messages.
Row = tuple[str, str, str]


def _check_workbook(path: Path, shown: str) -> None:
    """Refuse a workbook too large, or unpacking too far, before openpyxl reads a byte of it."""
    size = path.stat().st_size
    if size > MAX_WORKBOOK_BYTES:
        raise OverridesError(f"{shown} is {size:,} bytes, over the {MAX_WORKBOOK_BYTES:,}-byte limit for an "
                             "edited plan.xlsx; nothing was changed.")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise OverridesError(f"{shown} is not a readable Excel workbook ({type(exc).__name__}); save it as .xlsx "
                             "and retry.") from exc
    unpacked = sum(m.file_size for m in members)
    swollen = [m.filename for m in members
               if m.file_size > _RATIO_FLOOR and m.file_size > MAX_WORKBOOK_RATIO * max(m.compress_size, 1)]
    if len(members) > MAX_WORKBOOK_MEMBERS or unpacked > MAX_WORKBOOK_UNPACKED or swollen:
        raise OverridesError(f"{shown} unpacks to {unpacked:,} bytes in {len(members):,} parts, more than an "
                             f"edited plan.xlsx can ({MAX_WORKBOOK_UNPACKED:,} bytes, {MAX_WORKBOOK_MEMBERS:,} parts, "
                             f"{MAX_WORKBOOK_RATIO}:1 compression); nothing was changed.")


def _workbook_rows(path: Path, shown: str, changed_only: bool) -> list[Row]:
    from openpyxl import load_workbook

    _check_workbook(path, shown)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise OverridesError(f"{shown} is not a readable Excel workbook ({type(exc).__name__}); save it as .xlsx "
                             "and retry.") from exc
    try:
        if MODULES_SHEET not in workbook.sheetnames:
            raise OverridesError(
                f"{shown} has no {MODULES_SHEET} sheet; edit the plan.xlsx that `strangler analyze` wrote."
            )
        try:
            sheet_rows = list(workbook[MODULES_SHEET].iter_rows(values_only=True))
        except Exception as exc:  # noqa: BLE001 - a damaged sheet part
            raise OverridesError(f"The {MODULES_SHEET} sheet of {shown} could not be read ({type(exc).__name__}); "
                                 "save it as .xlsx and retry.") from exc
    finally:
        workbook.close()
    if not sheet_rows:
        raise OverridesError(f"The {MODULES_SHEET} sheet of {shown} is empty; edit the plan.xlsx that `strangler analyze` wrote.")
    headers = [_text(h).lower() for h in sheet_rows[0]]
    missing = [name for name in ("module", "service") if name not in headers]
    if missing:
        raise OverridesError(
            f"The {MODULES_SHEET} sheet of {shown} has no {' or '.join(repr(m) for m in missing)} column; "
            "keep the header row as `strangler analyze` wrote it."
        )
    module_col, service_col = headers.index("module"), headers.index("service")
    proposed_col = headers.index("proposed service") if "proposed service" in headers else None
    rows: list[Row] = []
    for number, values in enumerate(sheet_rows[1:], start=2):
        module = _text(_at(values, module_col))
        service = _text(_at(values, service_col))
        if not module and not service:
            continue
        if changed_only and proposed_col is not None and service == _text(_at(values, proposed_col)):
            continue
        rows.append((f"row {number}", module, service))
    return rows


def _at(values: tuple[Any, ...], index: int) -> Any:
    return values[index] if index < len(values) else None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _load_json(path: Path, shown: str) -> Any:
    try:
        text = read_limited(path, MAX_OVERRIDES_BYTES)
        check_nesting(text)
        return json.loads(text)
    except InputRefused as exc:
        raise OverridesError(f"{shown} {exc}; nothing was changed.") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise OverridesError(f"{shown} is not valid JSON ({exc}); fix it and retry.") from exc


def _load_toml(path: Path, shown: str) -> Any:
    try:
        return load_toml(read_limited(path, MAX_OVERRIDES_BYTES))
    except InputRefused as exc:
        raise OverridesError(f"{shown} {exc}; nothing was changed.") from exc
    except (TOMLDecodeError, UnicodeDecodeError) as exc:
        raise OverridesError(f"{shown} is not valid TOML ({exc}); fix it and retry.") from exc


def _mapping_rows(path: str, data: Any) -> list[Row]:
    """`{"assign": {module: service}}` / `[assign]`, or a plain {module: service} mapping."""
    if isinstance(data, Mapping) and isinstance(data.get("assign"), Mapping):
        data = data["assign"]
    if not isinstance(data, Mapping) or not all(isinstance(v, str) for v in data.values()):
        raise OverridesError(
            f"{path} must map module names to service names, as {{\"assign\": {{\"module\": \"service\"}}}} "
            "or an [assign] table; nothing was changed."
        )
    return [(f"key {module!r}", str(module).strip(), service.strip()) for module, service in data.items()]


def _validated(path: str, rows: Iterable[Row], known_modules: set[str],
               known_services: set[str]) -> dict[str, str]:
    rows = list(rows)
    blank = [where for where, module, service in rows if module and not service]
    if blank:
        raise OverridesError(
            f"{path} has no service for {_listing(blank)}; nothing was changed. "
            "Fill in a service name for every module."
        )
    unknown = sorted({module for _, module, _ in rows if module not in known_modules})
    if unknown:
        raise OverridesError(
            f"{path} names {len(unknown)} module(s) that are not in the analyzed code: {_listing(unknown)}; "
            "nothing was changed. Fix or delete those rows."
        )
    spelled = {s.strip().lower(): s for s in sorted(known_services)}
    assignment: dict[str, str] = {}
    first_seen: dict[str, str] = {}
    clashes: list[str] = []
    for where, module, service in rows:
        service = spelled.get(service.lower(), service)
        if module in assignment and assignment[module] != service:
            clashes.append(f"{module} ({first_seen[module]}: {assignment[module]}, {where}: {service})")
            continue
        assignment.setdefault(module, service)
        first_seen.setdefault(module, where)
    if clashes:
        raise OverridesError(
            f"{path} gives different services for the same module: {_listing(clashes)}; "
            "nothing was changed. Keep one row per module."
        )
    return dict(sorted(assignment.items()))


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:_SHOWN])
    return f"{shown} and {len(items) - _SHOWN} more" if len(items) > _SHOWN else shown
