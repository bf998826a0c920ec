# exercise: count_graph_nodes
def count_graph_nodes(t):
    # Recursive depth-first search, remembering nodes by id (kept alive in the dict).
    seen = {}

    def visit(node):
        if node is None or id(node) in seen:
            return
        seen[id(node)] = node
        for child, _ in node.next_functions:
            visit(child)

    visit(t.grad_fn)
    return len(seen)
