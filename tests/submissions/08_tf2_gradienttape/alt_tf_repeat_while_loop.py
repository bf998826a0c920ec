# exercise: tf_repeat
@tf.function
def tf_repeat(x, w, depth):
    """tf.while_loop written out: a counter and the state as loop variables, tf.maximum as the ReLU."""

    def keep_going(step, h):
        return step < depth

    def body(step, h):
        return step + 1, tf.maximum(tf.linalg.matmul(h, w), tf.zeros_like(h))

    _, h = tf.while_loop(keep_going, body, (tf.constant(0, dtype=depth.dtype), x))
    return h
