# exercise: tf_loss_and_grads
# expect: wrong variable
def tf_loss_and_grads(x, y, w1, w2):
    """The gradients come back in the order of the sources list, here unpacked the wrong way round."""
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum((tf.nn.relu(x @ w1) @ w2 - y) ** 2)
    grad_w2, grad_w1 = tape.gradient(loss, [w1, w2])
    return loss, grad_w1, grad_w2
