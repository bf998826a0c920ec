# exercise: prepare_for_finetuning
# expect: still the original
def prepare_for_finetuning(model, num_classes):
    """Only looks at the direct children, so a Linear nested in a submodule is never replaced."""
    model.requires_grad_(False)
    if isinstance(getattr(model, "fc", None), nn.Linear):
        model.fc = nn.Linear(model.fc.in_features, num_classes)
        return model
    last = None
    for name, module in model.named_children():
        if isinstance(module, nn.Linear):
            last = name
    if last is not None:
        setattr(model, last, nn.Linear(getattr(model, last).in_features, num_classes))
    return model
