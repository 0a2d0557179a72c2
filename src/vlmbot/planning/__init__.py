"""Planning: typed goals → ordered pick-and-place steps with placement geometry."""
