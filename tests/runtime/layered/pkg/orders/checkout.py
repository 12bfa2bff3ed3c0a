from pkg.catalog import search
from pkg.orders import cart, discounts, invoices


def place(lines):
    total = cart.cart_total(lines)
    invoice = invoices.invoice(lines, total)
    getattr(search, "look" + "up")(lines[0][0])
    return discounts.coupon(invoice)
