"""Partnership Calculator: the workshop app. Start it with `streamlit run app.py`.

Streamlit serves the page, ``workshop.py``, once for each visitor, through this app: as the server starts,
``ui.serving.lifespan`` makes it send without delay and works out the first screen, so the first visitor after a
start waits no longer than the next.
"""

import streamlit as st

from ui.serving import lifespan

app = st.App("workshop.py", lifespan=lifespan)
