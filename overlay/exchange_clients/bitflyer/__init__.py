"""bitFlyer Lightning client overlay."""
