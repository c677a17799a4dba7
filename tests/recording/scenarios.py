"""Which call records each failure scenario (the stand-in's ``fail_next``), per venue."""

from __future__ import annotations

from .venues import CassetteVenue

__all__ = ["DEFECT_DEMONSTRATIONS", "GENERIC_SCENARIOS", "SCENARIO_CALLS", "SCENARIO_REPEATS"]

# Every venue gets these, on a private read (retry=False, so exactly one request is recorded).
GENERIC_SCENARIOS = ("html_502", "truncated_json", "empty_body", "http_429")
_READ = {"kraken_spot": "get_account_balance", "kraken_futures": "get_open_positions", "bitflyer": "get_balance"}

SCENARIO_CALLS: dict[CassetteVenue, dict[str, str]] = {
    "kraken_spot": {
        "spot_invalid_nonce": "get_account_balance",
        "spot_invalid_key": "get_account_balance",
        "spot_rate_limit": "get_account_balance",
        "spot_insufficient_funds": "add_order",
        "spot_warning": "get_account_balance",
    },
    "kraken_futures": {
        "futures_send_rejected": "send_order",
        "futures_cancel_not_found": "cancel_order",
        # The error shape was seen on PUT leveragepreferences (see tests/standin/scenarios.py).
        "futures_errors_500": "set_leverage_setting",
        "futures_api_limit": "get_open_positions",
    },
    "bitflyer": {
        "bitflyer_2fa": "withdraw",
        "bitflyer_order_error": "send_child_order",
    },
}
for _venue, _calls in SCENARIO_CALLS.items():
    _calls.update(dict.fromkeys(GENERIC_SCENARIOS, _READ[_venue]))

# Scenarios queued more than once: a call answers an invalid nonce once more with a fresh one, so the cassette
# holds both requests and the second refusal is the one raised.
SCENARIO_REPEATS: dict[str, int] = {"spot_invalid_nonce": 2}

# Extra scenario cassettes (cassette name -> (scenario, operation)) pinning that an empty body is refused
# where the documented 200 is a *referenced* JSON response (components/responses): write_facades once
# mistook those for empty answers and returned None.
DEFECT_DEMONSTRATIONS: dict[CassetteVenue, dict[str, tuple[str, str]]] = {
    "bitflyer": {"empty_body-get_ticker": ("empty_body", "get_ticker")},
    "kraken_futures": {"empty_body-candles": ("empty_body", "candles")},
}
