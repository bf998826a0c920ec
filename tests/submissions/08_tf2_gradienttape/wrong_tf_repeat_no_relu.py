# exercise: tf_repeat
# expect: without relu
@tf.function
def tf_repeat(x, w, depth):
    """Forgets the ReLU: h @ w^depth."""
    h = x
    for _ in tf.range(depth):
        h = tf.matmul(h, w)
    return h
