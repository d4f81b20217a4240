"""BERT tokens: how the sentence model cuts text into WordPieces, ids, segments and positions."""

import streamlit as st

from embedding.models.sbert import describe_sbert
from embedding.sentences.presets import LECTURE_A, LECTURE_B, LECTURE_FIGURE, SPLIT_EXAMPLES
from embedding.sentences.wordpiece import MASK_RATE
from ui import cached
from ui.phone import on_phone
from ui.widgets import (
    clean_text,
    downloads,
    explain,
    first_screen,
    sbert_or_stop,
    to_url,
    url_int,
    url_key,
)

LONG_TEXT = " ".join([
    "Before a transformer reads a single word, a tokenizer chops the text into pieces it knows.",
    "Common words stay whole, rare ones are built from smaller parts, and nothing is ever out of",
    "vocabulary, because in the worst case a word is spelled out piece by piece.",
    "Each piece becomes a row number in a table of thirty thousand vectors, and the model adds",
    "a vector for the sentence the piece belongs to and one for its position.",
] * 4)
A_MAX_CHARS = 20_000  # the whole text is tokenized and counted; the model reads max_len tokens
TRY = {
    "Lecture example": (LECTURE_A, LECTURE_B),
    "Words that split": ("Embeddings need tokenization.", "Snowboarding is unbelievably fun!"),
    "Long text (gets cut)": (LONG_TEXT, ""),
    "Capitals, accents, emoji": ("Café in TOKYO 東京 😀", "naïve façade"),
}


def use_example(name: str) -> None:
    st.session_state["tok_a"], st.session_state["tok_b"] = TRY[name]


st.title("BERT tokens")
st.caption(f"How {describe_sbert()}, a small BERT, reads text: WordPiece tokens, token ids, "
           "segment ids and position ids.")
phone = on_phone()
if not phone:
    st.caption("Try:")
# one block for the four buttons, not four columns; a phone folds them (two rows of buttons)
try_row = (st.expander("Try an example", icon=":material/lightbulb:") if phone
           else st).container(horizontal=True)
for name in TRY:
    try_row.button(name, key=f"tok_try_{name}", on_click=use_example, args=(name,),
                   width="stretch")
a_raw = st.text_area("Sentence A", key=url_key("tok_a", LECTURE_A), height=80,
                     max_chars=A_MAX_CHARS)
b_raw = st.text_input("Sentence B (optional)", key=url_key("tok_b", LECTURE_B), max_chars=2_000)
to_url("tok_a", "tok_b")  # a very long text stays out of the link, with a note saying so

a = clean_text(a_raw, "sentence A", max_chars=A_MAX_CHARS)
if a is None:
    st.stop()
b = (b_raw or "").strip() or None

model = sbert_or_stop()
max_len = int(model.max_seq_length)
view = cached.wordpiece_view(a, b)  # tokens and tables, once per input for every session
table, splits = view.table, view.splits
facts, examples, examples_table = cached.wordpiece_examples(SPLIT_EXAMPLES, ("playing",))

receives = first_screen()  # a phone or a projector: the table first, then the counts
counts = st.container(horizontal=True)  # one block for the four numbers, not four columns
counts.metric("Tokens", f"{len(table.pieces):,}", help="[CLS] and [SEP] included")
counts.metric("Words cut into pieces", len(splits))
counts.metric("Vocabulary (pieces)", f"{facts.size:,}")
counts.metric("Longest input (tokens)", max_len,
              help="The model's max_seq_length: longer text is cut.")
if table.truncated:
    st.warning(
        f"This text makes {table.full_length:,} tokens ({table.full_words:,} words), but the "
        f"model reads at most {max_len}. It sees the first {len(table.pieces)} pieces, "
        f"{table.words_seen:,} words up to “{table.last_word_seen}”; the last "
        f"{table.full_length - len(table.pieces):,} tokens were **cut off**: they play no part "
        "in the sentence's embedding. For long documents, split them into passages first.",
        icon=":material/content_cut:")

receives = receives or st.container()
receives.subheader("What the model receives")
receives.dataframe(view.lecture, key="tok_table")
downloads("bert_tokens", df=view.long, key="tok_dl")
explain(
    "Read the table column by column: one column per token.\n\n"
    "- **Token**: the WordPiece. `[CLS]` starts every input (its output vector is used for "
    "classification), `[SEP]` ends each sentence. A piece starting with `##` continues the "
    "word before it.\n"
    "- **Token id**: the piece's row number in the vocabulary; the model looks up a learned "
    "vector there (the *token embedding*).\n"
    "- **Segment**: A (0) or B (1), which sentence the token belongs to (*segment embedding*).\n"
    "- **Position**: 0, 1, 2, … counted across both sentences (*position embedding*); without "
    "it the model could not tell word order.\n\n"
    "BERT's input vector for each column is **token embedding + segment embedding + position "
    "embedding**. A sentence model like this one embeds one sentence at a time (everything in "
    "segment A); the A/B pair is how BERT was pre-trained and how cross-encoders compare pairs."
    f"\n\n**At most {max_len} tokens.** This sentence model is set to read {max_len} tokens "
    "(its `max_seq_length`; BERT itself has positions for 512), so anything longer is cut off "
    "at the end before the model sees it (try *Long text* above)."
)

st.subheader("Words cut into pieces")
if splits:
    st.dataframe(view.splits_table, hide_index=True, key="tok_splits")
else:
    st.info("No word was cut: every word here is a whole piece of the vocabulary. Try *Words "
            "that split* above.", icon=":material/info:")

playing = examples["playing"]
lecture = " ".join(table.tokens) if (a, b) == (LECTURE_A, LECTURE_B) else None
st.markdown(
    f"**Compare with the lecture's figure:** `{LECTURE_FIGURE}`. "
    + ("This model keeps *playing* whole: " if playing == ("playing",) else
       f"This model cuts *playing* into `{' '.join(playing)}`: ")
    + "its vocabulary is **uncased** (everything lower-cased, accents removed) and holds "
    "*playing* as one piece. The figure shows what happens to a word a vocabulary lacks; "
    "the words below really are cut by this one."
    + (f" Here: `{lecture}`." if lecture else "")
)
st.dataframe(examples_table, hide_index=True, key="tok_examples")
explain(
    "**Why words split.** The vocabulary has a fixed size, "
    f"{facts.size:,} pieces: whole common words, {facts.continuations:,} word endings and "
    f"middles (the `##` pieces), single characters, {len(facts.special)} special tokens "
    f"({', '.join(f'`{t}`' for t in facts.special)}) and {facts.unused:,} unused slots. "
    "The tokenizer takes the **longest piece from the start of the word** that is in the "
    "vocabulary, then the longest `##` piece for the rest, and so on (WordPiece). Frequent "
    "words stay whole; rare words, names and new terms are spelled from parts, so no word is "
    "ever unknown. A character the vocabulary lacks entirely (most emoji) becomes `[UNK]`.",
    title="Why?",
)

st.subheader("Masked-word pre-training, shown with the tokenizer")


@st.fragment
def masking(a: str, b: str | None) -> None:
    """The draw box and its masked example: changing the draw reruns only this part."""
    seed = st.number_input("Draw", 0, 999, key=url_int("tok_seed", 0, 0, 999),
                           help="Another draw picks other tokens.")
    to_url("tok_seed")
    ex, picked = cached.masked_example(a, b, int(seed))
    if ex.chosen:
        st.code(" ".join(ex.shown), language=None, wrap_lines=True)
        st.dataframe(picked, hide_index=True, key="tok_mask_table")


masking(a, b)
st.info(
    "**No predictions here, on purpose.** Guessing the hidden words needs a masked-LM "
    "prediction head, and none is available offline on this server: the sentence model ships "
    "only its encoder. So this shows the *task* BERT was pre-trained on, built with the real "
    "tokenizer.", icon=":material/info:")
explain(
    f"BERT learned its vectors by filling in blanks. In each training sentence it picks "
    f"{MASK_RATE:.0%} of the tokens; 80% of those become `[MASK]`, 10% a random token and 10% "
    "stay unchanged (so the model cannot rely on seeing `[MASK]`), and the model must predict "
    "the original token at each picked position from the words on **both** sides. Doing that "
    "billions of times forces it to learn what words mean in context, which is what the "
    "sentence model then builds on.",
    title="How BERT learned",
)
