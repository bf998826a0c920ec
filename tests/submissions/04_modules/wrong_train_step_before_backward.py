# exercise: train
# expect: after loss.backward()
def train(model, x, y, loss_fn, optimizer, num_steps):
    # steps before the gradients exist
    losses = []
    for _ in range(num_steps):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        optimizer.step()
        loss.backward()
    return losses
