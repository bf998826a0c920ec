# exercise: predict_topk
# expect: largest logits themselves
def predict_topk(model, images, k=5):
    """Returns the top-k logits instead of softmax probabilities."""
    model.eval()
    with torch.no_grad():
        logits = model(images)
    top = torch.topk(logits, k, dim=1)
    return top.values, top.indices
