"""Lease prices (``lease_price``), the yearly price list (``price_list``) and the indexation
of service prices (``indexation``); both publish through ``versions``."""
