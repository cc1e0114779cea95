"""Fitting a drawing to a screen: the direction it flows in, and where a long one wraps.

Graphviz's `dot` puts a graph's nodes in ranks along one direction: left to right ("LR") or
top to bottom ("TB"). A computation graph is long and narrow (the loss of a 3-5-5-5-2 MLP
is a chain of some 30 ranks), so in one line it is several screens long. `layout` wraps
such a drawing into bands, rows for "LR" and columns for "TB", as text wraps into lines,
and picks the number of bands, and with `rankdir=None` the direction, that give the
smallest drawing. Three things about `dot` shape the choice:

- an edge with `constraint=false` does not place its nodes, so each band starts afresh at
  rank 0 and the bands stack; they are ordered by the edges from one invisible node to the
  first node of each band (`viz.py` draws those);
- the k-th rank of every band gets the same room, so `_extent` estimates sizes column by
  column across the bands;
- two boxes (clusters) that share a rank are set side by side, so an edge from one box into
  another is given length 2 (`minlen`) and the boxes stack cleanly.

It knows nothing of Values: it sees node ids, their estimated sizes in inches, the boxes
each node sits in (outermost first) and the edges.
"""
from __future__ import annotations

import bisect
import math

NODESEP, RANKSEP = 0.2, 0.2  # inches between nodes of a rank, and between ranks
SCREEN = (12.5, 8.0)  # inches: 1,800 x 1,150 px at the 144 dpi of save_graph's PNGs
_BAND_GAP = 0.6  # room between bands for the edges that go from one to the next
_MAX_WRAPPED = 2000  # nodes: a bigger drawing fits no screen, and trying costs time


def layout(sizes: dict, paths: dict, edges: list, rankdir: str | None, wrap: bool) -> tuple:
    """(rankdir, node -> band, node -> rank) for nodes of `sizes` (node -> (w, h)), `paths`
    (node -> its boxes) and `edges` ((tail, head) pairs). Bands are all 0 when the drawing
    fits the screen in one line, or `wrap` is off; `rankdir` None picks "LR" if the drawing
    fits the screen in one line, else "LR" rows or "TB" columns, whichever is smaller."""
    if not wrap:
        return rankdir or "LR", {}, {}
    best = None
    for direction in [rankdir] if rankdir else ["LR", "TB"]:
        band, pos, size = _bands(sizes, paths, edges, direction)
        if best is None or size < best[3] * 0.95:  # TB must be clearly smaller
            best = (direction, band, pos, size)
        if not any(band.values()):
            break  # fits as it is
    return best[:3]


def minlen(paths: dict, tail, head) -> int:
    """2 for an edge from one box into another, else 1: the second box's leaves then get a
    rank of their own, so the boxes share no rank and stack instead of stepping sideways."""
    inner, outer = paths[head], paths[tail]
    apart = inner and outer and inner[:len(outer)] != outer and outer[:len(inner)] != inner
    return 2 if apart else 1


def _bands(sizes: dict, paths: dict, edges: list, rankdir: str) -> tuple:
    """(node -> band, node -> rank, the longer side in inches) for one direction. Bands never
    cut through a top-level box, and a node without inputs (a leaf) goes with the first
    node it feeds."""
    pos = _positions(paths, edges)
    if len(pos) > _MAX_WRAPPED:
        return dict.fromkeys(pos, 0), pos, math.inf
    fed = {}  # leaf -> the rank of the first node it feeds
    for tail, head in edges:
        fed[tail] = min(fed.get(tail, math.inf), pos[head])
    for _, head in edges:
        fed.pop(head, None)
    ranks = max(pos.values()) + 1
    span = {}  # top-level box -> its first and last rank
    for node, p in pos.items():
        if node not in fed and paths[node]:
            first, last = span.get(paths[node][0], (p, p))
            span[paths[node][0]] = (min(first, p), max(last, p))
    cuttable = [True] * ranks
    for first, last in span.values():
        cuttable[first + 1:last + 1] = [False] * (last - first)
    start = list(range(ranks))  # where a band cut at rank p begins: with its leaves
    for leaf, use in fed.items():
        for p in range(pos[leaf] + 1, use + 1):
            start[p] = min(start[p], pos[leaf])
    across_x = rankdir not in ("LR", "RL")  # TB: ranks are rows, nodes side by side
    band_rank = {node: fed.get(node, p) for node, p in pos.items()}
    nodes = [(band_rank[node], p, *(sizes[node][::-1] if across_x else sizes[node]))
             for node, p in pos.items()]
    cuts, size = _fold(nodes, ranks, cuttable, start, across_x)
    return {node: bisect.bisect_right(cuts, band_rank[node]) - 1 for node in pos}, pos, size


def _positions(paths: dict, edges: list) -> dict:
    """Node -> its rank, each as late as its outputs allow (so a leaf sits just before the
    op that uses it): the longest path to the end, reversed."""
    heads, tails = {n: [] for n in paths}, {n: [] for n in paths}
    for tail, head in edges:
        heads[tail].append(head)
        tails[head].append(tail)
    waiting = {n: len(h) for n, h in heads.items()}
    to_end = dict.fromkeys(paths, 0)
    queue = [n for n, k in waiting.items() if k == 0]
    for n in queue:  # grows as we go; a node on a cycle (through boxes) is never queued
        for tail in tails[n]:
            to_end[tail] = max(to_end[tail], to_end[n] + minlen(paths, tail, n))
            waiting[tail] -= 1
            if waiting[tail] == 0:
                queue.append(tail)
    last = max(to_end.values())
    return {n: last - d for n, d in to_end.items()}


def _fold(nodes: list, ranks: int, cuttable: list, start: list, across_x: bool) -> tuple:
    """The ranks where bands begin, and the longer side in inches: [0] if the drawing fits
    the screen in one line, else the cuts every k ranks (or at the next rank where a cut
    is allowed) for the k that gives the shortest longer side (a band more must gain 3%).

    `nodes`: (rank that decides its band, rank, extent along the flow, extent across), in
    inches; `start`: the rank where a band cut at each rank begins, which Graphviz lines up
    with the first rank of every other band.
    """
    best, best_size, tried = [0], math.inf, set()
    for every in range(ranks, 0, -1):
        cuts = [0]
        for p in range(1, ranks):
            if p - cuts[-1] >= every and cuttable[p]:
                cuts.append(p)
        if tuple(cuts) in tried:
            continue
        tried.add(tuple(cuts))
        w, h = _extent(nodes, cuts, start, across_x)
        if cuts == [0] and w <= SCREEN[0] and h <= SCREEN[1]:
            return cuts, max(w, h)  # fits the screen as it is
        gain = 0.97 if len(cuts) > len(best) else 1.0
        if max(w, h) < best_size * gain:  # else the least scrolling and shrinking
            best, best_size = cuts, max(w, h)
    return best, best_size


def _extent(nodes: list, cuts: list, start: list, across_x: bool) -> tuple:
    """The estimated width and height, in inches, of a drawing cut into bands at `cuts`."""
    column_extent, band_across = {}, {}
    for band_rank, p, extent, across in nodes:
        band = bisect.bisect_right(cuts, band_rank) - 1
        column = p - start[cuts[band]]
        column_extent[column] = max(column_extent.get(column, 0.0), extent)
        band_across[band, column] = band_across.get((band, column), 0.0) + across + NODESEP
    thickness = [0.0] * len(cuts)
    for (band, _), across in band_across.items():
        thickness[band] = max(thickness[band], across)
    # a rank more for the node that orders the bands; the margins; the legend below
    along = sum(column_extent.values()) + RANKSEP * (len(column_extent) + (len(cuts) > 1))
    across = sum(thickness) + _BAND_GAP * (len(cuts) - 1)
    w, h = (across, along) if across_x else (along, across)
    return w + 0.3, h + 0.8
