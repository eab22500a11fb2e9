"""The staff dashboard (Streamlit): ``streamlit run dashboard/app.py``."""
