"""Inspector: offline-first desktop app for product-quality field inspectors."""

__version__ = "0.1.0"
