"""Laboratory: test orders, reference-lab interface, analyzer files and results."""
