"""Unit tests draw with the headless Agg backend (notebooks keep their inline one)."""

import matplotlib

matplotlib.use("Agg")
