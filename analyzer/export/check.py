"""`strangler check`: find coupling that the approved plan did not agree to.

Given the approved plan and the call sites of the code as it is now, report every call that
crosses services but is not one of the plan's boundary calls (matched by caller/callee pair or
by path:line, so moved lines and renamed functions both stay recognised), and every module
that the plan does not place.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from analyzer.model import CallSite, ModuleFacts, Plan

NEW_COUPLING = "new-coupling"
NEW_MODULE = "new-module"
KERNEL_CALLS_SERVICE = "kernel-calls-service"


@dataclass(frozen=True, order=True)
class NewCoupling:
    """One finding, located at the call (or the module file) that causes it."""

    path: str
    line: int
    code: str  # NEW_COUPLING | KERNEL_CALLS_SERVICE | NEW_MODULE
    caller: str
    callee: str
    source: str  # caller's service ("" for a new module)
    target: str  # callee's service
    message: str


def find_new_coupling(plan: Plan, calls: Iterable[CallSite]) -> list[NewCoupling]:
    """Cross-service calls in `calls` that the plan's boundaries do not list, sorted by location.

    A call into the shared kernel is fine (every service vendors it); a call from the shared
    kernel into a service is reported, since the kernel would then depend on that service.
    Calls from or to modules the plan does not place are left to find_unplanned_modules.
    """
    known_pairs = {(c.caller, c.callee) for b in plan.boundaries for c in b.calls}
    known_sites = {(c.path, c.line) for b in plan.boundaries for c in b.calls}
    shared = {s.name for s in plan.services if s.kind == "shared"}
    findings: set[NewCoupling] = set()
    for site in calls:
        source = _service_of(site.caller, plan)
        if source is None:
            continue
        for callee in site.callees:
            target = _service_of(callee, plan)
            if target is None:
                continue
            if target == source or target in shared:
                continue
            if (site.caller, callee) in known_pairs or (site.path, site.line) in known_sites:
                continue
            if source in shared:
                code = KERNEL_CALLS_SERVICE
                message = (f"shared kernel {source} calls {callee} in service {target}; "
                           "the kernel must not depend on a service")
            else:
                code = NEW_COUPLING
                message = (f"{site.caller} ({source}) calls {callee} ({target}), "
                           "a cross-service call the plan does not list")
            findings.add(NewCoupling(path=site.path, line=site.line, code=code, caller=site.caller,
                                     callee=callee, source=source, target=target, message=message))
    return sorted(findings)


def _service_of(qualname: str, plan: Plan) -> str | None:
    module = plan.module_of(qualname)
    return None if module is None else plan.service_of(module)


def find_unplanned_modules(plan: Plan, modules: Iterable[ModuleFacts]) -> list[NewCoupling]:
    """Modules in the code that the plan does not place in any service."""
    return sorted(
        NewCoupling(path=m.path, line=1, code=NEW_MODULE, caller=m.name, callee="", source="", target="",
                    message=f"new module {m.name} not in plan; assign it to a service and re-approve the plan")
        for m in modules if plan.service_of(m.name) is None
    )


def render_check_text(findings: Iterable[NewCoupling]) -> str:
    """One `path:line: code message` line per finding (editor and CI friendly)."""
    return "".join(f"{f.path}:{f.line}: {f.code} {f.message}\n" for f in sorted(findings))


def render_check_json(findings: Iterable[NewCoupling]) -> str:
    ordered = sorted(findings)
    return json.dumps({"schema_version": 1, "count": len(ordered),
                       "findings": [asdict(f) for f in ordered]}, indent=2) + "\n"
