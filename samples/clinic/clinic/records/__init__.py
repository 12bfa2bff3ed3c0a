"""Medical records: the chart, visit notes, documents and the access audit log."""
