"""rcmwatch dashboard entry point (``streamlit run app.py``); this script is the Overview page.

Pages live in ``pages/`` (Streamlit's native multipage layout, which keeps ``AppTest`` working);
each calls :func:`rcmwatch.ui.page.page_setup` for the identity gate, navigation and filters.
"""

from rcmwatch.ui.overview import render
from rcmwatch.ui.page import page_setup

render(page_setup("overview"))
