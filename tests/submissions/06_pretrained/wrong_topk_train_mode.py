# exercise: predict_topk
# expect: model.eval()
def predict_topk(model, images, k=5):
    """Forgets model.eval(): dropout and batch norm stay in training mode."""
    with torch.no_grad():
        probs = torch.softmax(model(images), dim=1)
    top = torch.topk(probs, k, dim=1)
    return top.values, top.indices
