"""Strategy loading, lifecycle and the bar loop."""
