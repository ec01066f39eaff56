"""kg: a knowledge-graph builder for Danish municipal committee minutes."""
__version__ = "0.1.0"
