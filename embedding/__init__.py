"""Embedding Explorer's core: pure functions over numpy, gensim and sentence-transformers.

Nothing here imports streamlit except :mod:`embedding.resources`, the one module of
``st.cache_resource`` loaders shared by every session.

    >>> from embedding.similarity import cosine
    >>> round(cosine([1, 2, 2], [3, 7, 8]), 5)
    0.99589
"""
