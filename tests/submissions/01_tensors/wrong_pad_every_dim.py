# exercise: pad_to_multiple
# expect: only the last two dimensions
def pad_to_multiple(x, multiple=8):
    # Mistake: pads every dimension, batch dimensions included.
    pads = []
    for size in reversed(x.shape):
        pads += [0, -size % multiple]
    return torch.nn.functional.pad(x, pads)
