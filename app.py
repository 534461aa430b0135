"""Partnership Calculator: the workshop app. Start it with `streamlit run app.py`.

Streamlit serves the page, ``workshop.py``, once for each visitor, through this app: as the server starts,
``ui.serving.lifespan`` makes it send without delay and works out the first screen, so the first visitor after a
start waits no longer than the next.
"""

import os

# One BLAS thread (read when numpy first loads, which is below): the model's sums over 40,000 points are over before
# a second thread has started, and on a small server every thread waiting for the others takes processor time from
# the sessions. Measured with 20 sessions behind nginx (benchmarks/bench_load.py): 115-128 ms of processor time a
# redraw against 167-181 ms with BLAS's own threads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import streamlit as st  # noqa: E402

from ui.serving import lifespan  # noqa: E402

app = st.App("workshop.py", lifespan=lifespan)
