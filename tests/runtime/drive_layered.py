"""Runs the layered fixture the same way every time, so that its call counts are known exactly."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "layered"))

from pkg.catalog import export, products  # noqa: E402
from pkg.orders import checkout  # noqa: E402

QUANTITY = int(sys.argv[1]) if len(sys.argv) > 1 else 250


def main():
    for _ in range(10):
        checkout.place([("a", QUANTITY), ("b", QUANTITY)])
    for _ in range(5):
        export.export_all(["a", "b"])
    for _ in range(3):
        products.related("a")


if __name__ == "__main__":
    main()
