"""The language task suite: episodes (family, seed, instruction, split) in the simulator, each
with a goal, an expected outcome (act, answer, clarify, refuse) and a success check."""
