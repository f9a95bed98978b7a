"""The backprop lab: the regression data, the live MLP, the tiny net by hand, and the figures."""
