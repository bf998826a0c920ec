# exercise: count_graph_nodes
# expect: not once per path
def count_graph_nodes(t):
    # Mistake: no memory of visited nodes, so a node reachable by two paths is counted twice.
    def count(node):
        if node is None:
            return 0
        return 1 + sum(count(child) for child, _ in node.next_functions)

    return count(t.grad_fn)
