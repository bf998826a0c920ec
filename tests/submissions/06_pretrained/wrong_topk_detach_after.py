# exercise: predict_topk
# expect: torch.no_grad()
def predict_topk(model, images, k=5):
    """Builds the whole graph and only detaches the result: the memory was already spent."""
    model.eval()
    probs = torch.softmax(model(images), dim=1)
    top = torch.topk(probs, k, dim=1)
    return top.values.detach(), top.indices
