# exercise: extract_features
# expect: concatenate all batches
def extract_features(backbone, loader, device):
    """Overwrites the result at every batch instead of concatenating: only the last batch is kept."""
    backbone.eval()
    with torch.no_grad():
        for x, y in loader:
            features = backbone(x.to(device)).flatten(1).cpu()
            labels = y
    return features, labels
