# exercise: save_checkpoint
# expect: in place
def save_checkpoint(path, model, optimizer, step):
    torch.save(
        {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step}, path
    )


def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=True)
    # assign=True puts the loaded tensors in as new parameters: the optimizer still holds the old ones
    model.load_state_dict(checkpoint["model"], assign=True)
    optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["step"]
