# exercise: tf_loss_and_grads
# expect: a mean instead of a sum
def tf_loss_and_grads(x, y, w1, w2):
    """A mean squared error instead of the sum of squares."""
    with tf.GradientTape() as tape:
        y_pred = tf.matmul(tf.nn.relu(tf.matmul(x, w1)), w2)
        loss = tf.reduce_mean((y_pred - y) ** 2)
    grad_w1, grad_w2 = tape.gradient(loss, [w1, w2])
    return loss, grad_w1, grad_w2
