"""The scheduler process (``rcmwatch scheduler``): one at a time behind a lock with a heartbeat,
APScheduler 3.x with an in-memory job store, jobs defined in code at start-up."""
