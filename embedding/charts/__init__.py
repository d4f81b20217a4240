"""Charts: every plotly figure builder (figures in, nothing drawn)."""
