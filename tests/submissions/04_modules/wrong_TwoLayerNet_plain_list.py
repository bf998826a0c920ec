# exercise: TwoLayerNet
# expect: plain Python list
class TwoLayerNet(nn.Module):
    def __init__(self, d_in, hidden, d_out):
        super().__init__()
        # a plain list: the layers are not registered as submodules
        self.layers = [nn.Linear(d_in, hidden), nn.Linear(hidden, d_out)]

    def forward(self, x):
        return self.layers[1](self.layers[0](x).clamp(min=0))
