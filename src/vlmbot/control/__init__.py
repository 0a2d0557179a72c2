"""The robot boundary and the step loop every agent uses: execute one action, re-perceive,
verify, retry a bounded number of times, and report honestly."""
