"""Reasoning: the 3D scene graph, grounding of referring expressions, tracking, VQA."""
