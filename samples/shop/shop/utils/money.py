"""Money helpers.  Amounts are stored as integer cents everywhere."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

SUPPORTED_CURRENCIES = {"EUR", "GBP", "USD"}
_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}
_CENT = Decimal("0.01")


class MoneyError(ValueError):
    """Raised for malformed amounts or unsupported currencies."""


def to_decimal(value: object) -> Decimal:
    """Coerce ``value`` into a two-decimal :class:`Decimal`."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError) as exc:
        raise MoneyError(f"not a monetary amount: {value!r}") from exc
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


def to_cents(value: object) -> int:
    """Convert a decimal amount (``"12.30"``) into integer cents (``1230``)."""
    return int(to_decimal(value) * 100)


def from_cents(cents: int) -> Decimal:
    """Convert integer cents back into a :class:`Decimal` amount."""
    if not isinstance(cents, int):
        raise MoneyError(f"cents must be an int, got {type(cents).__name__}")
    return (Decimal(cents) / 100).quantize(_CENT)


def check_currency(currency: str) -> str:
    code = currency.upper()
    if code not in SUPPORTED_CURRENCIES:
        raise MoneyError(f"unsupported currency {currency}")
    return code


def format_money(cents: int, currency: str = "EUR") -> str:
    """Human-readable amount, e.g. ``format_money(1999, "GBP") == "£19.99"``."""
    code = check_currency(currency)
    amount = from_cents(cents)
    sign = "-" if amount < 0 else ""
    return f"{sign}{_SYMBOLS[code]}{abs(amount):,.2f}"


def percent_of(cents: int, percent: Decimal | int) -> int:
    """Return ``percent`` % of ``cents``, rounded half-up to a whole cent."""
    share = (Decimal(cents) * Decimal(percent) / Decimal(100)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(share)


def allocate(cents: int, weights: list[int]) -> list[int]:
    """Split ``cents`` proportionally to ``weights`` without losing a cent."""
    if not weights:
        raise MoneyError("cannot allocate over zero weights")
    total_weight = sum(weights)
    if total_weight <= 0:
        raise MoneyError("weights must sum to a positive number")
    shares = [cents * w // total_weight for w in weights]
    remainder = cents - sum(shares)
    index = 0
    while remainder > 0:
        shares[index % len(shares)] += 1
        remainder -= 1
        index += 1
    return shares
