"""Draw a Value's computation graph with Graphviz: every value, gradient and operation.

    >>> from autograd import Value, draw_graph
    >>> w, x = Value(0.5, name="w"), Value(2.0, name="x")
    >>> y = (w * x).tanh()
    >>> y.backward()
    >>> g = draw_graph(y)        # a graphviz.Digraph
    >>> "tanh" in g.source
    True

Each Value is a box showing its name, data and grad; each operation is a small ellipse between
its inputs and its output, so the picture reads in the direction data flows. Building the
`Digraph` and its DOT source (`g.source`) needs only the `graphviz` Python package. Rendering
needs Graphviz's `dot` program: `save_graph(root, "graph.svg")`, `g.render(...)`, and the
inline display in Jupyter, which comes from graphviz's own `_repr_mimebundle_` (leave `g` as
the last expression of a cell). Without `dot` they raise `GraphvizNotFoundError`, which says
how to install it.

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
except ImportError as err:
    raise ImportError("autograd.viz needs the graphviz Python package: "
                      "pip install graphviz") from err

from .value import Value

_SMALL = 6  # tensors with at most this many elements show all their values
_RASTER = {"png", "jpg", "jpeg", "gif", "bmp", "webp"}
_DPI = "144"  # raster output at 1.5x the default 96 dpi, sharp on high-density screens
_FONT = "Helvetica,Arial,sans-serif"
_MUTED = "#64748b"
_WARN = "#dc2626"

# Node kind -> (fill, border, text) colours, in the order the legend lists them.
_PALETTE = {
    "leaf": ("#e0f2fe", "#0284c7", "#0c4a6e"),
    "parameter": ("#dcfce7", "#16a34a", "#14532d"),
    "constant": ("#f8fafc", "#cbd5e1", _MUTED),
    "intermediate": ("#ffffff", "#94a3b8", "#1e293b"),
    "root": ("#fef3c7", "#d97706", "#78350f"),
    "nonfinite": ("#fee2e2", _WARN, "#7f1d1d"),
}
_LEGEND = {"leaf": "input", "parameter": "parameter", "constant": "constant",
           "intermediate": "intermediate", "root": "output", "nonfinite": "NaN / inf"}
_CLUSTER_FILLS = ("#f5f3ff", "#ede9fe")  # alternating by nesting depth
_INSTALL_HINT = ("Rendering a graph needs the Graphviz 'dot' program, which was not found on "
                 "PATH (the graphviz Python package alone is not enough). Install Graphviz: "
                 "apt-get install graphviz (Debian/Ubuntu), brew install graphviz (macOS) or "
                 "conda install graphviz (conda); then try again. Building the graph and its "
                 "DOT source works without it.")


class GraphvizNotFoundError(RuntimeError):
    """Rendering was asked for, but Graphviz's `dot` program is not installed."""


class _Digraph(graphviz.Digraph):
    """A `graphviz.Digraph` whose rendering errors say how to install Graphviz.

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


def draw_graph(root: Value, rankdir: str = "LR", show_data: bool = True, show_grad: bool = True,
               module=None, max_nodes: int | None = None, groups: dict | None = None
               ) -> graphviz.Digraph:
    """The computation graph that produced `root`, as a `graphviz.Digraph`.

    One box per Value (its name, then data, then grad; scalars as numbers with 4 significant
    digits, tensors of up to 6 elements by their values, larger ones by shape, dtype and
    min/mean/max), one ellipse per operation, edges input -> op -> output. Inputs, constants
    (leaves that need no grad), parameters, intermediates and `root` have their own colours,
    and NaN or inf in data or grad paints the box red.

    `rankdir`: Graphviz layout direction ("LR", "TB", ...). `show_data`/`show_grad`: include
    those rows. `max_nodes`: draw only that many Values, the nearest to `root` (breadth-first),
    and stand one dashed "... N more values" box in for the rest.

    `groups`: Value -> a tuple of box labels, outermost first; each Value is drawn inside
    those nested boxes (with its op). `module`: an object with `named_parameters()` (an
    `nn.Module`), whose parameters are drawn as parameters under their dotted names; if it
    has `graph_groups(values)`, that gives `groups` (`nn` boxes each sub-module).

        >>> from autograd import Value
        >>> a = Value(3.0, name="a")
        >>> b = a * a
        >>> print(draw_graph(b, show_grad=False).source.count("->"))
        3
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph: root must be a Value, got {type(root).__name__}")
    if max_nodes is not None and max_nodes < 1:
        raise ValueError(f"draw_graph: max_nodes must be at least 1, got {max_nodes}")
    keep, hidden = None, 0
    if max_nodes is not None:
        nearest = _nearest_first(root)
        hidden = max(len(nearest) - max_nodes, 0)
        keep = set(nearest[:max_nodes]) if hidden else None
    order = _toposort(root, keep)
    names = _parameter_names(module)
    if groups is None:
        groups = module.graph_groups(order) if hasattr(module, "graph_groups") else {}

    graph = _Digraph(
        name=str(root.name or "autograd"),
        graph_attr={"rankdir": rankdir, "fontname": _FONT, "nodesep": "0.25",
                    "ranksep": "0.3", "pad": "0.2"},
        node_attr={"fontname": _FONT, "fontsize": "11", "shape": "ellipse", "style": "filled",
                   "fillcolor": "#f1f5f9", "color": "#94a3b8", "fontcolor": "#334155",
                   "height": "0.3", "margin": "0.06,0.02"},
        edge_attr={"color": "#94a3b8", "arrowsize": "0.6"})
    clusters = _clusters(groups.get(v, ()) for v in order)
    ids = {v: f"v{i}" for i, v in enumerate(order)}
    kinds = set()
    # Nodes and edges go straight into `body` as DOT lines: graphviz's per-attribute quoting
    # would be most of the time on big graphs, and these lines need none (the labels are
    # HTML-like and escaped, the op names plain identifiers).
    for v in order:
        kind = _kind(v, root, names, show_grad)
        kinds.add(kind)
        fill, border, _ = _PALETTE[kind]
        label = _value_label(v, names.get(v) or v.name, kind, show_data, show_grad)
        lines = clusters[groups[v]].body if groups.get(v) else graph.body
        lines.append(f'\t{ids[v]} [label={label} shape=box style="rounded,filled" '
                     f'fillcolor="{fill}" color="{border}" penwidth={2 if v is root else 1} '
                     f'margin="0.04,0.02"]\n')
        if v.parents:
            lines.append(f'\to{ids[v]} [label="{v.op}"]\n')
    # Innermost first: graphviz copies a subgraph's body when it is added to its parent.
    for path in sorted(clusters, key=len, reverse=True):
        (clusters[path[:-1]] if len(path) > 1 else graph).subgraph(clusters[path])
    if hidden:
        graph.node("more", f"\u2026 {hidden} more values", shape="box",
                   style="dashed,rounded", fillcolor="white", fontcolor=_MUTED)
    for v in order:
        if v.parents:
            op = "o" + ids[v]
            graph.body.extend(f"\t{ids[p]} -> {op}\n" for p in v.parents if p in ids)
            graph.body.append(f"\t{op} -> {ids[v]}\n")
            if any(p not in ids for p in v.parents):
                graph.edge("more", op, style="dashed")
    graph.attr(label=_legend(kinds), labelloc="b", labeljust="l")
    return graph


def save_graph(root: Value, path, **kwargs) -> Path:
    """Draw `root`'s graph (`kwargs` as for `draw_graph`) into `path`; returns the path.

    The suffix picks the format: `.svg`, `.png`, `.pdf` (or any other Graphviz output
    format) need the `dot` program; `.dot` and `.gv` write the DOT source and do not.
    """
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


# ---- walking the graph (iteratively: graphs may have 100k+ nodes) ------------------------
def _nearest_first(root: Value) -> list:
    """Every Value that `root` depends on, breadth-first from `root` (inputs in order)."""
    order, seen = [root], {root}
    for v in order:  # `order` grows while we walk it: a queue without pops
        for p in v.parents:
            if p not in seen:
                seen.add(p)
                order.append(p)
    return order


def _toposort(root: Value, keep: set | None) -> list:
    """The Values `root` depends on (only those in `keep`, if given), inputs first."""
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        v, expanded = stack.pop()
        if expanded:  # all of v's inputs are in `order` now
            order.append(v)
        elif v not in visited:
            visited.add(v)
            stack.append((v, True))
            stack.extend((p, False) for p in reversed(v.parents)
                         if p not in visited and (keep is None or p in keep))
    return order


# ---- parameters and boxes ----------------------------------------------------------------
def _parameter_names(module) -> dict:
    """Value -> dotted parameter name, from `module.named_parameters()` (first name wins)."""
    names = {}
    if module is not None:
        for name, p in module.named_parameters():
            names.setdefault(p, name)
    return names


def _clusters(paths) -> dict:
    """An empty labelled cluster for each box path (a tuple of labels) and each of its
    outer boxes; fills alternate by nesting depth."""
    wanted = {path[:k] for path in paths for k in range(1, len(path) + 1)}
    return {path: graphviz.Digraph(name=f"cluster_{i}", graph_attr={
        "label": path[-1], "labeljust": "l", "style": "rounded,filled", "color": "#c4b5fd",
        "fillcolor": _CLUSTER_FILLS[(len(path) - 1) % 2], "fontcolor": "#5b21b6",
        "fontsize": "11"}) for i, path in enumerate(sorted(wanted))}


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
    if v in names:
        return "parameter"
    if v.is_leaf:
        return "leaf" if v.requires_grad else "constant"
    return "intermediate"


def _number(x) -> str:
    return f"{x + 0.0:.4g}"  # + 0.0 turns -0.0 into 0.0


def _format(x) -> str:
    """A float or array as label text: the values if small, else min/mean/max."""
    if type(x) is float or x.ndim == 0:
        return _number(float(x))
    if x.size <= _SMALL:
        text = np.array2string(x, separator=", ", max_line_width=10**6,
                               formatter={"float_kind": _number})
        return '<BR ALIGN="RIGHT"/>'.join(line.strip() for line in text.split("\n"))
    text = f"min {_number(x.min())}  mean {_number(x.mean())}  max {_number(x.max())}"
    bad = x.size - int(np.isfinite(x).sum())
    return text + (f"  ({bad} not finite)" if bad else "")


def _field(key: str, x) -> str:
    value = _format(x)
    if _nonfinite(x):
        value = f'<FONT COLOR="{_WARN}"><B>{value}</B></FONT>'
    return (f'<TD ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="{_MUTED}">{key}</FONT></TD>'
            f'<TD ALIGN="RIGHT">{value}</TD>')


def _value_label(v: Value, name: str | None, kind: str, show_data: bool,
                 show_grad: bool) -> str:
    """An HTML-like Graphviz label: a table of name / shape / data / grad rows."""
    _, border, text = _PALETTE[kind]
    rows = []
    if name:
        rows.append(f'<TD COLSPAN="2"><B>{html.escape(str(name))}</B></TD>')
    if v.size > _SMALL or not (show_data or show_grad or name):
        shape = f"{v.shape} {v.dtype}" if v.shape else "scalar"
        rows.append(f'<TD COLSPAN="2"><FONT POINT-SIZE="9" COLOR="{_MUTED}">{shape}</FONT></TD>')
    if show_data:
        rows.append(_field("data", v.data))
    if show_grad and v.requires_grad:  # a constant's grad is always 0: no row for it
        rows.append(_field("grad", v.grad))
    body = "<HR/>".join(f"<TR>{row}</TR>" for row in rows)
    return (f'<<FONT COLOR="{text}"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" '
            f'CELLPADDING="3" COLOR="{border}">{body}</TABLE></FONT>>')


def _legend(kinds: set) -> str:
    """A one-line colour key for the kinds of Value present in the graph."""
    cells = "".join(
        f'<TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1" STYLE="ROUNDED">'
        f'<FONT COLOR="{text}" POINT-SIZE="9">{_LEGEND[kind]}</FONT></TD>'
        for kind, (fill, border, text) in _PALETTE.items() if kind in kinds)
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
