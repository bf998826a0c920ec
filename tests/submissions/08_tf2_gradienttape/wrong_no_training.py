# exercise: train_keras
# expect: never changes
def train_keras(model, x, y, learning_rate, num_steps):
    """Evaluates the loss num_steps times but never updates the weights."""
    y = tf.cast(y, tf.float32)
    return [float(tf.reduce_mean((model(x) - y) ** 2)) for _ in range(num_steps)]
