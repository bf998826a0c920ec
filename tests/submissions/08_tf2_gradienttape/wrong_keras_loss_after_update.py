# exercise: train_keras
# expect: one step ahead
def train_keras(model, x, y, learning_rate, num_steps):
    """Reports each step's loss after its update."""
    optimizer = tf.keras.optimizers.SGD(learning_rate=learning_rate)
    y = tf.cast(y, tf.float32)
    losses = []
    for _ in range(num_steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(x) - y) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        losses.append(float(tf.reduce_mean((model(x) - y) ** 2)))
    return losses
