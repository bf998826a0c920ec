# exercise: tf_conditional
# expect: sum(x) == 0
@tf.function
def tf_conditional(x, w1, w2):
    """>= instead of >: a sum of exactly 0 takes the first branch."""
    return tf.cond(tf.reduce_sum(x) >= 0, lambda: tf.matmul(x, w1), lambda: tf.matmul(x, w2))
