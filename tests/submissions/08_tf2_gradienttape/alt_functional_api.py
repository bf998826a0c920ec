# exercise: build_keras_model
def build_keras_model(d_in, hidden, d_out):
    """Keras' functional API, with a separate ReLU layer."""
    inputs = tf.keras.Input(shape=(d_in,))
    h = tf.keras.layers.ReLU()(tf.keras.layers.Dense(hidden)(inputs))
    outputs = tf.keras.layers.Dense(d_out, activation=None)(h)
    return tf.keras.Model(inputs=inputs, outputs=outputs)
