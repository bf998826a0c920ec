# exercise: export_and_save
# expect: fresh python process could not run
def export_and_save(module, example_input, path):
    torch.save(module, path)  # pickles the class: a fresh process cannot load it
