"""Beyond words: movie recommendations, Word2Vec and Product2Vec."""
