# exercise: build_sequential
from collections import OrderedDict


def build_sequential(d_in, hidden, d_out):
    """Named layers in an OrderedDict: still an nn.Sequential of Linear, ReLU, Linear."""
    model = nn.Sequential(OrderedDict([("fc1", nn.Linear(d_in, hidden)), ("relu", nn.ReLU())]))
    model.add_module("fc2", nn.Linear(hidden, d_out))
    return model
