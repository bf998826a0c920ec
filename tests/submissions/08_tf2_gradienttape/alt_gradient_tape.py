# exercise: train_keras
def train_keras(model, x, y, learning_rate, num_steps):
    """Our own loop: a GradientTape, Keras' MSE loss object and optimizer.apply_gradients."""
    optimizer = tf.keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.0)
    mse = tf.keras.losses.MeanSquaredError()
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    y = tf.convert_to_tensor(y, dtype=tf.float32)
    losses = []
    for _ in range(num_steps):
        with tf.GradientTape() as tape:
            loss = mse(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        losses.append(loss.numpy().item())
    return losses
