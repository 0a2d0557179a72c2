"""The `vlmbot` command line."""
