"""Streamlit building blocks shared by every page: set-up (auth gate, navigation, global
filters), the error funnel and downloads. Pages in ``pages/`` compose these with ``metrics``."""
