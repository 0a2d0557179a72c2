"""Build simulator bodies for object specs: primitives, pybullet_data meshes, bowls, plates, trays.

Every body's origin is the centre of its axis-aligned bounding box at yaw 0, so a spec's
position and the body's base position mean the same point.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from vlmbot.sim._pybullet import pb, pybullet_data
from vlmbot.sim.catalog import OBJECT_MODELS, Shape
from vlmbot.sim.meshes import (
    PROFILES,
    banana,
    bowl_profile,
    flat_normals,
    plate_profile,
    polyhedron,
    revolve,
    vertex_normals,
)

DATA = Path(pybullet_data.getDataPath())


@dataclass(frozen=True)
class ObjectSpec:
    """One object of a scene. position: (x, y) of its centre on the table, metres, world frame;
    yaw in radians; scale multiplies the category's nominal size, and stretch (x, y, z) each
    axis (procedural shape variants: a squat bowl, a slim cylinder); profile: a shape
    parameter of revolved containers (a bowl's floor width as a fraction of its diameter);
    rgb: render colour in [0, 1]."""

    id: str
    category: str
    color: str
    rgb: tuple[float, float, float]
    scale: float
    position: tuple[float, float]
    yaw: float = 0.0
    elevation: float = 0.0  # spawn height of the bottom above the table (inside/on another object)
    stretch: tuple[float, float, float] = (1.0, 1.0, 1.0)
    profile: float = 0.28

    @property
    def size(self) -> np.ndarray:
        """(3,) extent (x, y, z) in metres in the object's own frame (before yaw)."""
        nominal = np.asarray(OBJECT_MODELS[self.category].shape.size)
        return nominal * self.scale * np.asarray(self.stretch)

    @property
    def footprint_radius(self) -> float:
        """Radius of the circle that holds the object's footprint at any yaw, metres."""
        return float(np.hypot(*self.size[:2]) / 2)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "category": self.category,
            "color": self.color,
            "rgb": list(self.rgb),
            "scale": self.scale,
            "position": list(self.position),
            "yaw": self.yaw,
            "elevation": self.elevation,
            "stretch": list(self.stretch),
            "profile": self.profile,
        }


@functools.cache
def _mesh_vertices(mesh: str) -> np.ndarray:
    lines = (DATA / mesh).read_text().splitlines()
    return np.array(
        [[float(v) for v in line.split()[1:4]] for line in lines if line.startswith("v ")]
    )


def _mesh_frame(shape: Shape, scale: float) -> tuple[list[float], list[float], list[float]]:
    """Mesh scale, frame position and frame orientation that centre the mesh's box on the origin."""
    assert shape.mesh is not None
    mesh_scale = [s * scale for s in shape.mesh_scale]
    orientation = pb.getQuaternionFromEuler(shape.mesh_rpy)
    rotation = np.array(pb.getMatrixFromQuaternion(orientation)).reshape(3, 3)
    vertices = (_mesh_vertices(shape.mesh) * mesh_scale) @ rotation.T
    centre = (vertices.min(axis=0) + vertices.max(axis=0)) / 2
    return mesh_scale, list(-centre), list(orientation)


@functools.lru_cache(maxsize=1)
def _white_texture_path() -> str:
    return str(resources.files("vlmbot.sim") / "assets" / "white.png")


class BodyBuilder:
    """Creates bodies in one PyBullet client, caching textures."""

    def __init__(self, client: int) -> None:
        self.client = client
        self._white = pb.loadTexture(_white_texture_path(), physicsClientId=client)

    def spawn(self, spec: ObjectSpec, z_offset: float = 0.002) -> int:
        """Create the body resting on the table plane z = 0; returns its body id."""
        shape = OBJECT_MODELS[spec.category].shape
        size = spec.size
        position = [spec.position[0], spec.position[1], spec.elevation + size[2] / 2 + z_offset]
        orientation = pb.getQuaternionFromEuler([0, 0, spec.yaw])
        rgba = [*spec.rgb, 1.0]
        if shape.kind == "tray":
            return self._spawn_tray(shape, spec, position, orientation, rgba)
        visual, collision = self._shapes(shape, spec.scale, size, rgba, spec.profile)
        body = pb.createMultiBody(
            baseMass=shape.mass,
            baseCollisionShapeIndex=collision,
            baseVisualShapeIndex=visual,
            basePosition=position,
            baseOrientation=orientation,
            physicsClientId=self.client,
        )
        if shape.kind == "mesh" and not shape.keep_texture:
            pb.changeVisualShape(body, -1, textureUniqueId=self._white, physicsClientId=self.client)
        pb.changeDynamics(
            body,
            -1,
            lateralFriction=shape.friction,
            spinningFriction=0.002,
            rollingFriction=0.002 if shape.kind in ("sphere", "mesh") else 0.0,
            physicsClientId=self.client,
        )
        return int(body)

    def _shapes(
        self,
        shape: Shape,
        scale: float,
        size: np.ndarray,
        rgba: list[float],
        profile: float = 0.28,
    ) -> tuple[int, int]:
        c = self.client
        if shape.kind == "box":
            half = list(size / 2)
            return (
                pb.createVisualShape(
                    pb.GEOM_BOX, halfExtents=half, rgbaColor=rgba, physicsClientId=c
                ),
                pb.createCollisionShape(pb.GEOM_BOX, halfExtents=half, physicsClientId=c),
            )
        if shape.kind == "cylinder":
            if shape.lying:  # axis along x: length size[0], diameter size[2]
                radius, height = float(size[2] / 2), float(size[0])
                frame = pb.getQuaternionFromEuler([0.0, np.pi / 2, 0.0])
            else:
                radius, height = float(size[0] / 2), float(size[2])
                frame = (0.0, 0.0, 0.0, 1.0)
            return (
                pb.createVisualShape(
                    pb.GEOM_CYLINDER,
                    radius=radius,
                    length=height,
                    rgbaColor=rgba,
                    visualFrameOrientation=frame,
                    physicsClientId=c,
                ),
                pb.createCollisionShape(
                    pb.GEOM_CYLINDER,
                    radius=radius,
                    height=height,
                    collisionFrameOrientation=frame,
                    physicsClientId=c,
                ),
            )
        if shape.kind == "sphere":
            radius = float(size[0] / 2)
            return (
                pb.createVisualShape(
                    pb.GEOM_SPHERE, radius=radius, rgbaColor=rgba, physicsClientId=c
                ),
                pb.createCollisionShape(pb.GEOM_SPHERE, radius=radius, physicsClientId=c),
            )
        if shape.kind in ("bowl", "plate", "revolve"):
            return self._revolved(shape, size, rgba, profile)
        if shape.kind in ("polyhedron", "banana"):
            return self._procedural(shape, size, rgba)
        if shape.kind == "mesh":
            assert shape.mesh is not None
            mesh_scale, frame_pos, frame_orn = _mesh_frame(shape, scale)
            path = str(DATA / shape.mesh)
            visual = pb.createVisualShape(
                pb.GEOM_MESH,
                fileName=path,
                meshScale=mesh_scale,
                rgbaColor=rgba,
                visualFramePosition=frame_pos,
                visualFrameOrientation=frame_orn,
                physicsClientId=c,
            )
            if shape.box_collision:
                half = [float(v) for v in size / 2]
                return visual, pb.createCollisionShape(
                    pb.GEOM_BOX, halfExtents=half, physicsClientId=c
                )
            collision = pb.createCollisionShape(
                pb.GEOM_MESH,
                fileName=path,
                meshScale=mesh_scale,
                collisionFramePosition=frame_pos,
                collisionFrameOrientation=frame_orn,
                physicsClientId=c,
            )
            return visual, collision
        raise ValueError(f"unknown shape kind {shape.kind!r}")

    def _revolved(
        self, shape: Shape, size: np.ndarray, rgba: list[float], base: float = 0.28
    ) -> tuple[int, int]:
        diameter, height = float(size[0]), float(size[2])
        if shape.kind == "bowl":
            profile = bowl_profile(diameter, height, base=base)
        elif shape.kind == "plate":
            profile = plate_profile(diameter, height)
        else:
            assert shape.profile is not None
            profile = PROFILES[shape.profile](diameter, height)
        vertices, indices = revolve(profile)
        vertices = vertices - [0.0, 0.0, height / 2]
        normals = vertex_normals(vertices, indices)
        visual = pb.createVisualShape(
            pb.GEOM_MESH,
            vertices=vertices.tolist(),
            indices=indices.tolist(),
            normals=normals.tolist(),
            rgbaColor=rgba,
            physicsClientId=self.client,
        )
        if shape.mass == 0.0:  # static containers keep their hollow
            collision = pb.createCollisionShape(
                pb.GEOM_MESH,
                vertices=vertices.tolist(),
                indices=indices.tolist(),
                flags=pb.GEOM_FORCE_CONCAVE_TRIMESH,
                physicsClientId=self.client,
            )
        else:  # items collide as their convex hull
            collision = pb.createCollisionShape(
                pb.GEOM_MESH, vertices=vertices.tolist(), physicsClientId=self.client
            )
        return visual, collision

    def _procedural(self, shape: Shape, size: np.ndarray, rgba: list[float]) -> tuple[int, int]:
        """Pyramids, wedges, stars (flat shaded) and bananas; convex-hull collision."""
        if shape.kind == "banana":
            vertices, indices = banana(size)
            normals = vertex_normals(vertices, indices)
        else:
            assert shape.profile is not None
            vertices, indices = polyhedron(shape.profile, size)
            normals = flat_normals(vertices)
        visual = pb.createVisualShape(
            pb.GEOM_MESH,
            vertices=vertices.tolist(),
            indices=indices.tolist(),
            normals=normals.tolist(),
            rgbaColor=rgba,
            physicsClientId=self.client,
        )
        if shape.box_collision:
            half = [float(v) for v in size / 2]
            return visual, pb.createCollisionShape(
                pb.GEOM_BOX, halfExtents=half, physicsClientId=self.client
            )
        collision = pb.createCollisionShape(
            pb.GEOM_MESH, vertices=vertices.tolist(), physicsClientId=self.client
        )
        return visual, collision

    def _spawn_tray(
        self,
        shape: Shape,
        spec: ObjectSpec,
        position: list[float],
        orientation: tuple[float, ...],
        rgba: list[float],
    ) -> int:
        assert shape.mesh is not None
        scaling = float(spec.size[0] / 0.6)
        body = pb.loadURDF(
            str(DATA / shape.mesh),
            [position[0], position[1], 0.0],
            orientation,
            globalScaling=scaling,
            useFixedBase=True,
            physicsClientId=self.client,
        )
        pb.changeVisualShape(body, -1, rgbaColor=rgba, physicsClientId=self.client)
        return int(body)
