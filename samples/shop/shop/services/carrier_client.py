"""HTTP client for the parcel carrier's REST API."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests

from shop.config import get_config

log = logging.getLogger(__name__)

RETRYABLE_STATUS = {429, 500, 502, 503, 504}


class CarrierError(Exception):
    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Label:
    tracking_number: str
    label_url: str
    carrier_ref: str


@dataclass(frozen=True)
class TrackingUpdate:
    code: str
    description: str
    location: str | None
    occurred_at: datetime

    @property
    def is_delivered(self) -> bool:
        return self.code in {"DELIVERED", "DELIVERED_NEIGHBOUR", "DELIVERED_PARCELSHOP"}


class CarrierClient:
    """Small synchronous wrapper with bounded retries."""

    def __init__(self, base_url: str | None = None, api_key: str | None = None, timeout: float = 10.0):
        cfg = get_config()
        self.base_url = (base_url or cfg.carrier_api_url).rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()
        self.http.headers.update(
            {"Authorization": f"Bearer {api_key or cfg.carrier_api_key}", "Accept": "application/json"}
        )

    def _request(self, method: str, path: str, attempts: int = 3, **kwargs: Any) -> dict[str, Any]:
        url = f"{self.base_url}/{path.lstrip('/')}"
        last_error: Exception | None = None
        for attempt in range(1, attempts + 1):
            try:
                response = self.http.request(method, url, timeout=self.timeout, **kwargs)
            except requests.RequestException as exc:
                last_error = exc
                log.warning("carrier %s %s failed (attempt %d): %s", method, path, attempt, exc)
            else:
                if response.status_code < 400:
                    return response.json() if response.content else {}
                if response.status_code not in RETRYABLE_STATUS:
                    raise CarrierError(f"{method} {path}: {response.text[:200]}", response.status_code)
                last_error = CarrierError(f"{method} {path}: HTTP {response.status_code}", response.status_code)
            time.sleep(0.5 * 2 ** (attempt - 1))
        raise CarrierError(f"carrier unavailable after {attempts} attempts: {last_error}")

    def rates(self, postcode: str, country: str, weight_grams: int) -> list[dict[str, Any]]:
        data = self._request(
            "GET", "/rates", params={"postcode": postcode, "country": country, "weight": weight_grams}
        )
        return sorted(data.get("rates", []), key=lambda rate: rate["price_cents"])

    def create_label(
        self, reference: str, ship_to: dict[str, Any], weight_grams: int, service_level: str = "standard"
    ) -> Label:
        payload = {
            "reference": reference,
            "service": service_level,
            "weight_grams": max(weight_grams, 100),
            "recipient": {
                "name": ship_to["recipient"],
                "street": ship_to["line1"],
                "street2": ship_to.get("line2"),
                "city": ship_to["city"],
                "postcode": ship_to["postcode"],
                "country": ship_to["country"],
            },
        }
        data = self._request("POST", "/shipments", json=payload)
        return Label(tracking_number=data["tracking_number"], label_url=data["label_url"], carrier_ref=data["id"])

    def tracking(self, tracking_number: str) -> list[TrackingUpdate]:
        data = self._request("GET", f"/tracking/{tracking_number}")
        updates = []
        for item in data.get("events", []):
            try:
                occurred = datetime.fromisoformat(item["timestamp"].replace("Z", "+00:00"))
            except (KeyError, ValueError):
                log.warning("skipping malformed tracking event for %s: %r", tracking_number, item)
                continue
            updates.append(
                TrackingUpdate(
                    code=item.get("code", "UNKNOWN"),
                    description=item.get("description", ""),
                    location=item.get("location"),
                    occurred_at=occurred,
                )
            )
        return sorted(updates, key=lambda update: update.occurred_at)

    def cancel_label(self, tracking_number: str) -> None:
        self._request("DELETE", f"/shipments/{tracking_number}")
