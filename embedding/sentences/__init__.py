"""Sentences: averaged GloVe vs SBERT, and how BERT cuts text into WordPiece tokens."""
