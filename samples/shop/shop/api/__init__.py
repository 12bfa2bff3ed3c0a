"""HTTP layer: one Flask blueprint per resource family."""
