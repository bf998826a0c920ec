# exercise: make_train_step
# expect: twice as large
def make_train_step(learning_rate):
    """Each update applied twice (a second assign_sub that should not be there)."""

    @tf.function
    def step(x, y, w1, w2):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum((tf.nn.relu(x @ w1) @ w2 - y) ** 2)
        grad_w1, grad_w2 = tape.gradient(loss, [w1, w2])
        for _ in range(2):
            w1.assign_sub(learning_rate * grad_w1)
            w2.assign_sub(learning_rate * grad_w2)
        return loss

    return step
