# exercise: make_train_step
# expect: updated in place with assign_sub
def make_train_step(learning_rate):
    """Rebinds local names instead of assigning to the Variables: nothing changes outside."""

    @tf.function
    def step(x, y, w1, w2):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum((tf.nn.relu(x @ w1) @ w2 - y) ** 2)
        grad_w1, grad_w2 = tape.gradient(loss, [w1, w2])
        w1 = w1 - learning_rate * grad_w1
        w2 = w2 - learning_rate * grad_w2
        return loss

    return step
