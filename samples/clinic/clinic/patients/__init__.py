"""Patient registry: demographics, contact preferences and allergies."""
