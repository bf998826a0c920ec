# exercise: log_training
import torch.utils.tensorboard as tb


def log_training(log_dir, model, example_input, losses):
    """A with block closes the writer; the graph first, the scalars after."""
    with tb.SummaryWriter(log_dir=log_dir, flush_secs=600) as writer:
        writer.add_graph(model, (example_input,))
        step = 0
        for value in losses:
            writer.add_scalar(tag="loss", scalar_value=value, global_step=step)
            step += 1
