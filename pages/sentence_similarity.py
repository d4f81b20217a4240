"""Sentence similarity: SBERT and the averaged-GloVe baseline, side by side."""

import streamlit as st

from embedding.models.glove import ModelLoadError
from embedding.models.providers import SBERT_KEY, ProviderError
from embedding.models.sbert import describe_sbert
from embedding.sentences.compare import compare_pairs, pair_cosines
from embedding.text import escape_markdown
from ui.providers import live_part, show_failure, submit_rows, waiting_captions
from ui.widgets import (
    clean_text,
    explain,
    glove_or_stop,
    model_label,
    provider_name,
    provider_picker,
    rows_or_stop,
    sbert_or_stop,
    to_url,
    unreadable_note,
    url_key,
)

st.title("Sentence similarity")
st.caption(f"Two ways to turn a sentence into one vector: average its GloVe word vectors, or ask "
           f"a sentence transformer ({describe_sbert()}).")

left, right = st.columns(2)
a = left.text_area("Sentence A", key=url_key("sent_a", "A man is playing a guitar."), height=100)
b = right.text_area("Sentence B", key=url_key("sent_b", "Someone is performing music."), height=100)
to_url("sent_a", "sent_b")
chosen = provider_picker("sent_provider", "Compare with")
a, b = clean_text(a, "sentence"), clean_text(b, "sentence")
if a is None or b is None:
    st.stop()

kv, model = glove_or_stop(), sbert_or_stop()
r = compare_pairs(kv, model, [(a, b)], embeddings=rows_or_stop((a, b)), missing_ok=True)[0]
other = submit_rows((a, b), chosen) if chosen != SBERT_KEY else None


def scores() -> None:
    """SBERT and GloVe at once; the chosen provider's score beside them when it has answered
    (a fragment that looks again while it is on its way), or why it has not."""
    cols = st.columns(3 if other is not None else 2)
    cols[0].metric("SBERT cosine", f"{r.sbert_cosine:.3f}")
    cols[0].caption(f"Reads the whole sentence: word order, context, paraphrases. "
                    f"{describe_sbert()} ({model.get_embedding_dimension()} numbers) was trained "
                    "on English sentences.")
    cols[1].metric("GloVe-average cosine", "—" if r.glove_cosine is None
                   else f"{r.glove_cosine:.3f}")
    cols[1].caption("Averages the word vectors: a bag of words, order is lost.")
    if other is None:
        return
    name = provider_name(chosen)
    if not other.done():
        cols[2].metric(f"{name} cosine", "…")
        waiting_captions({name: other}, where=cols[2])
        return
    try:
        cols[2].metric(f"{name} cosine", f"{pair_cosines(other.result())[0]:.3f}")
        cols[2].caption(f"{escape_markdown(model_label(chosen))}.")
    except (ProviderError, ModelLoadError) as exc:
        cols[2].metric(f"{name} cosine", "—")
        show_failure(exc, chosen)


live_part(scores, lambda: [] if other is None else [other])
unreadable_note([a, b])  # SBERT's score is always shown
if r.no_glove:
    which = " and ".join(f"“{escape_markdown(t[:40])}”" for t in r.no_glove)
    st.warning(
        f"**Nothing for GloVe to average** in {which}: none of its words is in GloVe's "
        "vocabulary (emoji, symbols and most non-Latin scripts are not), so there is no GloVe "
        f"score. SBERT still embeds any text, but {describe_sbert()} was trained on English: "
        "for emoji or other languages its score says little (*Der Hund schläft auf dem Sofa.* and "
        "its translation *The dog is sleeping on the sofa.* score only 0.18).",
        icon=":material/translate:")
unknown = sorted(set(r.glove_a.unknown) | set(r.glove_b.unknown))
if unknown:
    st.info("GloVe skipped words it does not know: " + ", ".join(f"`{w}`" for w in unknown[:20]),
            icon=":material/info:")
explain(
    "**SBERT** (Sentence-BERT) is a transformer trained so that sentences with the same meaning "
    "get nearby vectors, even when they share no words (*a man is playing a guitar* / *someone "
    "is performing music*). **Averaging GloVe** vectors is a cheap baseline: it mostly measures "
    "how many related words two sentences share, and it cannot see word order or negation.\n\n"
    "Try a paraphrase with no shared words, then a negation (*the food was good* / *the food "
    "was not good*), and compare the two scores."
)
