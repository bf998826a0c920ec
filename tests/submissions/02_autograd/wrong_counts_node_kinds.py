# exercise: count_graph_nodes
# expect: not their names or kinds
def count_graph_nodes(t):
    # Mistake: remembers visited nodes by name, so two different nodes of one kind
    # (two SumBackward0, two AccumulateGrad) count once.
    if t.grad_fn is None:
        return 0
    names, stack = set(), [t.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node.name() in names:
            continue
        names.add(node.name())
        stack.extend(child for child, _ in node.next_functions)
    return len(names)
