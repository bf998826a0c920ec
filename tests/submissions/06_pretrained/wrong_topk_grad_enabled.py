# exercise: predict_topk
# expect: torch.no_grad()
def predict_topk(model, images, k=5):
    """Builds an autograd graph for a prediction (no torch.no_grad())."""
    model.eval()
    probs = torch.softmax(model(images), dim=1)
    top = torch.topk(probs, k, dim=1)
    return top.values, top.indices
