"""Streamlit review UI: `streamlit run app.py` (the page lives in analyzer/ui)."""

from analyzer.ui.app import main

main()
