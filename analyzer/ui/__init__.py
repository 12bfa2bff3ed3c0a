"""The Streamlit review page (`streamlit run app.py`): pure helpers here, widgets in views/."""
