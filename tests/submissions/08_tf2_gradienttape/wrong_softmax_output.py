# exercise: build_keras_model
# expect: went through a softmax
def build_keras_model(d_in, hidden, d_out):
    """An activation on the output layer that should not be there."""
    return tf.keras.Sequential(
        [
            tf.keras.Input(shape=(d_in,)),
            tf.keras.layers.Dense(hidden, activation="relu"),
            tf.keras.layers.Dense(d_out, activation="softmax"),
        ]
    )
