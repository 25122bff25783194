"""rcmwatch simulate: the outside world of the generated health system, live (see service)."""
