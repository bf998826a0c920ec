# exercise: tf_repeat
# expect: should be a tf.function
def tf_repeat(x, w, depth):
    """Right numbers, but an eager Python loop: no graph at all."""
    h = x
    for _ in range(int(depth)):
        h = tf.nn.relu(h @ w)
    return h
