"""Notebook 13, "In the wild": GANs, a drifting bandit and fine-tuning, one module each."""

__all__: list[str] = []  # import from the modules themselves
