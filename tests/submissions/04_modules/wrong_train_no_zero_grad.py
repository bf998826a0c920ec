# exercise: train
# expect: without zero_grad
def train(model, x, y, loss_fn, optimizer, num_steps):
    # never clears .grad: gradients accumulate over the steps
    losses = []
    for _ in range(num_steps):
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
    return losses
