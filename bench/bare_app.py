"""The baseline for the load test's burst: a page with only a title, served by its own server."""

import streamlit as st

st.title("Bare page")
