"""Source comparison: distinctive terms, TF-IDF similarity, coverage of facts, outlet profiles, groups and time.

>>> sents = pd.DataFrame({"file": ["a", "b"], "text": ["The protesters left.", "The rioters left."]})
>>> counts = ngram_counts(sents, {"a": "A", "b": "B"}, stop_words())
>>> distinctive_terms(counts, min_count=1).query("rank == 1")["term"].tolist()
['protesters', 'rioters']
"""
from __future__ import annotations

import itertools
import re
from collections import Counter
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.preprocessing import normalize

from . import engine, stats, style
from .dataset import analysed
from .text import tokens

DEFAULT_ALPHA0 = 1000.0      # prior pseudo-tokens per n-gram order (~2 short articles): tames rare words, not the data
ALL_PAIRS_MAX = 2_000        # up to this many articles every article pair is listed; above, only near duplicates
DISTINCTIVE_COLUMNS = ["group", "term", "ngram", "z", "log_odds", "count_group", "count_rest", "rank"]
SIMILARITY_COLUMNS = ["a", "b", "level", "cosine", "near_duplicate"]
COVERAGE_COLUMNS = ["file", "outlet", "kind", "item", "mentions", "first_sentence"]
PERIODS = {"month": "M", "quarter": "Q", "year": "Y"}   # time bins, finest first

def stop_words(extra=()) -> frozenset:
    """scikit-learn's English stop words and the study's own: never ranked as distinctive."""
    return frozenset(ENGLISH_STOP_WORDS) | {w.lower() for w in extra}

def check_unit(by: str, articles: pd.DataFrame) -> str:
    """``by`` if it is a comparison unit these articles have: "source", or "group" with a filled manifest column."""
    if by not in ("source", "group"):
        raise ValueError(f"compare_by must be 'source' or 'group', not {by!r}")
    if by == "group" and not articles.get("group", pd.Series(dtype=str)).fillna("").ne("").any():
        raise ValueError("compare_by='group' needs a 'group' column in the manifest; none of the articles has one")
    return by

def check_contrast(names, counts: pd.DataFrame) -> list[str]:
    """Two distinct units present in ``counts`` (a direct A-vs-B comparison), or an error listing the units."""
    names, units = [names] if isinstance(names, str) else list(names), sorted(counts["group"].unique())
    if len(set(names)) != 2 or not set(names) <= set(units):
        raise ValueError(f"contrast needs two of {units}, not {names}")
    return names

def group_map(articles: pd.DataFrame, by: str = "source", copies=()) -> dict[str, str]:
    """file -> group (``by``: source or the manifest's group, blank: "(none)"); no near duplicates, no ``copies``."""
    arts = analysed(articles)[lambda a: ~a["file"].isin(set(copies))]
    return dict(zip(arts["file"], arts[by].fillna("").replace("", "(none)")))

def ngram_counts(sentences: pd.DataFrame, group_of: dict[str, str], stop=frozenset(), orders=(1, 2)) -> pd.DataFrame:
    """Counts (group, term, ngram, count) of words and word pairs (``orders``) within sentences of the files in
    ``group_of``, leaving out stop words and pairs of two stop words; per partition (``Dataset.map``), they add up."""
    counts: Counter = Counter()
    for file, sent in zip(sentences["file"], sentences["text"]):
        if file in group_of:
            toks, group = tokens(sent), group_of[file]
            if 1 in orders:
                counts.update((group, t, 1) for t in toks if t not in stop)
            if 2 in orders:
                counts.update((group, f"{a} {b}", 2) for a, b in zip(toks, toks[1:]) if a not in stop or b not in stop)
    rows = [(*key, c) for key, c in counts.items()]
    return pd.DataFrame(rows, columns=["group", "term", "ngram", "count"]).astype({"ngram": "int64", "count": "int64"})

def term_keys(terms) -> np.ndarray:
    """64-bit keys of terms (pandas' SipHash with its fixed key: the same in every process and run).

    >>> bool(term_keys(["militia", "militia"])[0] == term_keys(["militia"])[0] != term_keys(["resistance"])[0])
    True
    """
    return pd.util.hash_array(np.asarray(terms, dtype=object), categorize=False)

def ngram_keys(sentences: pd.DataFrame, group_of: dict[str, str], stop=frozenset()) -> pd.DataFrame:
    """``ngram_counts`` with each term as its key (``term_keys``) and the group as a code of the sorted groups: what
    ``sum_counts`` folds at any corpus size (15 bytes a row, no string); ``ngram_names`` gives the terms back."""
    c = ngram_counts(sentences, group_of, stop)
    groups = pd.Categorical(c["group"], categories=sorted(set(group_of.values())))
    return pd.DataFrame({"group": groups, "key": term_keys(c["term"]), "ngram": c["ngram"].astype("int8"),
                         "count": c["count"].astype("int32")})

def ngram_names(sentences: pd.DataFrame, keys) -> pd.DataFrame:
    """(key, term) of the words and word pairs in ``sentences`` whose key (``term_keys``) is in ``keys``: the terms of
    the keys ``distinctive_terms`` ranked, read again a partition at a time."""
    terms = set()
    for toks in map(tokens, sentences["text"]):
        terms.update(toks, (f"{a} {b}" for a, b in zip(toks, toks[1:])))
    terms = np.array(sorted(terms), dtype=object)
    found = np.isin(k := term_keys(terms), keys)
    return pd.DataFrame({"key": k[found], "term": terms[found]})

def sum_counts(frames, by=("group", "term", "ngram"), batch_rows: int = 500_000) -> pd.DataFrame:
    """``count`` summed per ``by`` over ``frames`` (e.g. ``Dataset.imap`` of ``ngram_counts``), folded a batch at a
    time: memory follows the distinct keys, not the sum over partitions (a large outlet's words recur in each).
    Frames of ``ngram_keys`` (a ``key`` column) are folded into sorted arrays, 15 bytes per distinct (group, term)."""
    total, batch = None, []
    for frame in frames:
        batch.append(frame)   # keyed rows are small: folded when the batch is a sixteenth of the total
        held = 0 if total is None else total["rows"] // 16 if "key" in frame else len(total)
        if sum(map(len, batch)) > max(held, batch_rows):
            total, batch = _merged(total, batch) if "key" in frame else _summed([total, *batch], by), []
    if not (batch and "key" in batch[0] or isinstance(total, dict)):
        return _summed([total, *batch], by)
    total = _merged(total, batch) if batch else total
    engine.release()   # the folds' freed copies back to the system before the next step allocates
    groups, parts, at = total["groups"], total["parts"], 0   # sorted by group code, then key: one table
    cols = {"group": np.empty(total["rows"], np.int16 if len(groups) < 2**15 else np.int32),
            "key": np.empty(total["rows"], np.uint64), "ngram": np.empty(total["rows"], np.int8),
            "count": np.empty(total["rows"], np.int32)}
    for i, code in enumerate(sorted(parts)):   # each group's arrays let go once copied, and handed back as we go:
        arrays = parts.pop(code)                 # most are small, kept in the heap, else the table is held twice
        for col, values in zip(cols, (code, *arrays)):   # group, key, ngram, count
            cols[col][at:at + len(arrays[0])] = values
        at += len(arrays[0])
        if i % 32 == 31:
            engine.release()
    return pd.DataFrame({"group": pd.Categorical.from_codes(cols.pop("group"), groups), **cols}, copy=False)

def _merged(total: dict | None, batch) -> dict:
    """``total`` ({"groups", "rows", "parts": {group code: (key, ngram, count) arrays sorted by key}}) with ``batch``'s
    counts added: equal rows summed, new rows inserted in order, a group at a time (no hash table of every row, and no
    copy larger than one group's arrays)."""
    b = pd.concat(batch, ignore_index=True)
    bc, bk, bn, bs = b["group"].cat.codes.to_numpy(), b["key"].to_numpy(), b["ngram"].to_numpy(), b["count"].to_numpy()
    order = np.lexsort((bk, bc))
    bc, bk, bn, bs = bc[order], bk[order], bn[order], bs[order]
    first = np.flatnonzero(np.r_[True, (bc[1:] != bc[:-1]) | (bk[1:] != bk[:-1])]) if len(b) else np.zeros(0, int)
    bc, bk, bn = bc[first], bk[first], bn[first]
    bs = np.add.reduceat(bs, first).astype(np.int32) if len(b) else bs.astype(np.int32)
    total = total or {"groups": b["group"].cat.categories, "rows": 0, "parts": {}}
    for code in np.unique(bc):   # a group's new rows, by key: where they go in its arrays
        rows = slice(*np.searchsorted(bc, [code, code + 1]))
        k, n, c = bk[rows], bn[rows], bs[rows]
        if (old := total["parts"].get(code)) is None:   # copies: a view would keep the whole batch alive
            total["parts"][code], total["rows"] = (k.copy(), n.copy(), c.copy()), total["rows"] + len(k)
            continue
        at = np.searchsorted(old[0], k)
        hit = at < len(old[0])
        hit[hit] = old[0][at[hit]] == k[hit]
        old[2][at[hit]] += c[hit]
        total["parts"][code] = tuple(np.insert(a, at[~hit], v[~hit]) for a, v in zip(old, (k, n, c)))
        total["rows"] += int((~hit).sum())
    return total

def _summed(frames, by) -> pd.DataFrame:
    frames = [f for f in frames if f is not None]
    if not frames:
        return pd.DataFrame({**{c: pd.Series(dtype=str) for c in by}, "count": pd.Series(dtype="int64")})
    return pd.concat(frames, ignore_index=True).groupby(list(by), as_index=False, sort=False)["count"].sum()

def distinctive_terms(counts: pd.DataFrame, alpha0: float = DEFAULT_ALPHA0, min_count: int = 3, groups=None,
                      keep: int = 1000, names=None, rows: int = 2**19) -> pd.DataFrame:
    """Each group against the rest (or the two ``groups`` against each other): z-scored log-odds with an informative
    Dirichlet prior (Monroe, Colaresi & Quinn 2008, eq. 16-22), a_w = alpha0 * corpus share of w within its n-gram
    order; rank 1 = most over-used. Rows: the terms each group uses, at most ``keep`` per group (the highest z);
    terms used fewer than ``min_count`` times in all are left out. ``counts``: (group, term, ngram, count) rows, or
    folded ``ngram_keys`` rows (group, key, ngram, count) with ``names(keys)``: frames of (key, term) for the keys
    ranked (``ngram_names``). Computed ``rows`` rows at a time: besides ``counts``, memory holds 5 bytes a row."""
    counts = counts[counts["group"].isin(groups)] if groups is not None else counts
    if "key" not in counts:   # terms as text: keyed here, named from the table itself
        counts = counts.groupby(["group", "term", "ngram"], as_index=False, observed=True)["count"].sum()
        named = pd.DataFrame({"key": term_keys(counts["term"]), "term": counts["term"]})
        counts, names = counts.assign(key=named["key"]).drop(columns="term"), lambda keys: [named]
    group = counts["group"]   # a fold's groups are sorted categories already: their codes are used as they are
    if not (isinstance(group.dtype, pd.CategoricalDtype) and group.cat.categories.is_monotonic_increasing):
        group = pd.Series(pd.Categorical(group, categories=sorted(pd.unique(group))))
    names_of, code = group.cat.categories, group.array.codes   # (a view: `.cat.codes` copies)
    key, y, ngram = counts["key"].to_numpy(), counts["count"].to_numpy(), counts["ngram"].to_numpy()
    if (code[1:] < code[:-1]).any():   # each group's rows together (a fold's already are: no copy then)
        order = np.argsort(code, kind="stable")
        key, y, ngram, code = key[order], y[order], ngram[order], code[order]
    bounds = np.r_[np.searchsorted(code, np.arange(len(names_of), dtype=code.dtype)), len(code)]   # (no int64 copy)
    if (np.diff(bounds) > 0).sum() < 2:
        return pd.DataFrame(columns=DISTINCTIVE_COLUMNS)
    # each row's term total, a sixteenth of the keys (by their top 4 bits) at a time: small sorts
    bits = key.view(np.uint8)[7::8] >> 4
    total = np.zeros(len(key), np.int32 if y.sum(dtype=np.int64) < 2**31 else np.int64)
    for part in range(16):
        at = np.flatnonzero(bits == part)
        term = np.unique(key[at], return_inverse=True)[1].ravel()
        total[at] = np.bincount(term, weights=y[at])[term]   # integer sums, exact in float64
    del bits, at, term
    ok = total >= min_count

    def chunks(g):   # the kept rows of group g, ``rows`` at a time
        for lo in range(bounds[g], bounds[g + 1], rows):
            yield lo + np.flatnonzero(ok[lo:min(lo + rows, bounds[g + 1])])
    # words per group and n-gram order (unigrams and bigrams are separate vocabularies, with their own n and alpha0)
    n_group = np.array([sum(np.bincount(ngram[r], weights=y[r], minlength=3).astype(np.int64) for r in chunks(g))
                        if bounds[g + 1] > bounds[g] else np.zeros(3, np.int64) for g in range(len(names_of))])
    n_order = n_group.sum(axis=0)

    def best(r, n_i):   # rows ``r`` of one group (``n_i``: its words per order) with their (z, delta), top ``keep``
        y_i, t, o = y[r].astype(np.int64), total[r].astype(np.int64), ngram[r].astype(np.int64)
        n_i, n = n_i[o], n_order[o]
        y_j, n_j, alpha = t - y_i, n - n_i, alpha0 * t / n
        delta = (np.log((y_i + alpha) / np.maximum(n_i + alpha0 - y_i - alpha, 1e-9))
                 - np.log((y_j + alpha) / np.maximum(n_j + alpha0 - y_j - alpha, 1e-9)))
        z = delta / np.sqrt(1 / (y_i + alpha) + 1 / (y_j + alpha))
        return r[t := _top(z, keep)], z[t], delta[t]
    parts = []
    for g in np.flatnonzero(np.diff(bounds)):   # a group at a time; the best of its chunks hold the group's best
        r, z, delta = map(np.concatenate, zip(*(best(r, n_group[g]) for r in chunks(g))))
        r, z, delta = r[t := _top(z, keep)], z[t], delta[t]
        parts.append(pd.DataFrame({"group": names_of[g], "key": key[r], "ngram": ngram[r], "z": z, "log_odds": delta,
                                   "count_group": y[r].astype(np.int64),
                                   "count_rest": (total[r] - y[r]).astype(np.int64)}))
    out = pd.concat(parts, ignore_index=True)
    del key, y, ngram, code, total, ok, parts   # before the terms are read again
    terms, batch = pd.DataFrame({"key": pd.Series(dtype="uint64"), "term": ""}), []
    for part in names(out["key"].unique()):   # a common term is found in every partition: duplicates dropped as
        batch.append(part)                    # they come, once the batch outgrows the distinct terms found
        if sum(map(len, batch)) > max(len(terms), 100_000):
            terms, batch = pd.concat([terms, *batch]).drop_duplicates(), []
    terms = pd.concat([terms, *batch]).drop_duplicates()
    if terms["key"].duplicated().any():   # two terms with one 64-bit key: about 1 in 10^6 at 10^7 terms
        raise RuntimeError(f"two terms share a key: {terms[terms['key'].duplicated(keep=False)].values.tolist()}")
    out = out.merge(terms, on="key", how="left", validate="many_to_one")
    out = out.sort_values(["group", "z", "ngram", "term"], ascending=[True, False, True, True])
    out = out.assign(rank=out.groupby("group").cumcount() + 1)
    return out[out["rank"] <= keep][DISTINCTIVE_COLUMNS].reset_index(drop=True)

def _top(z: np.ndarray, keep: int):
    """Where ``z`` is among its ``keep`` highest, ties at the cut included (the final sort breaks them by term).

    >>> _top(np.array([3.0, 1.0, 2.0, 2.0]), 2).tolist()
    [True, False, True, True]
    """
    return z >= np.partition(z, len(z) - keep)[len(z) - keep] if len(z) > keep else slice(None)

def _counts(texts, vocab: dict) -> tuple:
    """One partition's term counts as CSR parts (data, indices, indptr), columns numbered in order of first use as
    scikit-learn's ``CountVectorizer`` does (lower case, ``tokens``), so the TF-IDF below is its own to the bit."""
    data, indices, indptr = [], [], [0]
    for text in texts:
        c = Counter(vocab.setdefault(t, len(vocab)) for t in tokens(text.lower()))
        indices += sorted(c)
        data += [c[k] for k in sorted(c)]
        indptr.append(len(indices))
    return np.array(data, dtype=np.int32), np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int64)

def similarity(parts, threshold: float = 0.9, all_pairs_max: int = ALL_PAIRS_MAX):
    """TF-IDF cosine (scikit-learn's: smoothed idf, unit rows) of article pairs and outlet pairs (an outlet: the mean
    of its non-copy articles' unit vectors); returns (long table, copies: the later file of each pair at cosine >=
    ``threshold`` or marked by the corpus). ``parts``: frames of articles (file, source, status, duplicate_of, text),
    one per partition, or one frame. Only term counts are kept, never the texts. Up to ``all_pairs_max`` articles every
    pair is compared; above, only the pairs the corpus marked (MinHash near duplicates at ingest)."""
    vocab, counts, metas = {}, [], []
    for part in [parts] if isinstance(parts, pd.DataFrame) else parts:
        part = part.sort_values("file")
        counts.append(_counts(part["text"], vocab))
        metas.append(part.drop(columns="text"))
    arts = pd.concat(metas, ignore_index=True) if metas else pd.DataFrame(columns=["file", "source", "text"])
    rank, n_words = np.empty(len(vocab), dtype=np.int32), len(vocab)
    rank[[old for _, old in sorted(vocab.items())]] = np.arange(n_words)   # columns in alphabetical order
    del vocab   # the words themselves are not needed any more (a large dict on a large corpus)
    counts = [(d, rank[i], p) for d, i, p in counts]
    df = sum((np.bincount(i, minlength=n_words) for _, i, _ in counts), np.zeros(n_words, dtype=np.int64))
    idf = np.log(np.full(n_words, len(arts) + 1.0) / (df + 1.0)) + 1.0

    def tfidf(part):
        d, i, p = part
        return normalize(sparse.csr_matrix((d * idf[i], i, p), shape=(len(p) - 1, n_words)), copy=False)

    files, n = arts["file"].to_numpy(), len(arts)
    pos = {f: k for k, f in enumerate(files)}
    marked = np.array([(pos[d], pos[f]) for f, d in zip(files, arts.get("duplicate_of", [])) if d in pos],
                      dtype=int).reshape(-1, 2)
    # above all_pairs_max each partition's counts are let go once its rows are added to the centroids
    rows = [tfidf(c) for c in counts] if n <= all_pairs_max else (tfidf(counts.pop(0)) for _ in range(len(counts)))
    if n <= all_pairs_max:
        a, b = np.triu_indices(n, k=1)
        X = sparse.vstack(rows, format="csr") if rows else sparse.csr_matrix((0, n_words))
        cosine = (X @ X.T).toarray()[a, b]
        near = (cosine >= threshold) | np.isin(a * n + b, marked.min(axis=1) * n + marked.max(axis=1))
    else:
        a, b = marked.min(axis=1), marked.max(axis=1)
        near = np.ones(len(a), dtype=bool)
    pairs = pd.DataFrame({"a": files[a], "b": files[b], "level": "article", "near_duplicate": near})
    copies = set(arts.loc[arts["status"].eq("near_duplicate"), "file"]) if "status" in arts else set()
    for first, later in pairs.loc[pairs["near_duplicate"], ["a", "b"]].sort_values(["a", "b"]).itertuples(index=False):
        if first not in copies and later not in copies:
            copies.add(later)
    keep = ~arts["file"].isin(copies).to_numpy()
    outlets, member = np.unique(arts.loc[keep, "source"].to_numpy(), return_inverse=True)
    weight = np.zeros(n)
    weight[keep] = 1 / np.bincount(member)[member] if len(member) else []
    unit = np.full(n, -1)
    unit[keep] = member
    centroid, need, picked, start = None, set(a) | set(b) if n > all_pairs_max else set(), {}, 0
    for X in rows:   # outlet centroids (and the marked pairs' rows) a partition at a time
        at = np.arange(start, start + X.shape[0])
        on = unit[at] >= 0
        w = sparse.csr_matrix((weight[at][on], (unit[at][on], np.flatnonzero(on))), shape=(len(outlets), len(at)))
        centroid = w @ X if centroid is None else centroid + w @ X
        picked |= {k: X[k - start] for k in at if k in need}
        start += len(at)
    if n > all_pairs_max:
        cosine = np.array([picked[i].multiply(picked[j]).sum() for i, j in zip(a, b)], dtype=float)
    pairs.insert(3, "cosine", cosine)
    if len(outlets):   # dense unless outlets x vocabulary is large: memory grows with the vocabulary, not outlets x it
        c = centroid.toarray() if len(outlets) * n_words <= 5e7 else centroid
        norms = np.sqrt(np.asarray(c.multiply(c).sum(axis=1)).ravel() if sparse.issparse(c) else (c * c).sum(axis=1))
        sim = np.asarray((c @ c.T).todense() if sparse.issparse(c) else c @ c.T)
        sim = sim / np.maximum(np.outer(norms, norms), 1e-24)
        i, j = np.triu_indices(len(outlets), k=1)
        pairs = pd.concat([pairs, pd.DataFrame({"a": outlets[i], "b": outlets[j], "level": "outlet",
                                                "cosine": sim[i, j], "near_duplicate": sim[i, j] >= threshold})])
    pairs["cosine"] = pairs["cosine"].round(6)
    return pairs[SIMILARITY_COLUMNS].sort_values(["level", "a", "b"]).reset_index(drop=True), sorted(copies)

def similarity_matrix(pairs: pd.DataFrame, level: str = "outlet") -> pd.DataFrame:
    """Square cosine matrix for one level, in the leaf order of average-linkage clustering on 1 - cosine."""
    sub = pairs[pairs["level"] == level]
    both = pd.concat([sub[["a", "b", "cosine"]], sub[["b", "a", "cosine"]].set_axis(["a", "b", "cosine"], axis=1)])
    labels = sorted(set(sub["a"]) | set(sub["b"]))
    m = both.pivot(index="a", columns="b", values="cosine").reindex(index=labels, columns=labels)
    m = m.fillna(0.0) + np.eye(len(labels)) if len(labels) else m
    if len(labels) >= 3:   # m is symmetric: squareform reads its upper triangle as the condensed distances
        order = leaves_list(linkage(squareform(np.clip(1 - m.to_numpy(), 0, None), checks=False), method="average"))
        m = m.iloc[order, order]
    return m.rename_axis(index=None, columns=None)

_NUMBER = r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s+"
_SPEAKER = re.compile(r"((?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’.-]*),?\s+(?:said|says|told|stated|added|announced)\b")

def load_items(spec: dict | None) -> dict:
    """The study's coverage items (``coverage`` in the study file), regexes compiled. Without them, only what needs
    no topic: any number in digits and the word after it ("2,500 troops"), and who is quoted as saying something."""
    spec = spec or {}
    items = [(kind, name, re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE))
             for kind in ("numbers", "events", "actors") for name, pats in (spec.get(kind) or {}).items()]
    units = {w.lower(): unit for unit, ws in (spec.get("units") or {}).items() for w in ws}
    mods = "|".join(re.escape(m) for m in spec.get("modifiers") or []) or "(?!)"
    words = "|".join(re.escape(w) for w in sorted(units, key=len, reverse=True)) or r"[a-z][a-z-]{2,}"
    number = re.compile(rf"{_NUMBER}((?:(?:{mods})\s+){{0,2}})({words})\b", re.IGNORECASE if units else 0)
    return {"items": items, "units": units, "number": number, "speakers": not spec, "stop": stop_words()}

def coverage_counts(sentences: pd.DataFrame, items: dict) -> pd.DataFrame:
    """Per file and item (listed items with 0 too): sentences mentioning it and the first one. Numbers also match as
    any number followed, after at most two modifiers such as "US", by a unit word, reported as "<number> <unit>"."""
    rows = []
    for file, sents in sentences.sort_values(["file", "index"]).groupby("file", sort=True):
        found = {(k, n): (0, "") for k, n, _ in items["items"]}
        for sent in sents["text"]:
            hits = {(k, n) for k, n, rx in items["items"] if rx.search(sent)}
            for m in items["number"].finditer(sent):
                value, unit = m.group(1).replace(",", ""), items["units"].get(m.group(3).lower(), m.group(3).lower())
                year = len(value) == 4 and value[:2] in ("19", "20")
                if items["units"] or (unit not in items["stop"] and not year):
                    hits.add(("numbers", f"{int(value):,} {unit}" if value.isdigit() else f"{value} {unit}"))
            for m in _SPEAKER.finditer(sent) if items["speakers"] else ():
                if not set(m.group(1).lower().split()) <= items["stop"]:   # not "He said", "The official said"
                    hits.add(("actors", m.group(1)))
            for key in hits:
                count, first = found.get(key, (0, ""))
                found[key] = (count + 1, first or sent)
        rows += [(file, k, n, c, s) for (k, n), (c, s) in found.items()]
    return pd.DataFrame(rows, columns=["file", "kind", "item", "mentions", "first_sentence"])

def coverage(counts: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """``coverage_counts`` joined to outlets (articles.source), sorted; the published coverage table."""
    out = counts.merge(articles[["file", "source"]].rename(columns={"source": "outlet"}), on="file")[COVERAGE_COLUMNS]
    kinds = {"numbers": 0, "events": 1, "actors": 2}
    return out.sort_values(["file", "kind", "item"], key=lambda s: s.map(kinds) if s.name == "kind" else s,
                           ignore_index=True)

def coverage_rows(sentences: pd.DataFrame, items: dict, articles: pd.DataFrame) -> pd.DataFrame:
    """``coverage`` of one partition's sentences: published a partition at a time (``Dataset.imap``)."""
    return coverage(coverage_counts(sentences, items), articles)

def coverage_matrix(cov: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Outlet x item, independent articles: mentioning, articles, share (of numbers, the 15 named by most outlets)."""
    arts = analysed(articles)
    cov = cov[cov["file"].isin(arts["file"])].assign(mentioning=lambda c: c["mentions"].gt(0))
    keys = ["kind", "item", "outlet"]   # categorical (as 04 reads them) or text: the same table
    m = cov.groupby(keys, as_index=False, observed=True)["mentioning"].sum().astype(dict.fromkeys(keys, object))
    spread = m[m["kind"].eq("numbers")].assign(k=m["mentioning"].gt(0)).groupby("item")["k"].sum()   # outlets naming it
    m = m[m["kind"].ne("numbers") | m["item"].isin(spread.sort_values(ascending=False, kind="stable").index[:15])]
    m = m.merge(arts.groupby("source").size().rename("articles"), left_on="outlet", right_index=True)
    return m.assign(share=m["mentioning"] / m["articles"]).sort_values(["kind", "item", "outlet"])

def outlet_profiles(articles, pair_shares=None, sentiment_articles=None, distinctive=None, coverage=None):
    """One row per outlet (articles.source, independent articles only): size, own-voice contested-pair shares as
    ``<pair>_<column>``, mean sentiment as ``<engine>_<score>``, its top 5 distinctive terms, items covered."""
    arts = analysed(articles)
    prof = arts.groupby("source").agg(articles=("file", "size"), words=("words", "sum"))
    prof["near_duplicates"] = articles.groupby("source").size().reindex(prof.index, fill_value=0) - prof["articles"]
    parts = [prof]
    if pair_shares is not None and len(pair_shares):
        ps = pair_shares[pair_shares["level"].eq("outlet")]
        ps = ps[ps["voices"].eq("own")] if ps["voices"].eq("own").any() else ps
        vals = [c for c in ps.select_dtypes("number").columns if c != "articles" and not re.search(r"low|high", c)]
        wide = ps.pivot_table(index="outlet", columns="pair", values=vals, aggfunc="first")
        wide = wide.set_axis([f"{p}_{v}" for v, p in wide.columns], axis=1).sort_index(axis=1)
        parts.append(wide.assign(pair_voices=ps.groupby("outlet")["voices"].first()))
    if sentiment_articles is not None and len(sentiment_articles):
        s = sentiment_articles.merge(arts[["file", "source"]], on="file")
        wide = s.pivot_table(index="source", columns="engine", values=[c for c in s if c.startswith("score")])
        parts.append(wide.set_axis([f"{e}_{v}" for v, e in wide.columns], axis=1).sort_index(axis=1))
    if distinctive is not None and len(distinctive):
        top = distinctive[distinctive["rank"] <= 5].sort_values(["group", "rank"])
        parts.append(top.groupby("group")["term"].agg("; ".join).rename("top_terms").to_frame())
    if coverage is not None and len(coverage):
        c = coverage.loc[coverage["mentions"].gt(0) & coverage["file"].isin(arts["file"]), ["outlet", "kind", "item"]]
        c = c.astype(object)   # categorical codes (as 04 reads them) back to their shared strings
        per = c.groupby(["outlet", "kind"])["item"].nunique().unstack(fill_value=0).add_prefix("coverage_")
        parts.append(per.assign(coverage_items=c.groupby("outlet")["item"].nunique()))
    out = pd.concat(parts, axis=1, join="outer").reindex(style.source_order(prof.index))
    return out.round(4).rename_axis("outlet").reset_index()

def own_uses(path, chunksize: int = 500_000) -> pd.DataFrame:
    """The own-voice rows with a use of a ``term_counts.csv``, read in chunks: all that groups and time are compared
    on (a missing row counts 0), without holding every article's zero rows (most of the table)."""
    cols, kinds = ["file", "family", "variant", "voice", "count"], {"file": str, "family": str, "variant": str}
    chunks = pd.read_csv(path, usecols=cols, dtype={**kinds, "voice": str}, keep_default_na=False, chunksize=chunksize)
    return pd.concat([c[c["voice"].eq("own") & c["count"].gt(0)] for c in chunks] or [pd.DataFrame(columns=cols)],
                     ignore_index=True)

def _own(term_counts: pd.DataFrame, pair) -> pd.DataFrame:
    """Per file, its own-voice uses of ``pair``'s first and second term (columns a, b)."""
    own = term_counts[term_counts["voice"].eq("own") & term_counts["family"].eq(pair.family)]
    own = own.pivot_table(index="file", columns="variant", values="count", aggfunc="sum")
    return own.reindex(columns=[pair.a, pair.b]).fillna(0).set_axis(["a", "b"], axis=1)

def article_measures(term_counts: pd.DataFrame, sentiment_articles: pd.DataFrame, pairs) -> pd.DataFrame:
    """Long table file, measure, value: each article's own-voice share of each pair's first term (articles using
    either) and its mean sentence score per engine, the article-level values groups are compared on."""
    frames = []
    for p in pairs:
        ab = _own(term_counts, p)[lambda x: x.sum(axis=1) > 0]
        frames.append(pd.DataFrame({"file": ab.index, "measure": f"share of {p.a} ({p.name})",
                                    "value": (ab["a"] / ab.sum(axis=1)).to_numpy()}))
    s = sentiment_articles.dropna(subset=["score"])
    frames.append(pd.DataFrame({"file": s["file"], "measure": "mean sentence score, " + s["engine"],
                                "value": s["score"]}))
    return pd.concat(frames, ignore_index=True)

def group_tests(measures: pd.DataFrame, group_of: dict, n_perm: int = 9999, seed: int = 0) -> pd.DataFrame:
    """For each measure and each pair of groups: articles, means, difference, Cohen's d, AUC (how well the measure
    separates the two groups' articles) and a seeded two-sided permutation test over articles, with Holm's (1979)
    adjustment over every test in the table (an article is the unit: its uses are not independent)."""
    m, rows = measures.assign(group=measures["file"].map(group_of)).dropna(subset=["group"]), []
    for measure, d in m.groupby("measure", sort=True):
        values = {g: v["value"].to_numpy() for g, v in d.groupby("group")}
        for ga, gb in itertools.combinations(sorted(values), 2):
            x, y = values[ga], values[gb]
            diff, p = stats.permutation_test(x, y, n_perm, seed) if min(len(x), len(y)) > 1 else (np.nan, np.nan)
            rows.append((measure, ga, gb, len(x), len(y), x.mean(), y.mean(), x.mean() - y.mean(),
                         stats.cohens_d(x, y), stats.auc(x, y), p))
    out = pd.DataFrame(rows, columns=["measure", "group_a", "group_b", "articles_a", "articles_b", "mean_a", "mean_b",
                                      "difference", "cohens_d", "auc", "p_value"])
    order, k = out["p_value"].sort_values().index, out["p_value"].notna().sum()   # Holm: step down over ranked p
    holm = (out.loc[order, "p_value"] * (k - np.arange(len(order)))).cummax().clip(upper=1)
    return out.assign(p_holm=holm.reindex(out.index))

def _pooled(unit_of: pd.Series, top: int | None, noun: str) -> pd.Series:
    """file -> unit, the units beyond the ``top`` largest (by articles) pooled as "other (k <noun>s)"."""
    keep, _, other = style.top_units(unit_of.value_counts(), top or len(unit_of), noun)
    return unit_of.where(unit_of.isin(keep), other)

def group_means(measures: pd.DataFrame, group_of: dict, top: int | None = None) -> pd.DataFrame:
    """Per measure and group (the ``top`` largest, the rest pooled): articles, mean, Student-t 95% interval; for a
    share, never narrower than the Wilson interval on its articles, so articles that all agree still get one.

    >>> m = pd.DataFrame({"file": list("abcd"), "measure": ["m"] * 3 + ["share"], "value": [1.0, 3.0, 5.0, 1.0]})
    >>> group_means(m, {"a": "A", "b": "A", "c": "B", "d": "B"}).round(2).values.tolist()
    [['m', 'A', 2, 2.0, -10.71, 14.71], ['m', 'B', 1, 5.0, nan, nan], ['share', 'B', 1, 1.0, 0.21, 1.0]]
    """
    group, rows = measures["file"].map(_pooled(pd.Series(group_of, dtype=str), top, "group")), []
    for (m, g), v in measures.groupby(["measure", group], sort=False)["value"]:   # measures in the order given
        mean, low, high = stats.mean_interval(v)
        if m.startswith("share"):
            wilson = stats.wilson(v.sum(), len(v))
            low, high = max(0.0, np.fmin(low, wilson[0])), min(1.0, np.fmax(high, wilson[1]))
        rows.append((m, g, len(v), mean, low, high))
    return pd.DataFrame(rows, columns=["measure", "group", "articles", "mean", "ci_low", "ci_high"])

def periods(articles: pd.DataFrame, period: str | None = None) -> tuple[pd.Series, str]:
    """(file -> period label, the period): ``published`` binned by ``period`` (None: the finest of ``PERIODS`` that
    places at least half the dated articles); ``style.UNDATED`` when the date, by its length or its ``date_precision``
    (day, month, quarter, year), is coarser than the period, is only a bound ("not_before_month") or is missing.

    >>> a = pd.DataFrame({"file": list("abc"), "published": ["2024-03-05", "2024", ""], "date_precision": ""})
    >>> periods(a)[0].tolist(), periods(a)[1]
    (['2024-03', 'undated at this resolution', 'undated at this resolution'], 'month')
    """
    if period is not None and period not in PERIODS:
        raise ValueError(f"period must be one of {list(PERIODS)}, not {period!r}")
    text, prec = (articles[c].fillna("").astype(str) for c in ("published", "date_precision"))
    when = pd.to_datetime(text, format="ISO8601", errors="coerce")
    ranks = {"day": 0, "month": 1, "quarter": 2, "year": 3}
    rank = np.fmax(text.str.len().map({10: 0, 7: 1, 4: 3}), prec.str.extract("(day|month|quarter|year)")[0].map(ranks))
    rank = rank.where(when.notna() & ~prec.str.contains("before|after|not", case=False))
    period = period or next((p for p in PERIODS if (rank <= ranks[p]).sum() * 2 >= rank.notna().sum()), "year")
    when = when.dt.to_period(PERIODS[period]).astype(str)
    return pd.Series(when.where(rank <= ranks[period], style.UNDATED).to_numpy(), index=articles["file"]), period

def over_time(articles, term_counts, sentiment_articles, pairs=(), period=None, top=None, families=()):
    """Per period (``periods``) and unit (the manifest's group, else the source; the ``top`` largest, the rest pooled):
    the own-voice share of each of ``pairs``' first term (``stats.share_interval``; n = uses), the mean over articles
    of each of ``families``' own-voice uses per 1,000 words and of each engine's article score
    (``stats.mean_interval``; n = articles). Articles dated coarser than the period are in the period
    ``style.UNDATED``, counted like the others."""
    arts = analysed(articles)
    by = "group" if arts.get("group", pd.Series(dtype=str)).fillna("").ne("").any() else "source"
    unit = pd.Series(arts[by].fillna("").replace("", "(none)").to_numpy(), index=arts["file"])
    when, period = periods(arts, period)
    frame = pd.DataFrame({"period": when, "unit": _pooled(unit, top, by.replace("source", "outlet"))})
    for i, pair in enumerate(pairs):
        frame = frame.join(_own(term_counts, pair).add_suffix(str(i))).fillna({f"a{i}": 0, f"b{i}": 0})
    if len(families):   # each article's own-voice uses per 1,000 of its words
        own = term_counts[term_counts["voice"].eq("own")].pivot_table(index="file", columns="family",
                                                                       values="count", aggfunc="sum")
        own = own.reindex(frame.index, columns=families)
        words = arts.set_index("file")["words"].reindex(frame.index).where(lambda w: w > 0)
        frame = frame.join(own.fillna(0).div(words, axis=0).mul(1000).add_prefix("rate "))
    tone = sentiment_articles.pivot_table(index="file", columns="engine", values="score")
    frame, rows = frame.join(tone), []
    for (when, unit), d in frame.groupby(["period", "unit"]):
        rows += [(when, unit, f"share of {pair.a} ({pair.name})", len(d), int(d[f"a{i}"].sum() + d[f"b{i}"].sum()),
                  *stats.share_interval(d[f"a{i}"], d[f"b{i}"])[:3]) for i, pair in enumerate(pairs)]
        rows += [(when, unit, f"{f} uses per 1,000 words", len(d), int(d[f"rate {f}"].notna().sum()),
                  *stats.mean_interval(d[f"rate {f}"])) for f in families]
        rows += [(when, unit, f"mean sentence score, {e}", len(d), int(d[e].notna().sum()), *stats.mean_interval(d[e]))
                 for e in tone.columns]
    cols = ["period", "unit", "measure", "articles", "n", "value", "ci_low", "ci_high"]
    return pd.DataFrame(rows, columns=cols).assign(resolution=period, by=by)
