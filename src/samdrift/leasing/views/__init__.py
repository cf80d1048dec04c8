"""The leasing pages, by concern; their URLs are in ``leasing.urls``."""
