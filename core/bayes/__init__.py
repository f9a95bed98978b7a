"""The Bayes lab: the umbrella story, naive Bayes by hand, and the figures."""
