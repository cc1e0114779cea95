"""Draw a Value's computation graph with Graphviz: every value, gradient and operation.

    >>> from autograd import Value, draw_graph
    >>> w, x = Value(0.5, name="w"), Value(2.0, name="x")
    >>> y = (w * x).tanh()
    >>> y.backward()
    >>> g = draw_graph(y)        # a graphviz.Digraph
    >>> "tanh" in g.source
    True

Each Value is a box showing its name, data and grad; each operation is a small ellipse between
its inputs and its output, so the picture reads in the direction data flows. Parameters
(leaves that get a gradient), inputs (data that needs none), intermediates and the output
have their own colours; numbers folded into the graph (`x * 2`) appear as plain numbers, and
a mean as one `mean` op. A graph too long for a screen is wrapped into rows (columns with
rankdir="TB", the smaller of the two with rankdir=None), `collapse=` draws modules as
single boxes, and `explain=True` writes on each edge its local derivative and the gradient
that flows back along it.

Building the `Digraph` and its DOT source (`g.source`) needs only the `graphviz` Python
package. Rendering needs Graphviz's `dot` program: `save_graph(root, "graph.svg")`,
`g.render(...)`, and the inline display in Jupyter (`_repr_svg_` and `_repr_mimebundle_`:
leave `g` as the last expression of a cell). Without `dot` they raise
`GraphvizNotFoundError`, which says how to install it.

`python -m autograd.viz [out.svg]` draws a small neuron's graph into an SVG file.
"""
from __future__ import annotations

import argparse
import html
import math
from pathlib import Path

import numpy as np

try:
    import graphviz
except ImportError:  # a dependency, but autograd works without it: drawing then says so
    graphviz = None

from .explain import (edge_grads, is_constant, listing, number, ones_like, parameter_names,
                      shown, summary, text, walk)
from .layout import NODESEP, RANKSEP, layout, minlen
from .value import Value

_RASTER = {"png", "jpg", "jpeg", "gif", "bmp", "webp"}
_DPI = "144"  # raster output at 1.5x the default 96 dpi, sharp on high-density screens
_FONT = "Helvetica,Arial,sans-serif"
_MUTED = "#64748b"
_WARN = "#dc2626"
_EDGE_TEXT = "#b45309"  # explain=True's edge labels

# Node kind -> (fill, border, text) colours, in the order the legend lists them.
_PALETTE = {
    "input": ("#e0f2fe", "#0284c7", "#0c4a6e"),
    "parameter": ("#dcfce7", "#16a34a", "#14532d"),
    "constant": ("#ffffff", "#ffffff", _MUTED),  # a plain number: no box
    "module": ("#ede9fe", "#7c3aed", "#4c1d95"),
    "intermediate": ("#ffffff", "#94a3b8", "#1e293b"),
    "root": ("#fef3c7", "#d97706", "#78350f"),
    "nonfinite": ("#fee2e2", _WARN, "#7f1d1d"),
}
_LEGEND = {"input": "input (data)", "parameter": "parameter", "constant": "constant",
           "module": "module (collapsed)", "intermediate": "intermediate", "root": "output",
           "nonfinite": "NaN / inf"}
_CLUSTER_FILLS = ("#f5f3ff", "#ede9fe")  # alternating by nesting depth
_INSTALL_HINT = ("Rendering a graph needs the Graphviz 'dot' program, which was not found on "
                 "PATH (the graphviz Python package alone is not enough). Install Graphviz: "
                 "apt-get install graphviz (Debian/Ubuntu), brew install graphviz (macOS) or "
                 "conda install graphviz (conda); then try again. Building the graph and its "
                 "DOT source works without it.")

_NARROW = frozenset(" .,:;()[]'|!il1")
_LINE = 28  # the longest row of values a box shows; longer ones show their range


class GraphvizNotFoundError(RuntimeError):
    """Rendering was asked for, but Graphviz's `dot` program is not installed."""


def _check_graphviz(caller: str) -> None:
    if graphviz is None:
        raise ImportError(f"{caller} needs the graphviz Python package, a dependency of this "
                          "project that is not installed here: pip install graphviz")


class _Digraph(graphviz.Digraph if graphviz else object):
    """A `graphviz.Digraph` whose rendering errors say how to install Graphviz, and which
    Jupyter shows inline through `_repr_svg_` as well as graphviz's `_repr_mimebundle_`.

    `pipe` serves Jupyter's inline display and `save_graph`; `render` serves `view` too.
    """

    def pipe(self, *args, **kwargs):
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound as err:
            raise GraphvizNotFoundError(_INSTALL_HINT) from err

    def render(self, *args, **kwargs):
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound as err:
            raise GraphvizNotFoundError(_INSTALL_HINT) from err

    def _repr_svg_(self) -> str:
        return self.pipe(format="svg", encoding="utf-8")


def draw_graph(root: Value, rankdir: str | None = "LR", show_data: bool = True,
               show_grad: bool = True, module=None, max_nodes: int | None = None,
               groups: dict | None = None, collapse=None, expand=None, explain: bool = False,
               wrap: bool = True) -> graphviz.Digraph:
    """The computation graph that produced `root`, as a `graphviz.Digraph`.

    One box per Value (its name, then data, then grad; scalars as numbers with 4 significant
    digits, tensors of up to 6 elements by their values, larger ones by shape, dtype and
    range), one ellipse per operation, edges input -> op -> output. Parameters (leaves that
    get a gradient), inputs (leaves that need none: data), intermediates and `root` have
    their own colours, and NaN or inf in data or grad paints the box red. Numbers folded into
    the graph (unnamed leaves holding a Python float, such as the 2 of `x * 2`) are drawn as
    plain numbers, and a mean as one `mean` op of its input (`autograd.explain.shown`).

    Layout (`autograd.layout`): `rankdir` is the direction data flows, "LR" (left to right,
    the default) or "TB". A drawing that fits a screen in one line stays on one line; a
    longer one is wrapped, like text, into as many rows ("LR") or columns ("TB") as make it
    smallest, never cutting a top-level box. `rankdir=None` tries both and keeps the
    smaller; `wrap=False` draws one line. `show_data`/`show_grad`: include
    those rows. `max_nodes`: draw only that many Values, the nearest to `root`
    (breadth-first), and stand one dashed "... N more values" box in for the rest.
    `explain=True` labels each edge into an op with the local derivative (when the op's
    output is one number) and the gradient passed back along the edge (after backward).

    `groups`: Value -> a tuple of box labels, outermost first; each Value is drawn inside
    those nested boxes (with its op). `module`: an object with `named_parameters()` (an
    `nn.Module`), whose parameters are drawn under their dotted names; if it has
    `graph_groups(values)`, that gives `groups` (`nn` boxes each sub-module).
    `collapse`: draw boxes as single nodes showing their label, parameter count (elements
    of the leaves inside that get a gradient) and output shapes, with the edges in and out:
    an int d collapses every box at nesting depth d or deeper (1: each top-level box), a
    label or list of labels those boxes (a label's first word is enough: "layers.0" for
    nn's "layers.0 · Layer"). `expand`: labels of boxes to draw open all the same, to look
    into one layer at a time: `collapse=1, expand="layers.1"`.

        >>> from autograd import Value
        >>> a = Value(3.0, name="a")
        >>> b = a * a
        >>> print(draw_graph(b, show_grad=False).source.count("->"))
        3
    """
    _check_graphviz("draw_graph")
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph: root must be a Value, got {type(root).__name__}")
    if max_nodes is not None and max_nodes < 1:
        raise ValueError(f"draw_graph: max_nodes must be at least 1, got {max_nodes}")
    if type(collapse) is int and collapse < 1:
        raise ValueError(f"draw_graph: collapse must be a depth of at least 1 (1 collapses "
                         f"each top-level box) or box labels, got {collapse}")
    keep, hidden = None, 0
    if max_nodes is not None:
        nearest = _nearest_first(root)
        hidden = max(len(nearest) - max_nodes, 0)
        keep = set(nearest[:max_nodes]) if hidden else None
    order = walk(root, keep)
    names = parameter_names(module)
    if groups is None:
        groups = module.graph_groups(order) if hasattr(module, "graph_groups") else {}
    drawing = _Drawing(root, names, groups, show_data, show_grad)
    drawing.add_values(order, _labels(collapse), _labels(expand),
                       collapse if type(collapse) is int else None, explain)
    if hidden:
        drawing.add_more(hidden, order)
    return drawing.graph(str(root.name or "autograd"), rankdir, wrap, explain)


def save_graph(root: Value, path, **kwargs) -> Path:
    """Draw `root`'s graph (`kwargs` as for `draw_graph`) into `path`; returns the path.

    The suffix picks the format: `.svg`, `.png`, `.pdf` (or any other Graphviz output
    format) need the `dot` program; `.dot` and `.gv` write the DOT source and do not.
    """
    _check_graphviz("save_graph")
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in graphviz.FORMATS and fmt != "gv":
        raise ValueError(f"save_graph: cannot tell the format from {str(path)!r}; "
                         "use a suffix such as .svg, .png, .pdf or .dot")
    graph = draw_graph(root, **kwargs)
    if fmt in ("dot", "gv"):
        path.write_text(graph.source, encoding="utf-8")
        return path
    if fmt in _RASTER:
        graph.attr(dpi=_DPI)
    path.write_bytes(graph.pipe(format=fmt))
    return path


def _nearest_first(root: Value) -> list:
    """Every Value that `root` depends on, breadth-first from `root` (inputs in order)."""
    order, seen = [root], {root}
    for v in order:  # `order` grows while we walk it: a queue without pops
        for p in shown(v)[1]:
            if p not in seen:
                seen.add(p)
                order.append(p)
    return order


def _labels(spec) -> set:
    """`collapse`/`expand` given as a label or a list of labels, as a set (else empty)."""
    if spec is None or type(spec) is int:
        return set()
    return {spec} if isinstance(spec, str) else set(spec)


def _named(label: str, labels: set) -> bool:
    return label in labels or label.split(" ", 1)[0] in labels


# ---- the drawing: nodes and edges, then the layout ---------------------------------------
class _Drawing:
    """The nodes (Values, ops, collapsed boxes) and edges of a drawing, then its layout.

    Nodes and edges are kept as DOT lines, not passed through graphviz's per-attribute
    quoting, which would be most of the time on big graphs; they need none (labels are
    HTML-like and escaped, op names plain identifiers). Each node also has its box path
    (the clusters around it) and an estimated size, from which `graph` wraps the layout.
    """

    def __init__(self, root, names, groups, show_data, show_grad):
        self.root, self.names, self.groups = root, names, groups
        self.show_data, self.show_grad = show_data, show_grad
        self.lines, self.path, self.size = {}, {}, {}  # node id -> DOT line, boxes, (w, h)
        self.edges = []  # (tail id, head id, DOT attributes)
        self.kinds = set()
        self.node_of, self.into = {}, {}  # Value -> its node; the node its inputs go into

    def node(self, node: str, line: str, path: tuple, size: tuple) -> None:
        self.lines[node], self.path[node], self.size[node] = line, path, size

    def add_values(self, order, collapse: set, expand: set, depth, explain: bool) -> None:
        boxes, box_ids = {}, {}  # collapsed box path -> its Values; -> its node id
        for i, v in enumerate(order):
            path = self.groups.get(v, ())
            box = _collapsed(path, collapse, expand, depth)
            if box is not None:
                boxes.setdefault(box, []).append(v)
                self.node_of[v] = self.into[v] = box_ids.setdefault(box, f"m{len(box_ids)}")
                continue
            self.node_of[v] = f"v{i}"
            self.add_value(v, f"v{i}", path)
            if v._op is not None:
                self.into[v] = op = f"o{i}"
                name = shown(v)[0]
                self.node(op, f'\t{op} [label="{name}"]\n', path, _ellipse(name))
        boxed = {}  # (tail, head) with a box at one end -> gradient passed (summed)
        leaving = {}  # box id -> the Values inside it used outside it
        for v in order:
            if v._op is None:
                continue
            head, inputs = self.into[v], shown(v)[1]
            for p, label in zip(inputs, _edge_labels(v, inputs, explain)):
                tail = self.node_of.get(p)
                if tail is None or tail == head:  # cut off by max_nodes, or inside one box
                    continue
                if tail[0] == "m" or head[0] == "m":  # one edge per pair, gradients added
                    if tail[0] == "m":
                        leaving.setdefault(tail, []).append(p)
                    g, old = label and label[1], boxed.get((tail, head))
                    boxed[tail, head] = old if g is None else g if old is None else old + g
                else:
                    self.edges.append((tail, head, _edge_attrs(*label) if label else ""))
            if head[0] != "m":
                self.edges.append((head, self.node_of[v], ""))
        self.edges += [(tail, head, _edge_attrs(None, g) if explain and g is not None else "")
                       for (tail, head), g in boxed.items()]
        if self.node_of[self.root][0] == "m":
            leaving.setdefault(self.node_of[self.root], []).append(self.root)
        for box, members in boxes.items():
            self.add_box(box_ids[box], box, members, leaving.get(box_ids[box], ()))

    def add_value(self, v: Value, node: str, path: tuple) -> None:
        kind = _kind(v, self.root, self.names, self.show_grad)
        self.kinds.add(kind)
        if kind == "constant":
            value = number(v._data)
            self.node(node, f'\t{node} [label="{value}" shape=plaintext fontcolor="{_MUTED}" '
                            f'height=0 margin=0]\n', path, (_width(value, 11), 0.2))
            return
        rows = []
        name = self.names.get(v) or v.name
        if name:
            rows.append(_title(name))
        summed = v.ndim and (listing(v.data, _LINE) is None or (
            self.show_grad and v.requires_grad and listing(v.grad, _LINE) is None))
        if summed or not (self.show_data or self.show_grad or name):
            rows.append(_note(f"{v.shape} {v.dtype}" if v.shape else "scalar"))
        if self.show_data:
            rows.append(_field("data", v.data))
        if self.show_grad and v.requires_grad:  # a constant's grad is always 0: no row for it
            rows.append(_field("grad", v.grad))
        self.box(node, rows, kind, path, v is self.root)

    def add_box(self, node: str, path: tuple, members: list, leaving) -> None:
        """A collapsed box: its label, parameter count and the shapes of what leaves it."""
        self.kinds.add("module")
        count = sum(v.size for v in members
                    if v._op is None and (v.requires_grad or v in self.names))
        note = f"{count:,} parameter{'' if count == 1 else 's'}"
        shapes = dict.fromkeys(str(v.shape) if v.shape else "scalar" for v in leaving)
        if shapes:
            note += " \u00b7 out " + ", ".join(shapes)
        self.box(node, [_title(path[-1]), _note(note)], "module", path[:-1],
                 any(v is self.root for v in members))

    def box(self, node: str, rows: list, kind: str, path: tuple, bold: bool) -> None:
        """A rounded box of `rows` in the colours of `kind`, with a thick border if `bold`."""
        fill, border, colour = _PALETTE[kind]
        label, size = _table(rows, colour, border)
        self.node(node, f'\t{node} [label={label} shape=box style="rounded,filled" '
                        f'fillcolor="{fill}" color="{border}" penwidth={2 if bold else 1} '
                        f'margin="0.04,0.02"]\n', path, size)

    def add_more(self, hidden: int, order: list) -> None:
        """One dashed box standing in for the Values that max_nodes cut off."""
        text = f"\u2026 {hidden} more values"
        self.node("more", f'\tmore [label="{text}" shape=box style="dashed,rounded" '
                          f'fillcolor=white fontcolor="{_MUTED}"]\n', (),
                  (_width(text, 11) + 0.2, 0.35))
        heads = [self.into[v] for v in order
                 if v._op is not None and any(p not in self.node_of for p in shown(v)[1])]
        self.edges += [("more", head, "style=dashed") for head in dict.fromkeys(heads)]

    def graph(self, name: str, rankdir: str | None, wrap: bool, explain: bool) -> _Digraph:
        """The Digraph: nodes in their boxes (and bands, if wrapped), edges, the legend."""
        pairs = [(tail, head) for tail, head, _ in self.edges]
        rankdir, band, pos = layout(self.size, self.path, pairs, rankdir, wrap)
        graph = _Digraph(
            name=name,
            graph_attr={"rankdir": rankdir, "fontname": _FONT, "nodesep": str(NODESEP),
                        "ranksep": str(RANKSEP), "pad": "0.15"},
            node_attr={"fontname": _FONT, "fontsize": "11", "shape": "ellipse",
                       "style": "filled", "fillcolor": "#f1f5f9", "color": "#94a3b8",
                       "fontcolor": "#334155", "height": "0.3", "width": "0.4",
                       "margin": "0.06,0.02"},
            edge_attr={"color": "#94a3b8", "arrowsize": "0.6", "fontname": _FONT})
        wrapped = any(band.values())
        where = {node: ((band[node],) if wrapped else ()) + path
                 for node, path in self.path.items()}
        clusters = _clusters(where.values())
        for node, line in self.lines.items():
            (clusters[where[node]] if where[node] else graph).body.append(line)
        # Innermost first: graphviz copies a subgraph's body when it is added to its parent.
        for path in sorted(clusters, key=len, reverse=True):
            (clusters[path[:-1]] if len(path) > 1 else graph).subgraph(clusters[path])
        for tail, head, attrs in self.edges:
            if wrapped and band[tail] != band[head]:  # only edges within a band place nodes
                attrs = f"{attrs} constraint=false".lstrip()
            elif minlen(self.path, tail, head) > 1:
                attrs = f"{attrs} minlen=2".lstrip()
            graph.body.append(f"\t{tail} -> {head}" + (f" [{attrs}]\n" if attrs else "\n"))
        if wrapped:
            # Graphviz orders the bands as the edges from one invisible node to the first
            # node of each band are listed; right-angled edges go straight from band to band
            # (explain's edge labels need curved ones).
            first = {}
            for node, b in band.items():
                if b not in first or pos[node] < pos[first[b]]:
                    first[b] = node
            graph.node("wrap", shape="point", style="invis", width="0", height="0",
                       ordering="out")
            graph.body += [f"\twrap -> {first[b]} [style=invis]\n" for b in sorted(first)]
            if not explain:
                graph.attr(splines="ortho")
        graph.attr(label=_legend(self.kinds, explain), labelloc="b", labeljust="l")
        return graph


def _collapsed(path: tuple, collapse: set, expand: set, depth) -> tuple | None:
    """The box that a Value with boxes `path` (outermost first) is drawn as, if any."""
    for k, label in enumerate(path, 1):
        if not _named(label, expand) and ((depth is not None and k >= depth)
                                          or _named(label, collapse)):
            return path[:k]
    return None


def _clusters(paths) -> dict:
    """An empty cluster for each path and each of its outer paths: a band (an int, first in
    the path) is invisible; a box is labelled, its fill alternating by nesting depth."""
    wanted = {path[:k] for path in paths for k in range(1, len(path) + 1)}
    clusters = {}
    for i, path in enumerate(sorted(wanted, key=lambda p: [str(x) for x in p])):
        if type(path[-1]) is int:
            attrs = {"style": "invis", "label": ""}
        else:
            depth = sum(type(x) is str for x in path)
            attrs = {"label": path[-1], "labeljust": "l", "style": "rounded,filled",
                     "color": "#c4b5fd", "fillcolor": _CLUSTER_FILLS[(depth - 1) % 2],
                     "fontcolor": "#5b21b6", "fontsize": "11"}
        clusters[path] = graphviz.Digraph(name=f"cluster_{i}", graph_attr=attrs)
    return clusters


# ---- labels ------------------------------------------------------------------------------
def _nonfinite(x) -> bool:
    if type(x) is float:
        return not math.isfinite(x)
    return not np.isfinite(x).all()


def _kind(v: Value, root: Value, names: dict, show_grad: bool) -> str:
    if _nonfinite(v.data) or (show_grad and _nonfinite(v.grad)):
        return "nonfinite"
    if v is root:
        return "root"
    if v._op is not None:
        return "intermediate"
    if v.requires_grad or v in names:
        return "parameter"
    return "constant" if is_constant(v) else "input"


def _width(text: str, points: float) -> float:
    """Rough width in inches of `text` in Helvetica: narrow characters are about 0.28 em,
    the others 0.56 em."""
    return sum(0.28 if c in _NARROW else 0.56 for c in text) * points / 72


def _ellipse(name: str) -> tuple:
    return max(0.4, _width(name, 11) + 0.25), 0.3


def _title(name) -> tuple:
    name = str(name)
    return f'<TD COLSPAN="2"><B>{html.escape(name)}</B></TD>', _width(name, 11.5), 1


def _note(text: str) -> tuple:
    return (f'<TD COLSPAN="2"><FONT POINT-SIZE="9" COLOR="{_MUTED}">{html.escape(text)}'
            f'</FONT></TD>', _width(text, 9), 1)


def _field(key: str, x) -> tuple:
    lines = summary(x, _LINE)
    value = '<BR ALIGN="RIGHT"/>'.join(lines)
    if _nonfinite(x):
        value = f'<FONT COLOR="{_WARN}"><B>{value}</B></FONT>'
    return (f'<TD ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="{_MUTED}">{key}</FONT></TD>'
            f'<TD ALIGN="RIGHT">{value}</TD>',
            _width(key, 9) + max(_width(line, 11) for line in lines) + 0.1, len(lines))


def _table(rows: list, colour: str, border: str) -> tuple:
    """An HTML-like Graphviz label of (cell, width, lines) rows, and its size in inches."""
    body = "<HR/>".join(f"<TR>{cell}</TR>" for cell, _, _ in rows)
    label = (f'<<FONT COLOR="{colour}"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" '
             f'CELLPADDING="2" COLOR="{border}">{body}</TABLE></FONT>>')
    return label, (max(w for _, w, _ in rows) + 0.2, sum(n for _, _, n in rows) * 0.2 + 0.08)


def _edge_labels(v: Value, inputs: tuple, explain: bool) -> list:
    """For explain=True, each input's (local derivative or None, gradient passed) from v."""
    if not (explain and v.requires_grad):
        return [None] * len(inputs)
    passed = edge_grads(v, v.grad)
    local = edge_grads(v, ones_like(v)) if v.size == 1 else [None] * len(inputs)
    return [None if g is None else (d, g) for d, g in zip(local, passed)]


def _edge_attrs(local, g) -> str:
    rows = ([] if local is None else [f"local {text(local)}"]) + [f"grad {text(g)}"]
    return (f'label=<<FONT POINT-SIZE="9" COLOR="{_EDGE_TEXT}">'
            f'{"<BR/>".join(html.escape(row) for row in rows)}</FONT>>')


def _legend(kinds: set, explain: bool) -> str:
    """A one-line key to the colours of the kinds of node present (and to explain's edges)."""
    cells = "".join(
        f'<TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1" STYLE="ROUNDED">'
        f'<FONT COLOR="{text}" POINT-SIZE="9">{_LEGEND[kind]}</FONT></TD>'
        for kind, (fill, border, text) in _PALETTE.items() if kind in kinds)
    if explain:
        cells += (f'<TD><FONT COLOR="{_EDGE_TEXT}" POINT-SIZE="9">edges: local derivative, '
                  'gradient passed back</FONT></TD>')
    return f'<<TABLE BORDER="0" CELLSPACING="4" CELLPADDING="3"><TR>{cells}</TR></TABLE>>'


# ---- command line ------------------------------------------------------------------------
def _example_neuron() -> Value:
    """o = tanh(w1*x1 + w2*x2 + b) with its backward pass done: a graph to look at."""
    x1, x2 = Value(1.5, name="x1"), Value(-0.5, name="x2")
    w1, w2, b = Value(0.8, name="w1"), Value(-1.2, name="w2"), Value(0.1, name="b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.name, x2w2.name = "x1*w1", "x2*w2"
    n = x1w1 + x2w2 + b
    n.name = "n"
    o = n.tanh()
    o.name = "o"
    o.backward()
    return o


def main(argv: list | None = None) -> int:
    """`python -m autograd.viz [out.svg]`: draw an example neuron's graph and say where."""
    parser = argparse.ArgumentParser(
        prog="python -m autograd.viz",
        description="Draw the graph of o = tanh(w1*x1 + w2*x2 + b), after o.backward().")
    parser.add_argument("path", nargs="?", default="graph.svg",
                        help="output file; its suffix (.svg, .png, .pdf, .dot) picks the "
                             "format (default: graph.svg)")
    path = Path(parser.parse_args(argv).path)
    try:
        save_graph(_example_neuron(), path)
    except (GraphvizNotFoundError, ValueError) as err:
        parser.exit(1, f"error: {err}\n")
    print(f"Wrote the graph of o = tanh(w1*x1 + w2*x2 + b) to {path.resolve()}")
    return 0


if __name__ == "__main__":
    main()
