"""The Streamlit front end: state and URL, the sidebar inputs, cached results, the views."""
