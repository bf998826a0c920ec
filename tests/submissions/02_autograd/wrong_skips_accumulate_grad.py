# exercise: count_graph_nodes
# expect: AccumulateGrad node of the leaf
def count_graph_nodes(t):
    # Mistake: leaves out the AccumulateGrad nodes at the leaves.
    seen = set()
    stack = [t.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen or type(node).__name__ == "AccumulateGrad":
            continue
        seen.add(node)
        stack.extend(child for child, _ in node.next_functions)
    return len(seen)
