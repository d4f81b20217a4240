"""How BERT reads text: WordPiece tokens, token ids, segment ids and position ids.

BERT never sees words. Its tokenizer lower-cases the text (for an *uncased* model), splits it
into words and punctuation, then cuts each word into the longest pieces found in a fixed
vocabulary of 30,522 *WordPieces*; a piece that continues a word starts with ``##``. The model
adds ``[CLS]`` in front and ``[SEP]`` after each sentence, marks sentence A with segment id 0
and sentence B with 1, and numbers the positions 0, 1, 2, … Its input vector for each token is
token embedding + segment embedding + position embedding.

Everything here uses the model's own tokenizer (no tokenizer written by hand), and every call
holds :data:`embedding.models.sbert.MODEL_LOCK`, since one tokenizer is shared by every session.

    >>> table = tokenize_pair(model.tokenizer, "my dog is cute", "he likes playing",
    ...                       max_length=model.max_seq_length)
    >>> " ".join(table.tokens)
    '[CLS] my dog is cute [SEP] he likes playing [SEP]'
    >>> table.segment_ids
    (0, 0, 0, 0, 0, 0, 1, 1, 1, 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from embedding.cost import expensive
from embedding.models.sbert import MODEL_LOCK

#: BERT's masked-LM recipe (Devlin et al. 2019): pick 15% of the tokens; of those, 80% become
#: [MASK], 10% a random token, 10% stay as they are. The model must guess the originals.
MASK_RATE, MASK_SHARE, RANDOM_SHARE = 0.15, 0.8, 0.1


@dataclass(frozen=True)
class Piece:
    """One token as BERT receives it."""

    token: str
    token_id: int
    segment: int  # 0 = sentence A, 1 = sentence B (BERT's token_type_ids)
    position: int
    word: int | None  # index of the word it came from within its sentence; None for specials
    text: str  # the characters of the input it covers ("" for [CLS]/[SEP])


@dataclass(frozen=True)
class TokenTable:
    """The tokenizer's output for sentence A (and optionally B), after truncation."""

    pieces: tuple[Piece, ...]
    full_length: int  # tokens before truncation, specials included
    max_length: int
    full_words: int = 0  # words (as the tokenizer splits them) of the whole input, both sentences

    @property
    def tokens(self) -> tuple[str, ...]:
        """The WordPieces in order, specials included."""
        return tuple(p.token for p in self.pieces)

    @property
    def token_ids(self) -> tuple[int, ...]:
        """Row numbers in the vocabulary (``input_ids``)."""
        return tuple(p.token_id for p in self.pieces)

    @property
    def segment_ids(self) -> tuple[int, ...]:
        """0 for sentence A, 1 for sentence B (``token_type_ids``)."""
        return tuple(p.segment for p in self.pieces)

    @property
    def position_ids(self) -> tuple[int, ...]:
        """0, 1, 2, …: BERT counts positions across both sentences."""
        return tuple(p.position for p in self.pieces)

    @property
    def truncated(self) -> bool:
        """True when the text was longer than the model reads and the end was cut off."""
        return self.full_length > len(self.pieces)

    @property
    def words_seen(self) -> int:
        """How many words (or parts of one, at the cut) the model reads."""
        return len({(p.segment, p.word) for p in self.pieces if p.word is not None})

    @property
    def last_word_seen(self) -> str:
        """The characters of the last word the model reads (of sentence A when B is absent).

        Usage: ``tokenize_pair(tok, long_text).last_word_seen`` → ``"knows"``
        """
        last = next((p for p in reversed(self.pieces) if p.word is not None), None)
        if last is None:
            return ""
        return "".join(p.text for p in self.pieces
                       if p.word == last.word and p.segment == last.segment)


def _encode(tokenizer: Any, a: str, b: str | None, **kw) -> Any:
    with MODEL_LOCK:
        return tokenizer(a, b, return_offsets_mapping=True, return_token_type_ids=True, **kw)


@expensive("WordPiece tokenization")
def tokenize_pair(
    tokenizer: Any, a: str, b: str | None = None, max_length: int = 256
) -> TokenTable:
    """Tokenize sentence ``a`` (and ``b``) the way the model does, cut to ``max_length``.

    ``tokenizer`` is a fast Hugging Face tokenizer, e.g. ``model.tokenizer`` of a
    SentenceTransformer; ``max_length`` is ``model.max_seq_length``. Long pairs are cut
    "longest first", as BERT does.
    Usage: ``tokenize_pair(model.tokenizer, "my dog is cute", "he likes playing")``
    """
    b = b or None
    with MODEL_LOCK:
        whole = tokenizer(a, b, add_special_tokens=True, verbose=False)
        enc = _encode(tokenizer, a, b, truncation=True, max_length=int(max_length))
    full = len(whole["input_ids"])
    full_words = len({(s, w) for s, w in zip(whole.sequence_ids(), whole.word_ids(), strict=True)
                      if w is not None})
    ids = enc["input_ids"]
    tokens = tokenizer.convert_ids_to_tokens(ids)
    words = enc.word_ids()
    seqs = enc.sequence_ids()
    offsets = enc["offset_mapping"]
    segs = enc.get("token_type_ids") or [0] * len(ids)
    texts = (a, b or "")
    pieces = []
    for i, (tok, tid) in enumerate(zip(tokens, ids, strict=True)):
        seq, (start, end) = seqs[i], offsets[i]
        text = texts[seq][start:end] if seq is not None else ""
        pieces.append(Piece(tok, int(tid), int(segs[i]), i, words[i], text))
    return TokenTable(tuple(pieces), full, int(max_length), full_words)


def lecture_table(table: TokenTable) -> pd.DataFrame:
    """The lecture's layout: one column per token, rows for token, id, segment and position.

    Every cell is text so the table shows as typed. Usage: ``st.dataframe(lecture_table(t))``
    """
    rows = {
        "Token": list(table.tokens),
        "Token id": [str(i) for i in table.token_ids],
        "Segment": [f"{'AB'[s]} ({s})" for s in table.segment_ids],
        "Position": [str(p) for p in table.position_ids],
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=[str(p) for p in
                                                                 table.position_ids])


def long_table(table: TokenTable) -> pd.DataFrame:
    """One row per token (for download and long texts): position, token, id, segment, text.

    Usage: ``long_table(t).to_csv(index=False)``
    """
    return pd.DataFrame({
        "position": table.position_ids,
        "token": table.tokens,
        "token_id": table.token_ids,
        "segment": ["AB"[s] for s in table.segment_ids],
        "segment_id": table.segment_ids,
        "text": [p.text for p in table.pieces],
    })


@dataclass(frozen=True)
class SplitWord:
    """A word the vocabulary does not hold whole, and the pieces it was cut into."""

    word: str
    pieces: tuple[str, ...]
    segment: int


def split_words(table: TokenTable) -> list[SplitWord]:
    """Words cut into more than one WordPiece, in order (a word cut by truncation included).

    Usage: ``split_words(tokenize_pair(tok, "embeddings rock"))[0].pieces`` →
    ``("em", "##bed", "##ding", "##s")``
    """
    groups: dict[tuple[int, int], list[Piece]] = {}
    for p in table.pieces:
        if p.word is not None:
            groups.setdefault((p.segment, p.word), []).append(p)
    out = []
    for (segment, _), ps in groups.items():
        if len(ps) > 1:
            out.append(SplitWord("".join(p.text for p in ps), tuple(p.token for p in ps),
                                 segment))
    return out


def splits_table(splits: list[SplitWord]) -> pd.DataFrame:
    """One row per word cut into pieces: the word, its sentence (A/B), its pieces, how many.

    Usage: ``splits_table(split_words(t))``
    """
    return pd.DataFrame({
        "word": [s.word for s in splits],
        "sentence": ["AB"[s.segment] for s in splits],
        "pieces": [" ".join(s.pieces) for s in splits],
        "how many": [len(s.pieces) for s in splits],
    })


def pieces_table(pieces: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """One row per word: the word and its WordPieces separated by spaces.

    Usage: ``pieces_table({"tokenization": ("token", "##ization")})``
    """
    return pd.DataFrame({"word": list(pieces), "pieces": [" ".join(p) for p in pieces.values()]})


def word_pieces(tokenizer: Any, word: str) -> tuple[str, ...]:
    """The WordPieces of one word (no [CLS]/[SEP]).

    Usage: ``word_pieces(tok, "tokenization")`` → ``("token", "##ization")``
    """
    with MODEL_LOCK:
        return tuple(tokenizer.tokenize(word))


@dataclass(frozen=True)
class VocabFacts:
    """What is in the WordPiece vocabulary."""

    size: int
    continuations: int  # pieces starting with ##
    special: tuple[str, ...]
    unused: int  # [unusedN] slots left free for fine-tuning
    lower_case: bool


@expensive("a scan of the 30,522 WordPieces")
def vocab_facts(tokenizer: Any) -> VocabFacts:
    """Size and make-up of the tokenizer's vocabulary.

    Usage: ``vocab_facts(model.tokenizer).size`` → ``30522``
    """
    with MODEL_LOCK:
        vocab = tokenizer.get_vocab()
        special = tuple(tokenizer.all_special_tokens)
        lower = bool(getattr(tokenizer, "do_lower_case", False))
    return VocabFacts(
        size=len(vocab),
        continuations=sum(1 for t in vocab if t.startswith("##")),
        special=special,
        unused=sum(1 for t in vocab if t.startswith("[unused")),
        lower_case=lower,
    )


@dataclass(frozen=True)
class MaskedExample:
    """One masked-LM training example: what the model sees and what it must recover."""

    shown: tuple[str, ...]  # input with some tokens replaced
    original: tuple[str, ...]
    chosen: tuple[int, ...]  # positions picked for prediction
    action: tuple[str, ...]  # per chosen position: "mask", "random" or "keep"


def mask_for_pretraining(
    tokenizer: Any, table: TokenTable, seed: int = 0, rate: float = MASK_RATE
) -> MaskedExample:
    """Apply BERT's masked-LM recipe to a token table (specials never chosen), reproducibly.

    At least one token is chosen when there is any. This shows the *training task*; it makes no
    prediction (that needs a masked-LM head, which a sentence model does not ship).
    Usage: ``mask_for_pretraining(tok, tokenize_pair(tok, "my dog is cute"), seed=1).shown``
    """
    rng = np.random.default_rng(seed)
    candidates = [p.position for p in table.pieces if p.word is not None]
    original = table.tokens
    if not candidates:
        return MaskedExample(original, original, (), ())
    n = max(1, int(round(rate * len(candidates))))
    chosen = sorted(int(i) for i in rng.choice(candidates, size=n, replace=False))
    with MODEL_LOCK:
        mask = tokenizer.mask_token
        vocab_size = len(tokenizer)
        specials = set(tokenizer.all_special_ids)
    shown = list(original)
    actions = []
    for pos in chosen:
        r = rng.random()
        if r < MASK_SHARE:
            shown[pos], act = mask, "mask"
        elif r < MASK_SHARE + RANDOM_SHARE:
            with MODEL_LOCK:  # a real piece: no [CLS]/[PAD]/[unused17]
                piece = "["
                while piece.startswith("["):
                    tid = int(rng.integers(vocab_size))
                    piece = "[" if tid in specials else tokenizer.convert_ids_to_tokens(tid)
            shown[pos], act = piece, "random"
        else:
            act = "keep"
        actions.append(act)
    return MaskedExample(tuple(shown), original, tuple(chosen), tuple(actions))


#: What happened to a token picked for prediction, as the masking table says it.
MASK_RULES = {"mask": "replaced by [MASK] (80%)", "random": "random token (10%)",
              "keep": "left as it is (10%)"}


def masked_table(ex: MaskedExample) -> pd.DataFrame:
    """One row per position picked for prediction: the original token, what the model sees
    instead and which of the three rules did it.

    Usage: ``masked_table(mask_for_pretraining(tok, t, seed=0))``
    """
    return pd.DataFrame({
        "position": list(ex.chosen),
        "original token (to predict)": [ex.original[i] for i in ex.chosen],
        "model sees": [ex.shown[i] for i in ex.chosen],
        "rule": [MASK_RULES[act] for act in ex.action],
    })


# ---------------------------------------------------------------------------------------------
# What the model cannot read, and how long a text is for it


def count_pieces(tokenizer: Any, texts: list[str] | tuple[str, ...]) -> list[int]:
    """Word pieces of each text, without [CLS]/[SEP] (a chunker's budget counter).

    Usage: ``count_pieces(model.tokenizer, ["tokenization"])`` → ``[2]``
    """
    if not texts:
        return []
    with MODEL_LOCK:
        ids = tokenizer(list(texts), add_special_tokens=False, verbose=False)["input_ids"]
    return [len(row) for row in ids]


@dataclass(frozen=True)
class Readability:
    """How much of a text the model can read: its words (as the tokenizer splits them,
    punctuation left out) and those it cannot read (``[UNK]``, or spelled letter by letter
    in a script it was not trained on)."""

    words: int
    unknown: tuple[str, ...]

    @property
    def mostly_unknown(self) -> bool:
        """Half or more of the words are unreadable: scores say little about meaning."""
        return self.words > 0 and 2 * len(self.unknown) >= self.words


def _is_latin_or_mark(ch: str) -> bool:
    import unicodedata

    name = unicodedata.name(ch, "")
    return ch.isascii() or name.startswith(("LATIN", "COMBINING")) or not ch.isalpha()


def readability(tokenizer: Any, text: str) -> Readability:
    """Which words of ``text`` the model cannot read.

    A word is unreadable when the tokenizer turns it into ``[UNK]`` (emoji, most symbols), or
    when it is written in a script other than Latin and falls apart into one piece per letter
    (Arabic, Hebrew, Thai…), or is a Chinese or Japanese character (BERT cuts those one by
    one, and an English sentence model learned almost nothing from them).

    Usage: ``readability(model.tokenizer, "🍕🚀🐱🎉").mostly_unknown`` → ``True``
    """
    import unicodedata

    with MODEL_LOCK:
        enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True,
                        verbose=False)
        unk = tokenizer.unk_token
        tokens = tokenizer.convert_ids_to_tokens(enc["input_ids"])
    by_word: dict[int, list[int]] = {}
    for i, w in enumerate(enc.word_ids()):
        if w is not None:
            by_word.setdefault(w, []).append(i)
    words, unknown = 0, []
    for rows in by_word.values():
        start, end = enc["offset_mapping"][rows[0]][0], enc["offset_mapping"][rows[-1]][1]
        word = text[start:end]
        if word and all(unicodedata.category(ch).startswith("P") for ch in word):
            continue  # punctuation: no meaning to lose
        words += 1
        pieces = [tokens[r] for r in rows]
        foreign = not all(_is_latin_or_mark(ch) for ch in word)
        if unk in pieces or (foreign and (len(word) == 1 or len(pieces) >= len(word))):
            unknown.append(word)
    return Readability(words, tuple(unknown))
