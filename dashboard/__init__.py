"""The marketers' Streamlit app: reports from ``marts``, edits to ``marketing``."""
