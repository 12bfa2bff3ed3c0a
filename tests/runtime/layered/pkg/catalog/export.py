from pkg.catalog import products
from pkg.orders import invoices


def export_all(skus):
    rows = invoices.invoice_lines(skus)
    if rows is None:
        return products.products(skus)
    return rows


def export_one(sku):
    if not sku:
        return products.product(sku)
    return [sku]
