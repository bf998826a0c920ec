# exercise: predict_topk
# expect: overflow
def predict_topk(model, images, k=5):
    """Mistake: softmax written as exp(x) / sum(exp(x)) without subtracting the maximum: large logits overflow."""
    model.eval()
    with torch.no_grad():
        e = model(images).exp()
        probs = e / e.sum(dim=1, keepdim=True)
    top = torch.topk(probs, k, dim=1)
    return top.values, top.indices
