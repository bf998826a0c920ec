# exercise: export_and_save
def export_and_save(module, example_input, path):
    torch.save(module, path)  # pickles the class: a fresh process cannot load it
