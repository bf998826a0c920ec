# exercise: prepare_for_finetuning
# expect: freeze after replacing
def prepare_for_finetuning(model, num_classes):
    """Replaces the head first and freezes afterwards: the new head is frozen too."""
    if isinstance(getattr(model, "fc", None), nn.Linear):
        model.fc = nn.Linear(model.fc.in_features, num_classes)
    else:
        names = [n for n, m in model.named_modules() if isinstance(m, nn.Linear)]
        parent_name, _, child = names[-1].rpartition(".")
        parent = model.get_submodule(parent_name)
        setattr(parent, child, nn.Linear(getattr(parent, child).in_features, num_classes))
    for p in model.parameters():
        p.requires_grad = False
    return model
