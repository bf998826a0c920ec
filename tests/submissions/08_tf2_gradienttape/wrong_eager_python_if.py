# exercise: tf_conditional
# expect: should be a tf.function
def tf_conditional(x, w1, w2):
    """Right values, but the condition is decided eagerly in Python: no tf.function, no graph."""
    if float(tf.reduce_sum(x)) > 0:
        return tf.matmul(x, w1)
    return tf.matmul(x, w2)
