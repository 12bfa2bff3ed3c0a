"""Role-based access helpers. Roles are Django auth groups named after clinic job functions."""
from __future__ import annotations

import logging
from functools import wraps
from typing import Any, Callable

from django.contrib.auth.mixins import UserPassesTestMixin
from django.http import HttpRequest

from .exceptions import PermissionDenied

logger = logging.getLogger(__name__)

CLINICIAN = "clinician"
FRONT_DESK = "front_desk"
BILLING = "billing"
PHARMACIST = "pharmacist"
LAB_TECH = "lab_tech"
ADMIN = "clinic_admin"

CLINICAL_ROLES = frozenset({CLINICIAN, PHARMACIST, LAB_TECH})


def user_roles(user: Any) -> set[str]:
    """Return the set of role names for an authenticated user (cached on the instance)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_clinic_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached.add(ADMIN)
        user._clinic_roles = cached
    return cached


def has_role(user: Any, *roles: str) -> bool:
    granted = user_roles(user)
    return ADMIN in granted or any(role in granted for role in roles)


def can_view_clinical_data(user: Any) -> bool:
    return has_role(user, *CLINICAL_ROLES)


def role_required(*roles: str) -> Callable:
    """View decorator: raise PermissionDenied unless the user holds one of ``roles``."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any):
            if not has_role(request.user, *roles):
                logger.warning("User %s denied %s (needs %s)", request.user.pk, request.path, roles)
                raise PermissionDenied("You do not have access to this resource")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class RoleRequiredMixin(UserPassesTestMixin):
    """Class-based-view counterpart of :func:`role_required`."""

    required_roles: tuple[str, ...] = ()

    def test_func(self) -> bool:
        return has_role(self.request.user, *self.required_roles)
