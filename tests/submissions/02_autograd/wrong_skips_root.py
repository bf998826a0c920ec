# exercise: count_graph_nodes
# expect: t.grad_fn itself
def count_graph_nodes(t):
    # Mistake: starts from the children of t.grad_fn, so the root node itself is never counted.
    if t.grad_fn is None:
        return 0
    seen, stack = set(), [child for child, _ in t.grad_fn.next_functions]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        stack.extend(child for child, _ in node.next_functions)
    return len(seen)
