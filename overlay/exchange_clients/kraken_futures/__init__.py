"""Kraken Futures client overlay."""
