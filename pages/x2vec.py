"""Word2Vec & Product2Vec: train word vectors live, then the same algorithm on shopping baskets."""

import pandas as pd
import streamlit as st

from embedding.charts import beyond as bf
from embedding.recsys import baskets as bk
from embedding.recsys import corpus as corpora
from embedding.recsys import word2vec as w2v
from embedding.text import escape_markdown, tokenize
from ui import cached, resources
from ui.phone import on_phone
from ui.widgets import (
    downloads,
    explain,
    first_screen,
    show_chart,
    to_url,
    url_choice,
    url_int,
    url_key,
    url_tabs,
    warn_unknown,
)

METHODS = ("skip-gram", "CBOW")
SOURCES = ("Built-in: 300 news stories (gensim's Lee corpus)", "Upload a text file (.txt)",
           "Upload sequences: one per line (your X2Vec)")
DEFAULTS = w2v.Word2VecParams()
#: Plain-text file names the trainer accepts (the browser refuses others with only an icon).
TEXT_EXTENSIONS = ("txt", "text", "cor", "csv", "tsv", "md")


def train_with_progress(corpus: corpora.Corpus, params: w2v.Word2VecParams,
                        live_chart: bool = False) -> w2v.TrainedVectors:
    """The cached model, or train it now with a progress bar that moves every epoch (and, with
    ``live_chart``, the loss bars growing epoch by epoch)."""
    cache = resources.trained_word2vec()
    hit = cache.get(corpus.key, params)
    if hit is not None:
        return hit
    w2v.validate_training(corpus, params)  # refuse before drawing a progress bar
    bar = st.progress(0.0, text=f"Training {params.method} on {corpus.n_tokens:,} words…")
    chart = st.empty() if live_chart else None
    so_far: list[float] = []

    def on_epoch(report: w2v.EpochReport) -> None:
        bar.progress(report.fraction, text=f"Epoch {report.epoch} of {report.epochs} · "
                                           f"loss of this epoch {report.loss:,.0f}")
        if chart is not None:
            so_far.append(report.loss)
            show_chart(bf.loss_curve(so_far, title=f"Training… epoch {report.epoch} "
                                                   f"of {report.epochs}"), chart)

    def on_queue() -> None:
        bar.progress(0.0, text="Another training is running on this server; yours starts as "
                               "soon as it finishes…")

    try:
        result, _ = cache.get_or_train(corpus, params, on_epoch, on_queue)
    finally:
        bar.empty()
        if chart is not None:
            chart.empty()
    return result


@st.fragment  # the sentence, method, window and centre word rerun only this tab
def lesson_tab() -> None:
    st.markdown(
        "Word2Vec never reads a definition. It slides a **window** over the text and plays a "
        "guessing game: **skip-gram** sees the *centre* word and must predict each word around "
        "it; **CBOW** sees the words around and must predict the centre. Every wrong guess "
        "nudges the vectors a little, so words that keep the same company end up pointing the "
        "same way."
    )
    phone = on_phone()  # a phone: the diagram first, then the sentence, method and window folded
    top = first_screen()  # (a projector too)
    if phone:
        left, right = st.container(), st.expander("Method and window", icon=":material/tune:")
    else:
        left, right = st.columns([3, 2])
    sentence = left.text_input("A sentence", key=url_key("x2v_sentence",
                                                          "the quick brown fox jumps over the "
                                                          "lazy dog"), max_chars=300)
    tokens = tokenize(sentence, style="words")[:12]
    if len(tokens) < 2:
        st.info("Type a sentence of at least two words (letters, not just numbers or emoji).")
        return
    method = right.radio("Method", METHODS, horizontal=True,
                         key=url_choice("x2v_demo_method", "skip-gram", METHODS))
    window = right.slider("Window (words each side)", 1, 4, key=url_int("x2v_demo_window", 2, 1, 4))
    positions = [f"{i + 1}. {t}" for i, t in enumerate(tokens)]
    if st.session_state.get("x2v_demo_centre") not in positions:
        st.session_state["x2v_demo_centre"] = positions[min(3, len(positions) - 1)]
    picked = st.select_slider("Centre word (slide it along the sentence)", options=positions,
                              key="x2v_demo_centre", persist_state="page")
    centre = positions.index(picked)
    sg = method == "skip-gram"
    # a phone: the sentence down a column (twelve boxes in a row of 330 px overlapped)
    show_chart(cached.figure("beyond.skipgram_diagram", tokens, centre, window, sg,
                             narrow=phone), top, key="x2v_diagram")
    pairs = w2v.training_pairs(tokens, window, sg)
    here = w2v.training_pairs(tokens, window, sg, centre=centre)
    st.markdown(f"**At this position** the model learns {len(here)} example"
                f"{'s' if len(here) != 1 else ''}: "
                + ", ".join(f"`{a}` → `{b}`" for a, b in here))
    df = pd.DataFrame(pairs, columns=["input (what the model sees)", "target (what it predicts)"])
    with st.expander(f"All {len(pairs)} training examples of this sentence", icon=":material/list:"):
        st.dataframe(df, hide_index=True)
        downloads("word2vec_training_pairs", df=df, key="x2v_pairs")
    to_url("x2v_sentence", "x2v_demo_method", "x2v_demo_window")
    explain(
        "Each example is a tiny classification task. The input word's vector is compared "
        "(dot product) with the target word's *output* vector, and with a few random "
        "**negative samples** (words that were *not* there). Training pushes the score of the "
        "real pair up and of the random pairs down. After millions of such nudges, two words "
        "that predict the same neighbours (*coffee* and *tea* both sit next to *cup*, *hot*, "
        "*drink*) end up with similar vectors: the *distributional hypothesis*, \"a word is "
        "known by the company it keeps\".\n\n"
        "Skip-gram makes one example per (centre, context) pair, so it is slower but better "
        "for rare words; CBOW averages the context into one example, several times faster."
    )


def settings_form(sequences: bool) -> w2v.Word2VecParams:
    lim = w2v.LIMITS
    # a phone folds the six settings (a screen of sliders), so the loss curve is near the top
    box = (st.expander("Training settings", icon=":material/tune:") if on_phone()
           else st.container())
    with box, st.form("x2v_settings", border=not on_phone()):
        st.markdown("**Settings**")
        c1, c2, c3 = st.columns(3)
        method = c1.radio("Method", METHODS, horizontal=True,
                          key=url_choice("x2v_method", "skip-gram", METHODS))
        size = c1.slider("Vector size (dimensions)", *lim["vector_size"],
                         key=url_int("x2v_size", DEFAULTS.vector_size, *lim["vector_size"]))
        window = c2.slider("Window (words each side)", *lim["window"],
                           key=url_int("x2v_window", DEFAULTS.window, *lim["window"]))
        negative = c2.slider("Negative samples", *lim["negative"],
                             key=url_int("x2v_negative", DEFAULTS.negative, *lim["negative"]))
        epochs = c3.slider("Epochs (passes over the text)", *lim["epochs"],
                           key=url_int("x2v_epochs", DEFAULTS.epochs, *lim["epochs"]))
        min_count = c3.slider("Minimum count (rarer words are dropped)", *lim["min_count"],
                              key=url_int("x2v_min_count", DEFAULTS.min_count, *lim["min_count"]))
        st.form_submit_button("Train", icon=":material/model_training:", type="primary")
    to_url("x2v_method", "x2v_size", "x2v_window", "x2v_negative", "x2v_epochs", "x2v_min_count")
    return w2v.Word2VecParams(sg=method == "skip-gram", vector_size=size, window=window,
                              negative=negative, epochs=epochs, min_count=min_count,
                              sample=0.0 if sequences else DEFAULTS.sample)


#: Session key of the last uploaded file ``(name, bytes)``: a file uploader forgets its file
#: when its tab is hidden (only the open tab is drawn), so the page keeps it here.
KEPT_UPLOAD = "x2v_upload_kept"


def forget_removed_upload() -> None:
    """The student removed the file from the uploader (not just hid the tab): forget it."""
    if st.session_state.get("x2v_upload") is None:
        st.session_state.pop(KEPT_UPLOAD, None)


def choose_corpus() -> corpora.Corpus | None:
    source = st.radio("Train on", SOURCES, key=url_choice("x2v_source", SOURCES[0], SOURCES))
    to_url("x2v_source")
    if source == SOURCES[0]:
        return resources.word2vec_builtin_corpus()
    sequences = source == SOURCES[2]
    help_text = ("One sequence per line, items separated by spaces or commas, e.g. a playlist "
                 "per line: `song_a song_b song_c`." if sequences else
                 "Plain text saved as UTF-8, up to 2 MB; the first "
                 f"{corpora.MAX_TOKENS:,} words are used.")
    upload = st.file_uploader("Your file", type=list(TEXT_EXTENSIONS), key="x2v_upload",
                              help=help_text, on_change=forget_removed_upload)
    st.caption(help_text + " Accepted: " + ", ".join(f"**.{e}**" for e in TEXT_EXTENSIONS)
               + " (plain text under any of these names, e.g. gensim's `.cor` corpora). A PDF "
               "or Word file is not plain text: save it as .txt first.")
    if upload is not None:
        st.session_state[KEPT_UPLOAD] = (upload.name[:60], upload.getvalue())
    kept = st.session_state.get(KEPT_UPLOAD)
    if kept is None:
        st.info("Upload a file to train on it, or pick the built-in corpus.",
                icon=":material/upload_file:")
        return None
    name, data = kept
    if upload is None:  # the tab was hidden since: the uploader forgot it, the session did not
        st.caption(f"Using **{escape_markdown(name)}**, uploaded earlier in this session "
                   "(upload another file to replace it, or pick the built-in corpus).")
    try:
        corpus = resources.word2vec_upload(data, name, sequences)
    except corpora.CorpusError as exc:
        st.warning(str(exc), icon=":material/description:")
        return None
    if corpus.truncated:
        st.info(f"Only the first {corpora.MAX_TOKENS:,} words are used, to keep training quick.")
    return corpus


def train_tab() -> None:
    corpus = choose_corpus()
    sequences = st.session_state.get("x2v_source") == SOURCES[2]
    params = settings_form(sequences)
    if sequences:
        st.caption("Sequences are trained without down-sampling of frequent items: with a "
                   "small vocabulary every item is frequent, and down-sampling would drop most "
                   "of them.")
    if corpus is None:
        return
    fitted = w2v.fit_budget(corpus.n_tokens, params)
    if fitted != params:
        st.info(f"Epochs lowered from {params.epochs} to {fitted.epochs}: with these other "
                f"settings, {params.epochs} epochs on {corpus.n_tokens:,} words would cost "
                f"{w2v.budget_share(corpus.n_tokens, params):.1f}× what this shared server "
                "allows for one training.", icon=":material/speed:")
        params = fitted
    curve = first_screen()  # a phone or a projector: the loss curve, then the rest
    st.caption(f"Estimated cost of this training: {w2v.budget_share(corpus.n_tokens, params):.0%} "
               "of this server's limit (more epochs, dimensions, window or negative samples "
               "cost more; CBOW is cheaper than skip-gram).")
    try:
        result = train_with_progress(corpus, params, live_chart=True)
    except (w2v.TrainingTooLargeError, corpora.CorpusError, ValueError) as exc:
        st.warning(str(exc), icon=":material/speed:")
        return
    losses = result.losses
    row = st.container(horizontal=True)  # one block for the five numbers, not five columns
    row.metric("Sentences", f"{result.n_sentences:,}")
    row.metric("Words read", f"{result.n_tokens:,}")
    row.metric("Vocabulary", f"{result.vocab_size:,}")
    row.metric("Dimensions", f"{params.vector_size}")
    change = (losses[-1] - losses[0]) / losses[0] if len(losses) > 1 and losses[0] else 0.0
    row.metric("Loss, last epoch", f"{losses[-1]:,.0f}", f"{change:+.0%} vs epoch 1",
                   delta_color="inverse")

    if curve is None:  # (a phone: the chart's own title says it)
        curve = st.container()
        curve.subheader("Training loss")
    fig = cached.figure("beyond.loss_curve", losses)
    show_chart(fig, curve, key="x2v_loss")
    loss_df = pd.DataFrame({"epoch": range(1, len(losses) + 1), "loss": [round(x) for x in losses]})
    downloads("word2vec_loss", df=loss_df, fig=fig, key="x2v_loss_dl")
    explain(
        "gensim adds up the negative-sampling loss of every training example; the bars show "
        "how much each epoch added (gensim's running total, differenced). It falls fast at "
        "first, then flattens: the vectors stop changing much. The learning rate also shrinks "
        "every epoch, so a flat tail does not mean the model is perfect. Compare the trend "
        "between settings, not the raw numbers: CBOW and skip-gram count different examples.",
        title="Reading the loss",
    )

    explore(result)


@st.fragment  # typing a word or switching the map reruns only this part, not the training
def explore(result: w2v.TrainedVectors) -> None:
    """The neighbours of a word in the trained vectors, and a map of them."""
    st.subheader("Neighbours of a word")
    wv = result.wv
    word = st.text_input("A word from the corpus", key=url_key("x2v_word", "fire"),
                         max_chars=60).strip()
    to_url("x2v_word")
    near = cached.word2vec_neighbours(result, word)  # shared by every session: read only
    if not word:
        st.info("Type a word to see its nearest neighbours in the trained vectors.")
    elif near["unknown"] is not None:
        warn_unknown(near["unknown"], vocabulary=f"this model's vocabulary ({len(wv):,} words)")
    for d in near["problems"]:
        st.warning(f"**Neighbours not to be trusted: {d.problem}.** {escape_markdown(d.advice)}",
                   icon=":material/report:")
    if near["hits"]:
        left, right = st.columns([2, 3])
        left.dataframe(near["table"], hide_index=True)
        show_chart(near["figure"], right, key="x2v_neighbours")
        downloads("word2vec_neighbours", df=near["df"], fig=near["figure"], key="x2v_neigh_dl")
        explain(
            f"These words appeared in contexts like those of **{escape_markdown(word)}** in "
            "*this* corpus. "
            "With only ~60,000 words of news, neighbours mix meaning with topic (words from the "
            "same stories): GloVe learned from 6 billion words. Try more epochs, or CBOW, and "
            "see how the list changes."
        )

    st.subheader("Map of the trained vectors")
    method = st.segmented_control("Map", ["PCA", "UMAP"],
                                  key=url_choice("x2v_map", "PCA", ["PCA", "UMAP"])) or "PCA"
    to_url("x2v_map")
    try:
        with st.spinner("Drawing the map…"):
            drawn = cached.word2vec_map(result, word, method.lower())
    except ValueError as exc:
        st.info(str(exc))
        return
    wmap, mfig = drawn["map"], drawn["figure"]
    show_chart(mfig, key="x2v_map_chart")
    mdf = pd.DataFrame({"word": wmap.words, "x": wmap.xy[:, 0].round(4),
                        "y": wmap.xy[:, 1].round(4)})
    downloads("word2vec_map", df=mdf, fig=mfig, key="x2v_map_dl")
    if wmap.explained is not None:
        explain(
            f"PCA keeps the two directions along which these {len(wmap.words)} vectors spread "
            f"the most: together {sum(wmap.explained):.0%} of the spread; the rest of the "
            f"{result.params.vector_size} dimensions is flattened away. Close on the map is a "
            "hint, not proof: trust the cosine table above."
        )
    else:
        explain(
            f"UMAP places the {len(wmap.words)} words so that each keeps its nearest neighbours "
            "(by cosine) nearby; the axes have no meaning and distances between far-apart "
            "groups mean little. Same seed, same picture for the whole class."
        )


#: The breakout's examples: X, what a sentence is, what a word is, what neighbours are.
BREAKOUT = (
    ("Song2Vec", "a playlist", "a song", "songs that fit the same mood"),
    ("Listing2Vec", "a user's browsing session", "a flat or hotel", "places booked instead"),
    ("Course2Vec", "a student's timetable", "a course", "courses taken together"),
    ("Gene2Vec", "genes expressed together", "a gene", "genes with related function"),
    ("Your X", "?", "?", "?"),
)

def basket_tab() -> None:
    st.markdown(
        "Word2Vec only needs **sequences of tokens that occur together**. Here each *sentence* "
        "is a shopping basket and each *word* is a product: Product2Vec. The shop has "
        f"{len(bk.PRODUCTS)} products for {len(bk.MISSIONS)} shopping missions (Italian dinner, "
        "breakfast, barbecue, …); the baskets are synthetic, generated by a seeded script."
    )
    top = first_screen()  # a phone or a projector: the map before the data and scores
    baskets, corpus = resources.basket_corpus()
    try:
        result = train_with_progress(corpus, bk.PRODUCT2VEC_PARAMS)
    except (corpora.CorpusError, ValueError) as exc:  # pragma: no cover - shipped data
        st.error(f"The basket data could not be used: {exc}")
        return
    colour_key = url_choice("x2v_colour", "mission", ["mission", "aisle"])
    colour = st.session_state[colour_key] or "mission"  # the control's value, drawn below
    # shared by every session: read only; a phone's map names a product when it is tapped
    view = cached.product2vec_view(result, colour, labels=top is None)
    with st.expander(f"The data: {len(baskets):,} baskets, {corpus.n_tokens:,} products bought",
                     icon=":material/shopping_cart:"):
        st.dataframe(view["sample_table"], hide_index=True)
        downloads("basket_sample", df=view["sample"], key="x2v_baskets_dl")
    p = bk.PRODUCT2VEC_PARAMS
    st.caption(f"Trained: {p.method}, {p.vector_size} dimensions, window {p.window} (a whole "
               f"basket), {p.epochs} epochs, seed {p.seed}.")

    purity = view["purity"]
    row = st.container(horizontal=True)
    row.metric("Nearest product serves the same mission", f"{purity.mission:.0%}")
    row.metric("Nearest product sits in the same aisle", f"{purity.aisle:.0%}")

    if top is None:
        st.segmented_control("Colour the map by", ["mission", "aisle"], key=colour_key)
    show_chart(view["figure"], top, key="x2v_products")
    if top is not None:  # a phone: the map first, its colouring under it
        top.caption("Tap a dot to name its product.")
        top.segmented_control("Colour the map by", ["mission", "aisle"], key=colour_key)
    downloads("product2vec_map", df=view["df"], fig=view["figure"], key="x2v_products_dl")
    explain(
        "The model never saw a mission or an aisle label, only which products share a basket. "
        f"Yet for {purity.mission:.0%} of products the closest other product serves the same "
        f"mission, while only {purity.aisle:.0%} share an aisle: *parmesan* sits with *spaghetti*, "
        "not with *milk*. Switch the colours to *aisle* and the clusters fall apart. Embeddings "
        "learn what things are **used with**, not what they **are**."
    )

    st.subheader("Customers who bought these also buy …")
    options = [q.name for q in bk.PRODUCTS]
    if "x2v_basket" not in st.session_state:
        chosen = [x for x in st.query_params.get("x2v_basket", "spaghetti").split(",")
                  if x in options]
        st.session_state["x2v_basket"] = chosen or ["spaghetti"]
    basket = st.multiselect("Your basket", options, key="x2v_basket", select_all=False,
                            persist_state="page",
                            format_func=lambda n: bk.BY_NAME[n].label, max_selections=8)
    if st.query_params.get("x2v_basket") != ",".join(basket):
        st.query_params["x2v_basket"] = ",".join(basket)
    if not basket:
        st.info("Put a product or two in the basket.")
    else:
        also = cached.product2vec_suggestions(result, tuple(basket))  # shared: read only
        st.dataframe(also["table"], hide_index=True)
        downloads("customers_also_buy", df=also["df"], key="x2v_also_dl")
        explain(
            "The suggestions are the products whose vectors are closest (cosine) to the "
            "average vector of your basket, leaving out what is already in it. This is how a "
            "shop can say \"customers also buy …\" for a product nobody has described in "
            "words: its vector comes only from the baskets it appeared in."
        )

    st.subheader("Breakout: what is your X?")
    st.markdown(
        "Anything that comes in **sequences** can be embedded the same way. In groups, pick an X "
        "and answer: what is a *sentence*, what is a *word*, what would the neighbours mean?")
    if on_phone():  # four columns do not fit 360 px: one line an X, its three answers named
        st.markdown("\n".join(f"- **{x}**: a sentence is {s}, a word is {w}, neighbours are {n}"
                               for x, s, w, n in BREAKOUT))
    else:
        st.markdown("| X2Vec | a sentence is … | a word is … | neighbours are … |\n"
                    "|---|---|---|---|\n"
                    + "".join(f"| {x} | {s} | {w} | {n} |\n" for x, s, w, n in BREAKOUT))
    st.markdown("Try it: write one sequence per line in a text file and train on it in tab 2 "
                "with *Upload sequences*.")
    to_url("x2v_colour")


st.title("Word2Vec & Product2Vec")
st.caption("Train word vectors live, watch the loss fall, then embed shopping baskets with the "
           "same algorithm.")
learn, train, shop = url_tabs("x2v_tab", ["1 · What skip-gram learns", "2 · Train Word2Vec",
                              "3 · Product2Vec (X2Vec)"])
# Only the open tab is drawn (its .open; a click on another tab reruns the page): the other
# tabs' inputs come back from the link (url_key & co.) or are kept (persist_state="page").
with learn:
    if learn.open:
        lesson_tab()
with train:
    if train.open:
        train_tab()
with shop:
    if shop.open:
        basket_tab()
