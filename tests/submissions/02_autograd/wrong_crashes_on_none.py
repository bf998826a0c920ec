# exercise: count_graph_nodes
# expect: skip None
def count_graph_nodes(t):
    # Mistake: follows (None, 0) entries of next_functions as if they were nodes.
    if t.grad_fn is None:
        return 0
    seen = set()
    stack = [t.grad_fn]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(child for child, _ in node.next_functions)
    return len(seen)
