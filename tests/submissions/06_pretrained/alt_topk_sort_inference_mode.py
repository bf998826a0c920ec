# exercise: predict_topk
def predict_topk(model, images, k=5):
    """A stable softmax by hand, a full sort, inference mode, and the model's mode restored."""
    was_training = model.training
    model.train(False)
    try:
        with torch.inference_mode():
            logits = model(images)
            shifted = logits - logits.max(dim=-1, keepdim=True).values
            e = shifted.exp()
            probs = e / e.sum(dim=-1, keepdim=True)
            values, order = torch.sort(probs, dim=-1, descending=True)
    finally:
        model.train(was_training)
    return values[:, :k].clone(), order[:, :k].clone()
