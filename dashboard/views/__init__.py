"""One file per screen; each is run by st.navigation (``__name__ == "__main__"``) and is importable for tests."""
