"""Kraken Spot client overlay."""
