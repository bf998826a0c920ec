# exercise: build_keras_model
# expect: last dense layer must have d_out
def build_keras_model(d_in, hidden, d_out):
    """The two layer widths the wrong way round."""
    return tf.keras.Sequential(
        [
            tf.keras.Input(shape=(d_in,)),
            tf.keras.layers.Dense(d_out, activation="relu"),
            tf.keras.layers.Dense(hidden),
        ]
    )
