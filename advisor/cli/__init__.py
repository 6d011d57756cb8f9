"""Command-line interface of the advisor."""
