"""Domain exceptions shared across apps; views translate them into HTTP responses."""
from __future__ import annotations


class ClinicError(Exception):
    """Base class for expected, user-facing failures."""

    status_code = 400
    code = "clinic_error"

    def __init__(self, message: str, *, details: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def as_dict(self) -> dict:
        return {"error": self.code, "message": self.message, "details": self.details}


class NotFound(ClinicError):
    status_code = 404
    code = "not_found"


class ValidationFailed(ClinicError):
    status_code = 422
    code = "validation_failed"


class Conflict(ClinicError):
    status_code = 409
    code = "conflict"


class PermissionDenied(ClinicError):
    status_code = 403
    code = "permission_denied"


class ExternalServiceError(ClinicError):
    """A partner API (clearinghouse, reference lab, SMS gateway) failed or timed out."""

    status_code = 502
    code = "external_service_error"

    def __init__(self, service: str, message: str, *, retryable: bool = True) -> None:
        super().__init__(f"{service}: {message}", details={"service": service})
        self.service = service
        self.retryable = retryable
