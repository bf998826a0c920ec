# exercise: export_and_save
def export_and_save(module, example_input, path):
    traced = torch.jit.trace(module, (example_input,))  # TorchScript, one branch baked in
    torch.jit.save(traced, path)
