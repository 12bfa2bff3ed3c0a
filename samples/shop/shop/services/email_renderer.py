"""Renders transactional e-mails from Jinja templates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from jinja2 import DictLoader, Environment, StrictUndefined, select_autoescape

from shop.utils.money import format_money

if TYPE_CHECKING:
    from shop.services.order_service import OrderSummary

_TEMPLATES = {
    "base.html": (
        "<html><body style='font-family:sans-serif'>{% block body %}{% endblock %}"
        "<p style='color:#888'>You are receiving this because you shop with us.</p></body></html>"
    ),
    "welcome.html": (
        "{% extends 'base.html' %}{% block body %}<h1>Welcome, {{ name }}!</h1>"
        "<p>Your account is ready.</p>{% endblock %}"
    ),
    "order_confirmation.html": (
        "{% extends 'base.html' %}{% block body %}<h1>Thanks for your order, {{ name }}</h1>"
        "<p>Order <b>{{ number }}</b></p><table>{% for line in lines %}<tr><td>{{ line.quantity }} x</td>"
        "<td>{{ line.title }}</td><td>{{ line.price }}</td></tr>{% endfor %}</table>"
        "<p>Total: <b>{{ total }}</b></p>{% endblock %}"
    ),
    "order_cancelled.html": (
        "{% extends 'base.html' %}{% block body %}<h1>Order {{ number }} cancelled</h1>"
        "<p>{{ reason }}</p>{% endblock %}"
    ),
    "refund.html": (
        "{% extends 'base.html' %}{% block body %}<p>We have refunded <b>{{ amount }}</b> for order "
        "{{ number }}. It can take up to 10 days to reach your account.</p>{% endblock %}"
    ),
    "payment_receipt.html": (
        "{% extends 'base.html' %}{% block body %}<p>We received your payment of <b>{{ amount }}</b> "
        "for order {{ number }}.</p>{% endblock %}"
    ),
    "shipping_update.html": (
        "{% extends 'base.html' %}{% block body %}<p>Order {{ number }} is {{ status }}."
        "{% if tracking %} Track it with reference <b>{{ tracking }}</b>.{% endif %}</p>{% endblock %}"
    ),
    "low_stock.html": (
        "<html><body><h2>Low stock</h2><ul>{% for item in items %}<li>{{ item.sku }}: "
        "{{ item.available }} left (threshold {{ item.threshold }})</li>{% endfor %}</ul></body></html>"
    ),
}

_env = Environment(
    loader=DictLoader(_TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
)

STATUS_WORDING = {
    "dispatched": "on its way",
    "in_transit": "in transit",
    "out_for_delivery": "out for delivery",
    "delivered": "delivered",
}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str

    @property
    def text(self) -> str:
        import re

        return re.sub(r"<[^>]+>", " ", self.html).strip()


def _render(template: str, subject: str, **context: object) -> RenderedEmail:
    return RenderedEmail(subject=subject, html=_env.get_template(template).render(**context))


def render_welcome(first_name: str) -> RenderedEmail:
    return _render("welcome.html", "Welcome to the shop", name=first_name)


def render_order_confirmation(first_name: str, summary: OrderSummary) -> RenderedEmail:
    lines = [
        {
            "quantity": line["quantity"],
            "title": line["title"],
            "price": format_money(line["unit_price_cents"] * line["quantity"], summary.currency),
        }
        for line in summary.lines
    ]
    return _render(
        "order_confirmation.html",
        f"Order {summary.number} confirmed",
        name=first_name,
        number=summary.number,
        lines=lines,
        total=summary.total_display,
    )


def render_cancellation(number: str, reason: str) -> RenderedEmail:
    return _render("order_cancelled.html", f"Order {number} cancelled", number=number, reason=reason)


def render_refund(number: str, amount_cents: int, currency: str) -> RenderedEmail:
    amount = format_money(amount_cents, currency)
    return _render("refund.html", f"Refund for order {number}", number=number, amount=amount)


def render_payment_receipt(number: str, amount_cents: int, currency: str) -> RenderedEmail:
    amount = format_money(amount_cents, currency)
    return _render("payment_receipt.html", f"Payment received for {number}", number=number, amount=amount)


def render_shipping_update(number: str, status: str, tracking: str | None) -> RenderedEmail:
    wording = STATUS_WORDING.get(status, status.replace("_", " "))
    return _render(
        "shipping_update.html", f"Order {number} is {wording}", number=number, status=wording, tracking=tracking
    )


def render_low_stock(items: list[dict[str, object]]) -> RenderedEmail:
    return _render("low_stock.html", f"[ops] {len(items)} SKUs are low on stock", items=items)
