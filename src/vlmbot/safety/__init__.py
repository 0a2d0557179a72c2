"""The safety gate between planning and any action."""
