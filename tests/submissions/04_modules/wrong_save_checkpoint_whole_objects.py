# exercise: save_checkpoint
# expect: state_dict
def save_checkpoint(path, model, optimizer, step):
    # the objects themselves, pickled with their classes
    torch.save({"model": model, "optimizer": optimizer, "step": step}, path)


def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model"].state_dict())
    optimizer.load_state_dict(checkpoint["optimizer"].state_dict())
    return checkpoint["step"]
