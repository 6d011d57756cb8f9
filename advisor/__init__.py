"""Co-production advisor: from asymmetric dependence to co-production (after Gao Ya, 2024)."""

__version__ = "0.1.0"
