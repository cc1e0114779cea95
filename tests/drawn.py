"""Reading draw_graph's DOT source back: shared by the engine's and nn's drawing tests."""
import re

NODE = re.compile(r"^\s*(\w+) \[(.*)\]$")
EDGE = re.compile(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?$")
CLUSTER_LABEL = re.compile(r'^\s*graph \[.*label="?([^"]*?)"? \w+=')


class Drawing:
    """A draw_graph result taken apart: value labels, op names, edges and clusters by id."""

    def __init__(self, graph):
        self.source = graph.source
        self.values, self.ops, self.edges, self.cluster_of = {}, {}, [], {}
        self.more = None  # the attributes of the "... N more values" node
        self.parent_cluster, stack = {}, []
        for line in self.source.splitlines():
            if line.strip().startswith("subgraph cluster_"):
                stack.append(None)  # its label comes on the next line
            elif stack and stack[-1] is None and CLUSTER_LABEL.match(line):
                stack[-1] = CLUSTER_LABEL.match(line).group(1)
                self.parent_cluster[stack[-1]] = stack[-2] if len(stack) > 1 else None
            elif line.strip() == "}" and stack:
                stack.pop()
            elif EDGE.match(line):
                self.edges.append(EDGE.match(line).groups())
            elif NODE.match(line):
                node, attrs = NODE.match(line).groups()
                if node == "more":
                    self.more = attrs
                if node in ("graph", "node", "edge", "more"):
                    continue
                if node.startswith("v"):
                    self.values[node] = attrs
                else:
                    self.ops[node] = re.match(r'label="?(\w+)', attrs).group(1)
                self.cluster_of[node] = stack[-1] if stack else None

    def value(self, text: str) -> str:
        """The id of the one value node whose label contains `text`."""
        found = [n for n, attrs in self.values.items() if text in attrs]
        assert len(found) == 1, f"{len(found)} value nodes contain {text!r}"
        return found[0]

    def op_names(self) -> list:
        return sorted(self.ops.values())

    def inputs_of(self, node: str) -> list:
        return [a for a, b, _ in self.edges if b == node]
