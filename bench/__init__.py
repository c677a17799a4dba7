"""Benchmarks for exchange-clients (``make bench``): overhead against bare httpx, parsing, async, soak, peers.

Nothing here is imported by the library or the tests. ``python -m bench`` runs everything and writes
``bench/results.md``.
"""
