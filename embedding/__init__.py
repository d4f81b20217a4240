"""Embedding Explorer's core: pure functions over numpy, gensim and sentence-transformers.

One subpackage per subject (models, words, sentences, maps, search, recsys, classroom, charts);
:mod:`embedding.similarity` is the cosine everyone shares. Nothing here imports streamlit: the
Streamlit glue (cached loaders, widgets, URL state, the page catalogue) lives in ``ui/``.

    >>> from embedding.similarity import cosine
    >>> round(cosine([1, 2, 2], [3, 7, 8]), 5)
    0.99589
"""
