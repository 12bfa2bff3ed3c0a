"""In-house pharmacy: formulary, prescriptions, dispensing and stock."""
