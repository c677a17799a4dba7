"""exchange_clients: typed clients for Kraken Spot, Kraken Futures and bitFlyer.

The generated packages (``kraken_spot_api``, ``kraken_futures_api``, ``bitflyer_api``) carry the models;
this package adds authentication, envelope and status unwrapping, typed errors and one facade per venue.
"""

__version__ = "0.1.0"
