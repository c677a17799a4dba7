"""Cassettes (vcrpy) of every facade operation and failure scenario, recorded through the stand-in.

* :mod:`.venues` - the three venues: facade, operations, production base, fake keys.
* :mod:`.arguments` - facade arguments built from the documents' examples, and typed for the call.
* :mod:`.cassettes` - paths, vcrpy configuration, the filters applied before anything is written.
* :mod:`.scenarios` - which call records which failure scenario.
* :mod:`.record` - ``make record`` (stand-in) and ``make record-live`` (production reads).
* :mod:`.results` - checks used by the replay tests (types, round trip to the served answer).

``tests`` must be on ``sys.path`` (the package sits next to ``standin``).
"""
