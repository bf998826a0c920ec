# exercise: log_training
# expect: close
def log_training(log_dir, model, example_input, losses):
    # never flushed or closed: the events may still sit in the writer's buffer
    writer = SummaryWriter(log_dir)
    for step, loss in enumerate(losses):
        writer.add_scalar("loss", loss, step)
    writer.add_graph(model, example_input)
