# exercise: tf_loss_and_grads
# expect: through the relu
def tf_loss_and_grads(x, y, w1, w2):
    """Right loss, gradients written by hand that forget the ReLU's mask."""
    h_pre = tf.matmul(x, w1)
    h = tf.nn.relu(h_pre)
    diff = tf.matmul(h, w2) - y
    loss = tf.reduce_sum(diff**2)
    grad_y_pred = 2.0 * diff
    grad_w2 = tf.matmul(h, grad_y_pred, transpose_a=True)
    grad_h = tf.matmul(grad_y_pred, w2, transpose_b=True)
    grad_w1 = tf.matmul(x, grad_h, transpose_a=True)  # missing: grad_h * (h_pre > 0)
    return loss, grad_w1, grad_w2
