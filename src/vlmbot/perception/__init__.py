"""Perception: 2D detections + depth → 3D objects in the world frame."""
