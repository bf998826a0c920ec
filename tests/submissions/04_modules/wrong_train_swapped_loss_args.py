# exercise: train
# expect: loss_fn(y_pred, y)
def train(model, x, y, loss_fn, optimizer, num_steps):
    # target first, prediction second: harmless for a symmetric loss such as MSE, wrong in general
    losses = []
    for _ in range(num_steps):
        optimizer.zero_grad()
        loss = loss_fn(y, model(x))
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
    return losses
