# exercise: export_and_save
# expect: torch.jit.trace
def export_and_save(module, example_input, path):
    traced = torch.jit.trace(module, (example_input,))  # TorchScript, one branch baked in
    torch.jit.save(traced, path)
