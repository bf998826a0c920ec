# exercise: predict_topk
# expect: k largest logits only
def predict_topk(model, images, k=5):
    """Softmax over the k largest logits only, so the top-k probabilities always sum to 1."""
    model.eval()
    with torch.no_grad():
        logits = model(images)
    top = torch.topk(logits, k, dim=1)
    return torch.softmax(top.values, dim=1), top.indices
