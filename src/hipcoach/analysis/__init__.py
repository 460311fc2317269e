"""Rep counting, checks and events: one incremental code path for live and recorded input."""
