"""Simulated RGB-D cameras: OpenCV-convention calibration in, PyBullet rendering underneath.

PyBullet's view matrix is OpenGL (camera looks down −z, y up); the conversion happens here and
nowhere else. Depth comes back as metric distance along the optical axis.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from vlmbot.geometry import intrinsics_from_fov, look_at
from vlmbot.sim._pybullet import pb
from vlmbot.types import Camera

# OpenCV optical frame (x right, y down, z forward) → OpenGL camera frame (x right, y up, z back).
_CV_TO_GL = np.diag([1.0, -1.0, -1.0, 1.0])


@dataclass(frozen=True)
class CameraConfig:
    """A camera placed by eye and target (world frame, metres) with a vertical field of view."""

    name: str
    eye: tuple[float, float, float]
    target: tuple[float, float, float]
    vertical_fov_deg: float = 50.0
    width: int = 224
    height: int = 224
    near: float = 0.05
    far: float = 4.0

    def camera(self) -> Camera:
        return Camera(
            K=intrinsics_from_fov(self.width, self.height, self.vertical_fov_deg),
            T_world_cam=look_at(np.asarray(self.eye), np.asarray(self.target)),
            width=self.width,
            height=self.height,
            name=self.name,
        )

    def jittered(
        self, rng: np.random.Generator, eye_sigma: float, target_sigma: float
    ) -> CameraConfig:
        """Camera pose jitter for domain randomisation (metres, Gaussian)."""
        eye = np.asarray(self.eye) + rng.normal(0, eye_sigma, 3)
        target = np.asarray(self.target) + rng.normal(0, target_sigma, 3)
        return replace(self, eye=tuple(eye.tolist()), target=tuple(target.tolist()))


FRONT = CameraConfig("front", eye=(1.20, 0.0, 0.60), target=(0.50, 0.0, 0.0), vertical_fov_deg=48.0)
TOP = CameraConfig("top", eye=(0.62, 0.0, 0.92), target=(0.62, 0.0, 0.0), vertical_fov_deg=60.0)
DEFAULT_CAMERAS: tuple[CameraConfig, ...] = (FRONT, TOP)


@dataclass(frozen=True)
class Lighting:
    """TinyRenderer lighting: direction (world frame) and coefficients."""

    direction: tuple[float, float, float] = (0.4, 0.3, 1.0)
    ambient: float = 0.6
    diffuse: float = 0.45
    specular: float = 0.05


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


def render(client: int, config: CameraConfig, camera: Camera, lighting: Lighting) -> Render:
    """Render one RGB-D frame (shadows off: they double the cost)."""
    _, _, rgba, zbuffer, seg = pb.getCameraImage(
        camera.width,
        camera.height,
        viewMatrix=view_matrix(camera),
        projectionMatrix=projection_matrix(camera, config.near, config.far),
        shadow=0,
        lightDirection=list(lighting.direction),
        lightAmbientCoeff=lighting.ambient,
        lightDiffuseCoeff=lighting.diffuse,
        lightSpecularCoeff=lighting.specular,
        renderer=pb.ER_TINY_RENDERER,
        physicsClientId=client,
    )
    shape = (camera.height, camera.width)
    rgb = np.asarray(rgba, dtype=np.uint8).reshape(*shape, 4)[..., :3].copy()
    z = np.asarray(zbuffer, dtype=np.float64).reshape(shape)
    near, far = config.near, config.far
    depth = (far * near / (far - (far - near) * z)).astype(np.float32)
    depth[z >= 1.0] = 0.0
    segmentation = np.asarray(seg, dtype=np.int32).reshape(shape)
    return Render(rgb, depth, segmentation)
