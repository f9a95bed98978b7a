"""The loss lab: the losses, gradient descent on the logistic model, and the figures."""
