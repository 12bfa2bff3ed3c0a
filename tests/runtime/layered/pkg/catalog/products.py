from pkg.catalog import prices, search


def product(sku):
    return {"sku": sku, "price": prices.base_price(sku)}


def products(skus):
    return [product(sku) for sku in skus]


def related(sku):
    return search.similar(sku)
