"""Clients for the three API specs in ../shared/specs, each written from the spec's text alone: only
the base URL and the credentials know they talk to Quarry."""
