"""Evaluation: the oracle agent and the harness that runs episodes in the simulator."""
