# exercise: count_graph_nodes
from collections import deque


def count_graph_nodes(t):
    # Breadth-first search with a queue.
    if t.grad_fn is None:
        return 0
    queue = deque([t.grad_fn])
    nodes = [t.grad_fn]
    while queue:
        for child, _ in queue.popleft().next_functions:
            if child is not None and not any(child is n for n in nodes):
                nodes.append(child)
                queue.append(child)
    return len(nodes)
