# exercise: pad_to_multiple
def pad_to_multiple(x, multiple=8):
    # Correct, written differently: a zero tensor of the rounded-up shape, x copied into its corner.
    *batch, rows, cols = x.shape
    rows_up = (rows + multiple - 1) // multiple * multiple
    cols_up = (cols + multiple - 1) // multiple * multiple
    out = x.new_zeros((*batch, rows_up, cols_up))
    out[..., :rows, :cols] = x
    return out
