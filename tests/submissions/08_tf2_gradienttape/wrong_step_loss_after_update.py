# exercise: make_train_step
# expect: one step ahead
def make_train_step(learning_rate):
    """Returns the loss computed again after the update."""

    @tf.function
    def step(x, y, w1, w2):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum((tf.nn.relu(x @ w1) @ w2 - y) ** 2)
        grad_w1, grad_w2 = tape.gradient(loss, [w1, w2])
        w1.assign_sub(learning_rate * grad_w1)
        w2.assign_sub(learning_rate * grad_w2)
        return tf.reduce_sum((tf.nn.relu(x @ w1) @ w2 - y) ** 2)

    return step
