"""The GAN lab: the model and its trainer, the target distributions, the metrics and the figures."""
