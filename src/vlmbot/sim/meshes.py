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


def bowl_profile(
    diameter: float, height: float, wall: float = 0.006, base: float = 0.28
) -> np.ndarray:
    """(radius, z) profile of a bowl standing on z = 0, outer base → rim → inner floor; base:
    the flat floor's radius as a fraction of the diameter (0.15 round, 0.4 flat-bottomed)."""
    radius, base = diameter / 2, diameter * base
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


def torus_profile(diameter: float, height: float, points: int = 12) -> np.ndarray:
    """(radius, z) profile of a ring lying on z = 0: a closed circle of diameter `height`
    around the ring's centre line (outer diameter `diameter`), wound like `bowl_profile`."""
    tube = height / 2
    centre = diameter / 2 - tube
    t = np.linspace(-np.pi / 2, 1.5 * np.pi, points + 1)
    return np.stack([centre + tube * np.cos(t), tube + tube * np.sin(t)], axis=1)


def bottle_profile(diameter: float, height: float, neck: float = 0.4) -> np.ndarray:
    """(radius, z) profile of a closed bottle: a body, a shoulder, a neck `neck` times as wide."""
    body, throat = diameter / 2, diameter / 2 * neck
    return np.asarray(
        [(0.0, 0.0), (body, 0.0), (body, 0.62 * height), (throat, 0.82 * height),
         (throat, height), (0.0, height)]
    )  # fmt: skip


def cone_profile(diameter: float, height: float) -> np.ndarray:
    return np.asarray([(0.0, 0.0), (diameter / 2, 0.0), (diameter * 0.04, height), (0.0, height)])


def egg_profile(diameter: float, height: float, points: int = 10) -> np.ndarray:
    """(radius, z) of an egg standing on z = 0, widest below the middle."""
    t = np.linspace(0.0, 1.0, points)
    s = 2 * t - 1
    radius = diameter / 2 * np.sqrt(np.clip(1 - s**2, 0, 1)) * (1 - 0.12 * s) / 1.03
    return np.stack([radius, height * t], axis=1)


def bucket_profile(diameter: float, height: float, wall: float = 0.005) -> np.ndarray:
    """(radius, z) of an open bucket (a basket): a flat floor and nearly vertical walls."""
    top, foot = diameter / 2, diameter / 2 * 0.9
    return np.asarray(
        [(0.0, 0.0), (foot, 0.0), (top, height), (top - wall, height), (foot - wall, wall),
         (0.0, wall)]
    )  # fmt: skip


PROFILES = {
    "ring": torus_profile,
    "bottle": bottle_profile,
    "cone": cone_profile,
    "egg": egg_profile,
    "basket": bucket_profile,
}


def _faceted(triangles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T, 3, 3) triangles → vertices (3T, 3) and indices (3T,): one vertex per corner, so that
    every face is shaded flat (edges of a pyramid stay visible). Each face is wound so that its
    normal points away from the solid's centroid."""
    triangles = np.asarray(triangles, dtype=float).copy()
    centroid = triangles.reshape(-1, 3).mean(axis=0)
    normals = np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])
    inward = np.einsum("ij,ij->i", normals, triangles.mean(axis=1) - centroid) < 0
    triangles[inward] = triangles[inward][:, ::-1]
    vertices = triangles.reshape(-1, 3)
    return vertices, np.arange(len(vertices), dtype=np.int64)


def flat_normals(vertices: np.ndarray) -> np.ndarray:
    """Per-corner normals (3T, 3) of a faceted mesh from `_faceted` (each face's own)."""
    tris = vertices.reshape(-1, 3, 3)
    face = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
    face /= np.maximum(np.linalg.norm(face, axis=1, keepdims=True), 1e-12)
    return np.repeat(face, 3, axis=0)


def _prism(polygon: np.ndarray, height: float) -> np.ndarray:
    """Triangles of a convex-or-star polygon (x, y) extruded from z = 0 to `height` (fan from
    the polygon's centroid), outward winding."""
    centre = polygon.mean(axis=0)
    tris: list[list[list[float]]] = []
    for a, b in zip(polygon.tolist(), np.roll(polygon, -1, axis=0).tolist(), strict=True):
        tris.append([[*p, 0.0] for p in (centre.tolist(), b, a)])
        tris.append([[*p, height] for p in (centre.tolist(), a, b)])
        tris += [[[*a, 0.0], [*b, 0.0], [*b, height]], [[*a, 0.0], [*b, height], [*a, height]]]
    return np.asarray(tris, dtype=float)


def polyhedron(kind: str, size: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flat-shaded vertices (M, 3) and indices for a pyramid, wedge or star of extent `size`
    (x, y, z), centred on its bounding box."""
    sx, sy, sz = (float(v) for v in size)
    if kind == "pyramid":
        base = np.array([[-sx, -sy], [sx, -sy], [sx, sy], [-sx, sy]]) / 2
        apex = np.array([0.0, 0.0, sz])
        tris = [
            [[*a, 0.0], [*b, 0.0], apex] for a, b in zip(base, np.roll(base, -1, 0), strict=True)
        ]
        tris += [
            [[*base[0], 0], [*base[2], 0], [*base[1], 0]],
            [[*base[0], 0], [*base[3], 0], [*base[2], 0]],
        ]
        triangles = np.asarray(tris, dtype=float)
    elif kind == "wedge":
        # A ramp: full height at -x, down to the table at +x, extruded along y.
        corners = [(-sx / 2, 0.0), (sx / 2, 0.0), (-sx / 2, sz)]  # (x, z) of the side triangle
        y0, y1 = -sy / 2, sy / 2
        faces: list[list[tuple[float, float, float]]] = [
            [(x, y0, z) for x, z in corners],
            [(x, y1, z) for x, z in corners[::-1]],
        ]
        for (px, pz), (qx, qz) in zip(corners, corners[1:] + corners[:1], strict=True):
            faces += [
                [(px, y0, pz), (px, y1, pz), (qx, y1, qz)],
                [(px, y0, pz), (qx, y1, qz), (qx, y0, qz)],
            ]
        triangles = np.asarray(faces, dtype=float)
    elif kind == "star":
        angles = np.linspace(np.pi / 2, np.pi / 2 + 2 * np.pi, 10, endpoint=False)
        radii = np.where(np.arange(10) % 2 == 0, 0.5, 0.22)
        polygon = np.stack([radii * np.cos(angles) * sx, radii * np.sin(angles) * sy], axis=1)
        triangles = _prism(polygon, sz)
    else:
        raise ValueError(f"unknown polyhedron {kind!r}")
    vertices, indices = _faceted(triangles)
    vertices -= (vertices.min(axis=0) + vertices.max(axis=0)) / 2
    return vertices, indices


def banana(size: np.ndarray, segments: int = 14, sides: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """A curved tube lying on the table: a centre line on an arc in the xy plane, thickest in
    the middle, capped at both ends; centred on its bounding box. Returns vertices, indices."""
    length, width, thick = (float(v) for v in size)
    s = np.linspace(-1, 1, segments)
    sag = width - thick
    centre = np.stack([s * (length - thick) / 2, sag * (1 - s**2) - sag / 2, np.zeros_like(s)], 1)
    radius = thick / 2 * (0.45 + 0.55 * np.sqrt(1 - s**2 * 0.92))
    tangent = np.gradient(centre, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    up = np.array([0.0, 0.0, 1.0])
    phi = np.linspace(0, 2 * np.pi, sides, endpoint=False)
    rings = []
    for c, t, r in zip(centre, tangent, radius, strict=True):
        side = np.cross(up, t)
        rings.append(c + r * (np.cos(phi)[:, None] * side + np.sin(phi)[:, None] * up))
    vertices = np.concatenate([*rings, centre[[0, -1]]])
    indices = []
    for i in range(segments - 1):
        a0, b0 = i * sides, (i + 1) * sides
        for k in range(sides):
            k1 = (k + 1) % sides
            indices += [a0 + k, b0 + k, a0 + k1, a0 + k1, b0 + k, b0 + k1]
    first, last = segments * sides, segments * sides + 1
    end = (segments - 1) * sides
    for centre_index, ring, outward in ((first, 0, -tangent[0]), (last, end, tangent[-1])):
        for k in range(sides):
            tri = [centre_index, ring + k, ring + (k + 1) % sides]
            a, b, c = vertices[tri]
            if np.cross(b - a, c - a) @ outward < 0:  # wind the cap to face outwards
                tri = [tri[0], tri[2], tri[1]]
            indices += tri
    vertices -= (vertices.min(axis=0) + vertices.max(axis=0)) / 2
    return vertices, np.asarray(indices, dtype=np.int64)
