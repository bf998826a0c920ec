# exercise: prepare_for_finetuning
# expect: replace the LAST one
def prepare_for_finetuning(model, num_classes):
    """Without an fc, replaces the FIRST nn.Linear it finds."""
    model.requires_grad_(False)
    if isinstance(getattr(model, "fc", None), nn.Linear):
        model.fc = nn.Linear(model.fc.in_features, num_classes)
        return model
    for name, module in model.named_modules():
        if isinstance(module, nn.Linear):
            parent_name, _, child = name.rpartition(".")
            setattr(
                model.get_submodule(parent_name), child, nn.Linear(module.in_features, num_classes)
            )
            break
    return model
