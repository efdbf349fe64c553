"""Notebook 13, "In the wild": GANs, a drifting bandit and fine-tuning, one module each."""
