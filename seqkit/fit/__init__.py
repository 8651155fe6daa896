"""High-level training: one call from raw data to a trained, evaluated model."""
from seqkit.fit.result import FitResult

__all__ = ["FitResult"]
