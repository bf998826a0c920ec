# exercise: pad_to_multiple
# expect: already a multiple
def pad_to_multiple(x, multiple=8):
    # Classic off-by-one: multiple - size % multiple adds a whole block when size is already aligned.
    rows, cols = x.shape[-2:]
    return torch.nn.functional.pad(
        x, (0, multiple - cols % multiple, 0, multiple - rows % multiple)
    )
