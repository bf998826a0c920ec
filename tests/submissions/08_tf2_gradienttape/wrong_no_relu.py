# exercise: build_keras_model
# expect: the model is linear
def build_keras_model(d_in, hidden, d_out):
    """Forgets the ReLU: a linear model."""
    return tf.keras.Sequential(
        [
            tf.keras.Input(shape=(d_in,)),
            tf.keras.layers.Dense(hidden),
            tf.keras.layers.Dense(d_out),
        ]
    )
