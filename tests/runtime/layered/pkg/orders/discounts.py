from pkg.catalog import prices
from pkg.orders import cart


def discounted(sku, quantity):
    return price_for(sku, quantity) * 0.9


def price_for(sku, quantity):
    total = 0
    for _ in range(quantity):
        total += prices.base_price(sku)
    return total


def coupon(invoice):
    return invoice


def rebate(lines):
    return cart.cart_total(lines)
