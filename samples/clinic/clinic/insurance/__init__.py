"""Insurance: payers, patient policies, eligibility checks and claims."""
