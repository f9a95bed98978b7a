"""The next-token lab: the corpus, the bigram model, sampling, the tiny GPT and the figures."""
