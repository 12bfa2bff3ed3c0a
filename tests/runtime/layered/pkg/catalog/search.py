from pkg.catalog import prices, products


def similar(sku):
    return [other for other in index(sku) if prices.base_price(other) > 0]


def index(sku):
    return [sku + "-a", sku + "-b"]


def lookup(sku):
    return products.product(sku)
