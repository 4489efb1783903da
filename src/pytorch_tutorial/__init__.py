"""PyTorch Tutorial: a complete PyTorch beginner course as tested software."""

__version__ = "0.1.0"
