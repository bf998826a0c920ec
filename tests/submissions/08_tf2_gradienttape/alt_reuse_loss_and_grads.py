# exercise: make_train_step
def make_train_step(learning_rate):
    """Wraps tf_loss_and_grads with tf.function(...) and updates with assign(w - lr * g)."""

    def step(x, y, w1, w2):
        loss, grad_w1, grad_w2 = tf_loss_and_grads(x, y, w1, w2)
        for w, g in ((w1, grad_w1), (w2, grad_w2)):
            w.assign(w - tf.constant(learning_rate, dtype=w.dtype) * g)
        return tf.identity(loss)

    return tf.function(step, reduce_retracing=True)
