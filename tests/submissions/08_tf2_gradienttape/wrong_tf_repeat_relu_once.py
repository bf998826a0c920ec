# exercise: tf_repeat
# expect: relu only once
@tf.function
def tf_repeat(x, w, depth):
    """The ReLU applied once, after the loop."""
    h = x
    for _ in tf.range(depth):
        h = h @ w
    return tf.nn.relu(h)
