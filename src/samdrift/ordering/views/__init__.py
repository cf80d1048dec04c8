"""The ordering pages (issue #14): the catalogue and basket, orders and their actions,
the approval and delivery queues, returns, purchasing, and the operator's catalogue of
offers and bundles. Every page starts from ``restrict``; another municipality's (or
another service area's) order is a 404."""
