# exercise: pad_to_multiple
import math


def pad_to_multiple(x, multiple=8):
    # Correct, written differently: math.ceil and torch.cat of zero blocks; returns x itself when aligned.
    rows, cols = x.shape[-2], x.shape[-1]
    extra_rows = math.ceil(rows / multiple) * multiple - rows
    extra_cols = math.ceil(cols / multiple) * multiple - cols
    if extra_cols:
        x = torch.cat(
            [x, torch.zeros(*x.shape[:-1], extra_cols, dtype=x.dtype, device=x.device)], dim=-1
        )
    if extra_rows:
        x = torch.cat(
            [
                x,
                torch.zeros(*x.shape[:-2], extra_rows, x.shape[-1], dtype=x.dtype, device=x.device),
            ],
            dim=-2,
        )
    return x
