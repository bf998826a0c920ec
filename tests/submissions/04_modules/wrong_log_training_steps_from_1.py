# exercise: log_training
# expect: steps should be 0..
def log_training(log_dir, model, example_input, losses):
    writer = SummaryWriter(log_dir)
    for step, loss in enumerate(losses, start=1):
        writer.add_scalar("loss", loss, step)
    writer.add_graph(model, example_input)
    writer.close()
