"""`strangler check`: find coupling that the approved plan did not agree to.

Given the approved plan and the call sites of the code as it is now, report every call that
crosses services but is not one of the plan's boundary calls (matched by caller/callee pair or
by path:line, so moved lines and renamed functions both stay recognised), and every module
that the plan does not place.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from analyzer.export import views
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


def plan_module_service(plan: Plan) -> dict[str, str]:
    """module → service name, as the plan places them."""
    return views.module_service_map(plan)


def find_new_coupling(plan: Plan, calls: Iterable[CallSite],
                      module_service: Mapping[str, str]) -> list[NewCoupling]:
    """Cross-service calls in `calls` that the plan's boundaries do not list, sorted by location.

    A call into the shared kernel is fine (every service vendors it); a call from the shared
    kernel into a service is reported, since the kernel would then depend on that service.
    Calls from or to modules missing from `module_service` are left to find_unplanned_modules.
    """
    known_pairs = {(c.caller, c.callee) for b in plan.boundaries for c in b.calls}
    known_sites = {(c.path, c.line) for b in plan.boundaries for c in b.calls}
    shared = {s.name for s in plan.services if s.kind == "shared"}
    modules = set(module_service)
    findings: set[NewCoupling] = set()
    for site in calls:
        caller_module = views.module_of(site.caller, modules)
        if caller_module is None:
            continue
        source = module_service[caller_module]
        for callee in site.callees:
            callee_module = views.module_of(callee, modules)
            if callee_module is None:
                continue
            target = module_service[callee_module]
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


def find_unplanned_modules(plan: Plan, modules: Iterable[ModuleFacts]) -> list[NewCoupling]:
    """Modules in the code that the plan does not place in any service."""
    placed = set(views.module_service_map(plan))
    return sorted(
        NewCoupling(path=m.path, line=1, code=NEW_MODULE, caller=m.name, callee="", source="", target="",
                    message=f"new module {m.name} not in plan; assign it to a service and re-approve the plan")
        for m in modules if m.name not in placed
    )


def render_check_text(findings: Iterable[NewCoupling]) -> str:
    """One `path:line: code message` line per finding (editor and CI friendly)."""
    return "".join(f"{f.path}:{f.line}: {f.code} {f.message}\n" for f in sorted(findings))


def render_check_json(findings: Iterable[NewCoupling]) -> str:
    ordered = sorted(findings)
    return json.dumps({"schema_version": 1, "count": len(ordered),
                       "findings": [asdict(f) for f in ordered]}, indent=2) + "\n"
