# exercise: export_and_save
def export_and_save(module, example_input, path):
    """Keyword arguments and an open file object."""
    program = torch.export.export(module, args=(example_input,))
    with open(path, "wb") as f:
        torch.export.save(program, f)
