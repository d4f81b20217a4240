"""Words one at a time: vocabulary look-ups, neighbours, analogies, semantic axes, word sets."""
