# exercise: save_checkpoint
# expect: weights_only=True
def save_checkpoint(path, model, optimizer, step):
    torch.save(
        {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step}, path
    )


def load_checkpoint(path, model, optimizer):
    # unpickles anything in the file, and runs whatever code it names
    checkpoint = torch.load(path, weights_only=False)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["step"]
