"""Search: vector stores, documents, chunking and retrieval."""
