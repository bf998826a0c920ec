# exercise: pad_to_multiple
# expect: bottom and right
def pad_to_multiple(x, multiple=8):
    # Mistake: pads at the top and left, so the original block moves.
    rows, cols = x.shape[-2:]
    return torch.nn.functional.pad(x, (-cols % multiple, 0, -rows % multiple, 0))
