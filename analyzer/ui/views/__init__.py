"""One module per tab of the review page; each renders a Plan and never analyzes anything."""
