# exercise: train_keras
# expect: not the sum
def train_keras(model, x, y, learning_rate, num_steps):
    """The sum of squares instead of the documented mean squared error."""
    optimizer = tf.keras.optimizers.SGD(learning_rate=learning_rate)
    y = tf.cast(y, tf.float32)
    losses = []
    for _ in range(num_steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum((model(x) - y) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        losses.append(float(loss))
    return losses
