# exercise: tf_conditional
# expect: took the wrong branch
@tf.function
def tf_conditional(x, w1, w2):
    """The branches the wrong way round."""
    return tf.cond(tf.reduce_sum(x) > 0, lambda: tf.matmul(x, w2), lambda: tf.matmul(x, w1))
