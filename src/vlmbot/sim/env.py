"""The tabletop environment: a robot cell (table, arm, RGB-D cameras) and the objects of a scene
spec. It implements the `vlmbot.control.robot.Robot` boundary."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vlmbot.cell import CellCamera, RobotCell, Workspace
from vlmbot.control.robot import ExecutedAction
from vlmbot.errors import InputError
from vlmbot.sim._pybullet import pb
from vlmbot.sim.arms import SUCTION_ARMS, SuctionArm
from vlmbot.sim.bodies import BodyBuilder, ObjectSpec
from vlmbot.sim.cameras import Lighting, Render, render
from vlmbot.sim.cells import SimCell, home_cell
from vlmbot.sim.robot import PandaArm
from vlmbot.sim.textures import texture_file
from vlmbot.types import Camera, Observation, PickPlace, RGBDFrame, RobotState

ARMS = ("panda", *SUCTION_ARMS)

TABLE_THICKNESS = 0.05


@dataclass(frozen=True)
class SceneSpec:
    """Everything needed to rebuild a scene: objects, table colour, lighting, and the cameras
    when they differ from the cell's (e.g. jittered for domain randomisation; None: the
    cell's own)."""

    objects: tuple[ObjectSpec, ...]
    table_rgb: tuple[float, float, float] = (0.62, 0.60, 0.57)
    lighting: Lighting = field(default_factory=Lighting)
    cameras: tuple[CellCamera, ...] | None = None
    table_texture: str = "plain"
    floor_rgb: tuple[float, float, float] | None = None
    floor_texture: str = "plain"

    def object(self, object_id: str) -> ObjectSpec:
        for spec in self.objects:
            if spec.id == object_id:
                return spec
        raise KeyError(object_id)


@dataclass(frozen=True)
class ObjectState:
    """Privileged ground truth of one object. position: (3,) AABB centre, world frame, metres;
    aabb_min/aabb_max: (3,) world-frame bounds; yaw: radians about z."""

    id: str
    category: str
    color: str
    position: np.ndarray
    yaw: float
    aabb_min: np.ndarray
    aabb_max: np.ndarray
    size: np.ndarray

    @property
    def bottom_z(self) -> float:
        return float(self.aabb_min[2])

    @property
    def top_z(self) -> float:
        return float(self.aabb_max[2])


class TabletopEnv:
    """A PyBullet DIRECT world for one robot cell. Build once, `reset(scene)` per episode.

    with_robot=False leaves the arm out (faster renders for perception datasets).
    """

    def __init__(self, with_robot: bool = True, cell: SimCell | RobotCell | None = None) -> None:
        self.client = pb.connect(pb.DIRECT)
        self.with_robot = with_robot
        self.sim_cell = home_cell()
        self.set_cell(cell or self.sim_cell)
        self.scene: SceneSpec | None = None
        self.bodies: dict[str, int] = {}
        self.robot: PandaArm | SuctionArm | None = None
        self._cameras: dict[str, CellCamera] = {}
        self._textures: dict[str, int] = {}

    def set_cell(self, cell: SimCell | RobotCell) -> None:
        """The robot cell of the next `reset` (its arm, table, cameras and look)."""
        sim_cell = cell if isinstance(cell, SimCell) else SimCell(cell)
        if sim_cell.robot.arm not in ARMS:
            arms = ", ".join(ARMS)
            raise InputError(f"the simulator has no arm {sim_cell.robot.arm!r}; arms: {arms}")
        self.sim_cell = sim_cell
        self.cell: RobotCell = sim_cell.robot

    @property
    def workspace(self) -> Workspace:
        return self.cell.workspace

    def close(self) -> None:
        if self.client >= 0:
            pb.disconnect(self.client)
            self.client = -1

    def __enter__(self) -> TabletopEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- building ----------------------------------------------------------------------------
    def reset(self, scene: SceneSpec, settle_steps: int = 120) -> None:
        """Rebuild the world for a scene and let objects settle."""
        c = self.client
        pb.resetSimulation(physicsClientId=c)
        pb.setGravity(0, 0, -9.81, physicsClientId=c)
        pb.setTimeStep(1 / 240, physicsClientId=c)
        self._textures = {}
        table = self._add_table(scene.table_rgb, scene.table_texture)
        if scene.floor_rgb is not None:
            self._add_floor(scene.floor_rgb, scene.floor_texture)
        self.robot = self._make_arm(table) if self.with_robot else None
        builder = BodyBuilder(c)
        self.bodies = {spec.id: builder.spawn(spec) for spec in scene.objects}
        self.scene = scene
        cameras = scene.cameras if scene.cameras is not None else self.cell.cameras
        self._cameras = {camera.name: camera for camera in cameras}
        for _ in range(settle_steps):
            pb.stepSimulation(physicsClientId=c)

    def _make_arm(self, table: int) -> PandaArm | SuctionArm:
        arm, base = self.cell.arm, self.cell.base.position
        if arm == "panda":
            return PandaArm(self.client, base, self.cell.gripper.max_opening)
        return SuctionArm(self.client, SUCTION_ARMS[arm], base, ignore=(table,))

    def _texture(self, kind: str) -> int | None:
        if kind == "plain":
            return None
        if kind not in self._textures:
            path = texture_file(kind)
            self._textures[kind] = pb.loadTexture(str(path), physicsClientId=self.client)
        return self._textures[kind]

    def _add_floor(self, rgb: tuple[float, float, float], texture: str) -> None:
        half = [3.0, 3.0, 0.01]
        visual = pb.createVisualShape(
            pb.GEOM_BOX, halfExtents=half, rgbaColor=[*rgb, 1], physicsClientId=self.client
        )
        floor = pb.createMultiBody(0, -1, visual, [0.4, 0.0, -0.76], physicsClientId=self.client)
        texture_id = self._texture(texture)
        if texture_id is not None:
            pb.changeVisualShape(floor, -1, textureUniqueId=texture_id, physicsClientId=self.client)

    def _add_table(self, rgb: tuple[float, float, float], texture: str = "plain") -> int:
        table = self.cell.table
        (x0, x1), (y0, y1) = table.x_range, table.y_range
        half = [(x1 - x0) / 2, (y1 - y0) / 2, TABLE_THICKNESS / 2]
        centre = [(x0 + x1) / 2, (y0 + y1) / 2, table.z - TABLE_THICKNESS / 2]
        visual = pb.createVisualShape(
            pb.GEOM_BOX, halfExtents=half, rgbaColor=[*rgb, 1], physicsClientId=self.client
        )
        collision = pb.createCollisionShape(
            pb.GEOM_BOX, halfExtents=half, physicsClientId=self.client
        )
        table = pb.createMultiBody(0, collision, visual, centre, physicsClientId=self.client)
        pb.changeDynamics(table, -1, lateralFriction=0.8, physicsClientId=self.client)
        texture_id = self._texture(texture)
        if texture_id is not None:
            pb.changeVisualShape(table, -1, textureUniqueId=texture_id, physicsClientId=self.client)
        return int(table)

    # --- sensing -------------------------------------------------------------------------------
    @property
    def cameras(self) -> dict[str, Camera]:
        return {name: camera.camera for name, camera in self._cameras.items()}

    def render(self, camera_name: str) -> Render:
        """Render one camera, segmentation included (privileged)."""
        if camera_name not in self._cameras:
            raise InputError(f"unknown camera {camera_name!r}; cameras: {', '.join(self._cameras)}")
        assert self.scene is not None
        return render(self.client, self._cameras[camera_name], self.scene.lighting)

    def observe(self, camera_names: tuple[str, ...] | None = None) -> Observation:
        """Calibrated RGB-D frames (what an agent may see) plus proprioception."""
        names = camera_names or tuple(self._cameras)
        frames = {}
        for name in names:
            frame = self.render(name)
            frames[name] = RGBDFrame(frame.rgb, frame.depth, self._cameras[name].camera)
        robot = None
        if self.robot is not None:
            robot = RobotState(
                self.robot.grasp_point(), self.robot.gripper_width(), links=self.robot.link_points()
            )
        return Observation(frames=frames, robot=robot)

    # --- ground truth (privileged) -----------------------------------------------------------
    def object_states(self) -> dict[str, ObjectState]:
        assert self.scene is not None
        states = {}
        for spec in self.scene.objects:
            body = self.bodies[spec.id]
            _, orientation = pb.getBasePositionAndOrientation(body, physicsClientId=self.client)
            low, high = (np.asarray(v) for v in pb.getAABB(body, physicsClientId=self.client))
            yaw = float(pb.getEulerFromQuaternion(orientation)[2])
            states[spec.id] = ObjectState(
                spec.id, spec.category, spec.color, (low + high) / 2, yaw, low, high, spec.size
            )
        return states

    def body_to_object(self) -> dict[int, str]:
        return {body: object_id for object_id, body in self.bodies.items()}

    # --- acting --------------------------------------------------------------------------------
    def execute(self, action: PickPlace) -> ExecutedAction:
        """Run one pick-and-place, clamped to the cell's workspace first, and let the world
        settle; the report says what was executed and how far clamping moved it."""
        if not isinstance(action, PickPlace):
            raise InputError(f"the robot executes PickPlace actions, not {type(action).__name__}")
        if self.robot is None:
            raise InputError("this environment was built without a robot")
        executed, moved = self.cell.clamp(action)
        report = self.robot.pick_place(executed)
        for _ in range(60):
            pb.stepSimulation(physicsClientId=self.client)
        message = report.message
        if moved > 1e-9:
            message += f" (clamped to the workspace by {moved * 100:.1f} cm)"
        return ExecutedAction(action, executed, moved, report.grasped, report.completed, message)
