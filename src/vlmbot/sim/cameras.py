"""Simulated RGB-D cameras: OpenCV-convention calibration in, PyBullet rendering underneath.

PyBullet's view matrix is OpenGL (camera looks down −z, y up); the conversion happens here and
nowhere else. Depth comes back as metric distance along the optical axis.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from vlmbot.cell import CellCamera
from vlmbot.geometry import look_at
from vlmbot.sim._pybullet import pb
from vlmbot.types import Camera

# OpenCV optical frame (x right, y down, z forward) → OpenGL camera frame (x right, y up, z back).
_CV_TO_GL = np.diag([1.0, -1.0, -1.0, 1.0])


def jittered(
    camera: CellCamera, rng: np.random.Generator, eye_sigma: float, target_sigma: float
) -> CellCamera:
    """Camera pose jitter for domain randomisation (metres, Gaussian): the eye moves by
    eye_sigma, the point it looks at on the table plane (z = 0) by target_sigma."""
    T = camera.camera.T_world_cam
    eye, forward = T[:3, 3], T[:3, 2]
    along = -eye[2] / forward[2] if forward[2] < -1e-6 else 1.0
    target = eye + forward * along
    eye = eye + rng.normal(0, eye_sigma, 3)
    target = target + rng.normal(0, target_sigma, 3)
    moved = Camera(
        camera.camera.K,
        look_at(eye, target),
        camera.camera.width,
        camera.camera.height,
        camera.camera.name,
    )
    return replace(camera, camera=moved)


@dataclass(frozen=True)
class Lighting:
    """TinyRenderer lighting: direction (world frame), coefficients and the light's colour
    (rgb in [0, 1], white by default)."""

    direction: tuple[float, float, float] = (0.4, 0.3, 1.0)
    ambient: float = 0.6
    diffuse: float = 0.45
    specular: float = 0.05
    color: tuple[float, float, float] = (1.0, 1.0, 1.0)


def view_matrix(camera: Camera) -> list[float]:
    """PyBullet (OpenGL, column-major) view matrix for an OpenCV-convention camera."""
    view = np.linalg.inv(camera.T_world_cam @ _CV_TO_GL)
    return view.T.reshape(-1).tolist()


def projection_matrix(camera: Camera, near: float, far: float) -> list[float]:
    """OpenGL projection (column-major) matching K exactly, principal point included."""
    K, w, h = camera.K, camera.width, camera.height
    P = np.zeros((4, 4))
    P[0, 0] = 2 * K[0, 0] / w
    P[1, 1] = 2 * K[1, 1] / h
    P[0, 2] = 1 - 2 * K[0, 2] / w
    P[1, 2] = 2 * K[1, 2] / h - 1
    P[2, 2] = -(far + near) / (far - near)
    P[2, 3] = -2 * far * near / (far - near)
    P[3, 2] = -1
    return P.T.reshape(-1).tolist()


@dataclass(frozen=True)
class Render:
    """rgb (H, W, 3) uint8; depth (H, W) float32 metres along the optical axis; segmentation
    (H, W) int32 body ids (−1 = background): privileged, for datasets and checks only."""

    rgb: np.ndarray
    depth: np.ndarray
    segmentation: np.ndarray


def render(client: int, cell_camera: CellCamera, lighting: Lighting) -> Render:
    """Render one RGB-D frame (shadows off: they double the cost); depth outside the camera's
    depth range reads 0 (no return), as on a real sensor."""
    camera = cell_camera.camera
    near, far = cell_camera.depth_range
    _, _, rgba, zbuffer, seg = pb.getCameraImage(
        camera.width,
        camera.height,
        viewMatrix=view_matrix(camera),
        projectionMatrix=projection_matrix(camera, near, far),
        shadow=0,
        lightDirection=list(lighting.direction),
        lightAmbientCoeff=lighting.ambient,
        lightDiffuseCoeff=lighting.diffuse,
        lightSpecularCoeff=lighting.specular,
        lightColor=list(lighting.color),
        renderer=pb.ER_TINY_RENDERER,
        physicsClientId=client,
    )
    shape = (camera.height, camera.width)
    rgb = np.asarray(rgba, dtype=np.uint8).reshape(*shape, 4)[..., :3].copy()
    z = np.asarray(zbuffer, dtype=np.float64).reshape(shape)
    depth = (far * near / (far - (far - near) * z)).astype(np.float32)
    depth[z >= 1.0] = 0.0
    segmentation = np.asarray(seg, dtype=np.int32).reshape(shape)
    return Render(rgb, depth, segmentation)
