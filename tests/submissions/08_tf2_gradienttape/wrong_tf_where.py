# exercise: tf_conditional
# expect: no conditional op
@tf.function
def tf_conditional(x, w1, w2):
    """Right values, but both products are computed and one is selected: no tf.cond in the graph."""
    return tf.where(tf.reduce_sum(x) > 0, tf.matmul(x, w1), tf.matmul(x, w2))
