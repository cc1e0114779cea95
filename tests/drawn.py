"""Reading draw_graph's DOT source back: shared by the engine's and nn's drawing tests."""
import re

NODE = re.compile(r"^\s*(\w+) \[(.*)\]$")
EDGE = re.compile(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?$")
CLUSTER_LABEL = re.compile(r'^\s*graph \[.*label="?([^"]*?)"? \w+=')
BAND = object()  # an invisible cluster holding one band of a wrapped drawing


class Drawing:
    """A draw_graph result taken apart by node id: value labels (`v`), op names (`o`),
    collapsed boxes (`m`), edges, the boxes (clusters) around each node, and the bands."""

    def __init__(self, graph):
        self.source = graph.source
        self.values, self.ops, self.boxes, self.edges, self.cluster_of = {}, {}, {}, [], {}
        self.band_of = {}  # node -> its band, for a wrapped drawing
        self.more = None  # the attributes of the "... N more values" node
        self.parent_cluster, stack, bands = {}, [], 0
        for line in self.source.splitlines():
            if line.strip().startswith("subgraph cluster_"):
                stack.append(None)  # its label comes on the next line
            elif stack and stack[-1] is None and line.strip().startswith("graph ["):
                if "style=invis" in line:
                    stack[-1] = (BAND, bands)
                    bands += 1
                else:
                    stack[-1] = CLUSTER_LABEL.match(line).group(1)
                    boxes = [s for s in stack[:-1] if type(s) is str]
                    self.parent_cluster[stack[-1]] = boxes[-1] if boxes else None
            elif line.strip() == "}" and stack:
                stack.pop()
            elif EDGE.match(line):
                if not line.strip().startswith("wrap "):  # the node that orders the bands
                    self.edges.append(EDGE.match(line).groups())
            elif NODE.match(line):
                node, attrs = NODE.match(line).groups()
                if node == "more":
                    self.more = attrs
                if node in ("graph", "node", "edge", "more", "wrap"):
                    continue
                if node.startswith("v"):
                    self.values[node] = attrs
                elif node.startswith("m"):
                    self.boxes[node] = attrs
                else:
                    self.ops[node] = re.match(r'label="?(\w+)', attrs).group(1)
                boxes = [s for s in stack if type(s) is str]
                self.cluster_of[node] = boxes[-1] if boxes else None
                bands_here = [s[1] for s in stack if type(s) is tuple]
                self.band_of[node] = bands_here[0] if bands_here else 0

    def value(self, text: str) -> str:
        """The id of the one value node whose label contains `text`."""
        found = [n for n, attrs in self.values.items() if text in attrs]
        assert len(found) == 1, f"{len(found)} value nodes contain {text!r}"
        return found[0]

    def box(self, text: str) -> str:
        """The id of the one collapsed box whose label contains `text`."""
        found = [n for n, attrs in self.boxes.items() if text in attrs]
        assert len(found) == 1, f"{len(found)} boxes contain {text!r}"
        return found[0]

    def op_names(self) -> list:
        return sorted(self.ops.values())

    def inputs_of(self, node: str) -> list:
        return [a for a, b, _ in self.edges if b == node]

    def outputs_of(self, node: str) -> list:
        return [b for a, b, _ in self.edges if a == node]
