from pkg.orders import discounts


def cart_total(lines):
    return sum(discounts.discounted(sku, quantity) for sku, quantity in lines)


def add_line(lines, sku, quantity):
    lines.append((sku, quantity))
    return cart_total(lines)
