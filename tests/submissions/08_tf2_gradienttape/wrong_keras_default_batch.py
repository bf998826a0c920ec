# exercise: train_keras
# expect: batch_size
def train_keras(model, x, y, learning_rate, num_steps):
    """fit() without batch_size: Keras splits N > 32 examples into mini-batches of 32."""
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=learning_rate), loss="mse")
    history = model.fit(x, y, epochs=num_steps, shuffle=False, verbose=0)
    return [float(v) for v in history.history["loss"]]
