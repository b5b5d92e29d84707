"""Attention before generation: a map call reads a window's most central sentences, not all of it.

A 0.5B model summarizes a few hundred tokens well and a full window poorly, and every map call
costs seconds. So each window covers ``1 / summarize.select`` times the text a call can hold, and
its sentences (docqa.retrieval.sentences.split) are scored by how central they are: the cosine of
a sentence's MiniLM embedding with a centroid — the whole document's (``salience = "document"``)
or the window's own (``"window"``). The best sentences are taken with their neighbours, in
document order, under the call's exact token limit; a gap between kept runs is marked "[…]".
Fewer map calls, each reading the sentences that carry the document's main line
(bench/summary_salience.py measured the centroids against each other and against the window's
first sentences, on QMSum references).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from docqa.retrieval.sentences import TOKEN, split

GAP = "\n[…]\n"
# Fillers ("Okay.", "Yeah, mm-hmm.") sit near any centroid and carry nothing: a sentence needs this many words.
MIN_WORDS = 4
SCORERS = ("document", "window", "lead")



def render(text: str, spans: Sequence[tuple[int, int]], chosen: set[int]) -> str:
    """The chosen sentences in document order: touching ones keep the text between them
    (paragraph breaks), a skipped run becomes GAP."""
    out: list[str] = []
    prev = None
    for i in sorted(chosen):
        a, b = spans[i]
        if prev is not None:
            out.append(text[spans[prev][1] : a] if i == prev + 1 else GAP)
        out.append(text[a:b])
        prev = i
    return "".join(out)


def select(
    text: str, spans: Sequence[tuple[int, int]], scores: Sequence[float], limit: int,
    count: Callable[[str], int], neighbours: int = 1,
) -> set[int]:
    """Indices of the sentences to keep: best score first, each with `neighbours` sentences either
    side while they fit, else alone; the rendered text is at most `limit` tokens by `count`."""
    costs = [count(text[a:b]) + 1 for a, b in spans]
    gap = count(GAP)
    chosen: set[int] = set()
    used = 0
    for i in sorted(range(len(spans)), key=lambda k: -scores[k]):
        if i in chosen:
            continue
        unit = [j for j in range(i - neighbours, i + neighbours + 1) if 0 <= j < len(spans) and j not in chosen]
        for group in (unit, [i]):
            cost = sum(costs[j] for j in group) + gap
            if used + cost <= limit:
                chosen.update(group)
                used += cost
                break
    # The per-sentence costs only estimate the joined text: the exact count decides.
    while chosen and count(render(text, spans, chosen)) > limit:
        chosen.discard(min(chosen, key=lambda k: scores[k]))
    return chosen


def centrality(vectors: np.ndarray, groups: Sequence[Sequence[int]], scorer: str) -> np.ndarray:
    """Each sentence's cosine with its centroid: the document's (all `vectors`) or its group's
    (the window it is in). `vectors` are unit rows; `groups` list the row indices per window."""
    scores = np.zeros(len(vectors), dtype=np.float64)
    if scorer == "document":
        centroid = vectors.mean(axis=0)
        return vectors @ (centroid / (np.linalg.norm(centroid) or 1.0))
    for rows in groups:
        idx = np.asarray(rows, dtype=np.int64)
        if not len(idx):
            continue
        if scorer == "window":
            centroid = vectors[idx].mean(axis=0)
            scores[idx] = vectors[idx] @ (centroid / (np.linalg.norm(centroid) or 1.0))
        else:  # lead: the window's first sentences, the baseline a centroid must beat
            scores[idx] = -np.arange(len(idx), dtype=np.float64)
    return scores


def salient_texts(
    texts: list[str], embed: Callable[[list[str]], np.ndarray], limit: int, count: Callable[[str], int],
    scorer: str = "document", neighbours: int = 1,
) -> list[str]:
    """Each window's text cut to its most central sentences within `limit` tokens; a window that
    already fits is kept whole."""
    spans = [split(t) for t in texts]
    flat = [(w, i) for w, s in enumerate(spans) for i in range(len(s))]
    sentences = [texts[w][slice(*spans[w][i])] for w, i in flat]
    if scorer == "lead":
        vectors = np.zeros((len(flat), 1), dtype=np.float32)
    else:
        vectors = embed(sentences) if sentences else np.zeros((0, 1), dtype=np.float32)
    groups: list[list[int]] = [[] for _ in texts]
    for row, (w, _) in enumerate(flat):
        groups[w].append(row)
    scores = centrality(vectors, groups, scorer)
    # Fillers rank last (kept only as a neighbour or where nothing else fits).
    scores = np.where([len(TOKEN.findall(s)) >= MIN_WORDS for s in sentences], scores, scores - 10.0)
    out = []
    for w, text in enumerate(texts):
        if count(text) <= limit:
            out.append(text)
            continue
        rows = groups[w]
        chosen = select(text, spans[w], [float(scores[r]) for r in rows], limit, count, neighbours)
        out.append(render(text, spans[w], chosen))
    return out
