"""Where the vectors come from: GloVe, SBERT and word-vector files you bring."""
