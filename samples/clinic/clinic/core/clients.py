"""A thin JSON-over-HTTP client with retries, shared by every partner integration."""
from __future__ import annotations

import logging
import time
from typing import Any

import requests

from .exceptions import ExternalServiceError

logger = logging.getLogger(__name__)

RETRYABLE_STATUS = {429, 500, 502, 503, 504}


class ApiClient:
    """Session-backed client: bearer auth, JSON in/out, bounded retries with backoff."""

    def __init__(
        self,
        service: str,
        base_url: str,
        token: str = "",
        *,
        timeout: float = 10.0,
        max_attempts: int = 3,
        backoff: float = 0.5,
    ) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self.session.headers["Accept"] = "application/json"

    def request(self, method: str, path: str, **kwargs: Any) -> dict:
        url = f"{self.base_url}/{path.lstrip('/')}"
        kwargs.setdefault("timeout", self.timeout)
        last_error: str = ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self.session.request(method, url, **kwargs)
            except requests.RequestException as exc:
                last_error = str(exc)
                logger.warning("%s %s %s failed (attempt %d): %s", self.service, method, url, attempt, exc)
            else:
                if response.status_code < 400:
                    return response.json() if response.content else {}
                last_error = f"HTTP {response.status_code}"
                if response.status_code not in RETRYABLE_STATUS:
                    raise ExternalServiceError(self.service, last_error, retryable=False)
                logger.warning("%s returned %s for %s (attempt %d)", self.service, response.status_code, url, attempt)
            if attempt < self.max_attempts:
                time.sleep(self.backoff * (2 ** (attempt - 1)))
        raise ExternalServiceError(self.service, last_error or "unknown error")

    def get(self, path: str, **kwargs: Any) -> dict:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, payload: dict, **kwargs: Any) -> dict:
        return self.request("POST", path, json=payload, **kwargs)
