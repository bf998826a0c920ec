# exercise: log_training
# expect: no scalar tag 'loss'
def log_training(log_dir, model, example_input, losses):
    writer = SummaryWriter(log_dir)
    for step, loss in enumerate(losses):
        writer.add_scalar("train/loss", loss, step)
    writer.add_graph(model, example_input)
    writer.close()
