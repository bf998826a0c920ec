# exercise: log_training
def log_training(log_dir, model, example_input, losses):
    """flush() (not close) is enough for the data to be on disk."""
    writer = SummaryWriter(log_dir)
    for i in range(len(losses)):
        writer.add_scalar("loss", losses[i], global_step=i)
    writer.add_graph(model, example_input)
    writer.flush()
