# exercise: log_training
# expect: no graph on disk
def log_training(log_dir, model, example_input, losses):
    writer = SummaryWriter(log_dir)
    for step, loss in enumerate(losses):
        writer.add_scalar("loss", loss, step)
    writer.close()
