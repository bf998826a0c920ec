# exercise: prepare_for_finetuning
# expect: still requires grad
def prepare_for_finetuning(model, num_classes):
    """Replaces the head but forgets to freeze the rest."""
    if isinstance(getattr(model, "fc", None), nn.Linear):
        model.fc = nn.Linear(model.fc.in_features, num_classes)
        return model
    names = [n for n, m in model.named_modules() if isinstance(m, nn.Linear)]
    parent_name, _, child = names[-1].rpartition(".")
    parent = model.get_submodule(parent_name)
    setattr(parent, child, nn.Linear(getattr(parent, child).in_features, num_classes))
    return model
