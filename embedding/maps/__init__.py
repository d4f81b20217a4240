"""Maps: UMAP, t-SNE and PCA projections and how well they keep neighbours."""
