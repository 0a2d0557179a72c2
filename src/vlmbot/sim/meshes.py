"""Procedural meshes for bowls and plates: surfaces of revolution from a (radius, z) profile."""

from __future__ import annotations

import numpy as np


def revolve(profile: np.ndarray, segments: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Revolve a polyline profile of (radius, z) points about the z axis.

    Returns vertices (M, 3) and triangle indices (K*3,) with faces wound so that normals point
    to the left of the profile's direction of travel (outwards for a profile that runs from the
    outer base up to the rim and back down the inside).
    """
    profile = np.asarray(profile, dtype=float)
    angles = np.linspace(0.0, 2 * np.pi, segments, endpoint=False)
    rings = [
        np.stack([r * np.cos(angles), r * np.sin(angles), np.full(segments, z)], axis=1)
        for r, z in profile
    ]
    vertices = np.concatenate(rings)
    indices = []
    for ring in range(len(profile) - 1):
        a0, b0 = ring * segments, (ring + 1) * segments
        for k in range(segments):
            k1 = (k + 1) % segments
            indices += [a0 + k, a0 + k1, b0 + k, b0 + k, a0 + k1, b0 + k1]
    return vertices, np.asarray(indices, dtype=np.int64)


def vertex_normals(vertices: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Area-weighted vertex normals (M, 3) for a triangle mesh."""
    tris = vertices[indices.reshape(-1, 3)]
    face = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
    normals = np.zeros_like(vertices)
    for corner in range(3):
        np.add.at(normals, indices.reshape(-1, 3)[:, corner], face)
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    return normals / np.where(length == 0, 1, length)


def bowl_profile(diameter: float, height: float, wall: float = 0.006) -> np.ndarray:
    """(radius, z) profile of a bowl standing on z = 0, outer base → rim → inner floor."""
    radius, base = diameter / 2, diameter * 0.28
    outer = [(0.0, 0.0), (base, 0.0)]
    for t in np.linspace(0.15, 1.0, 6):
        outer.append((base + (radius - base) * np.sin(t * np.pi / 2), height * t))
    inner = [(r - wall, z) for r, z in reversed(outer[2:])]
    inner[-1] = (inner[-1][0], wall)
    return np.asarray([*outer, *inner, (0.0, wall)])


def plate_profile(diameter: float, height: float) -> np.ndarray:
    """(radius, z) profile of a plate: a flat well with a low raised rim."""
    radius = diameter / 2
    return np.asarray(
        [
            (0.0, 0.0),
            (radius * 0.62, 0.0),
            (radius, height),
            (radius * 0.93, height),
            (radius * 0.62, height * 0.45),
            (0.0, height * 0.45),
        ]
    )
