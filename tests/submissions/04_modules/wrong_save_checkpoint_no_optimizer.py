# exercise: save_checkpoint
# expect: optimizer's state was not restored
def save_checkpoint(path, model, optimizer, step):
    # the model and the step only: momentum buffers / Adam's averages are lost
    torch.save({"model": model.state_dict(), "step": step}, path)


def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model"])
    return checkpoint["step"]
