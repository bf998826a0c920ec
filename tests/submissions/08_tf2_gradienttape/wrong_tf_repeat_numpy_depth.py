# exercise: tf_repeat
# expect: symbolic tensor
@tf.function
def tf_repeat(x, w, depth):
    """Asks the depth tensor for its value: there is none while TensorFlow traces the function."""
    h = x
    for _ in range(depth.numpy()):
        h = tf.nn.relu(h @ w)
    return h
