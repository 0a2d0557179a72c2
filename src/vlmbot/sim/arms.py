"""Arms with a suction cup (a KUKA iiwa, a UFactory xArm 6) executing top-down pick-and-place.

The cup is a small cylinder fixed under the last link, pointing down; its tip is the grasp
point. A pick lowers the tip onto the object's top surface and, when the cup touches a body,
holds it with a fixed constraint (the simulator's stand-in for vacuum); a place lowers it to the
place pose and releases. Whether a grasp holds is read from that contact, as a vacuum sensor
would report it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vlmbot.sim._pybullet import pb, pybullet_data
from vlmbot.sim.robot import ExecutionReport
from vlmbot.types import PickPlace

CUP_LENGTH = 0.06  # metres from the flange to the cup's tip
CUP_RADIUS = 0.014
_APPROACH = 0.12
RELEASE_DESCENT = 0.01  # metres below the place pose the held object is lowered to rest


@dataclass(frozen=True)
class ArmModel:
    """A URDF arm: its file, the revolute joints to drive, the flange link, a home pose."""

    name: str
    urdf: str
    joints: tuple[int, ...]
    flange: int
    home: tuple[float, ...]


KUKA_IIWA = ArmModel(
    "kuka_iiwa", "kuka_iiwa/model.urdf", tuple(range(7)), 6, (0.0, 0.3, 0.0, -1.6, 0.0, 1.2, 0.0)
)
XARM6 = ArmModel(
    "xarm6", "xarm/xarm6_robot_white.urdf", tuple(range(1, 7)), 6, (0.0, -0.4, -0.6, 0.0, 1.0, 0.0)
)
SUCTION_ARMS = {arm.name: arm for arm in (KUKA_IIWA, XARM6)}


class SuctionArm:
    """An arm from `SUCTION_ARMS` on the table at `base` (world frame), 240 Hz control."""

    def __init__(
        self,
        client: int,
        model: ArmModel,
        base: tuple[float, float, float],
        ignore: tuple[int, ...] = (),
    ) -> None:
        """ignore: bodies the cup never holds (the table)."""
        self.client, self.model, self.ignore = client, model, set(ignore)
        self.body = pb.loadURDF(
            pybullet_data.getDataPath() + "/" + model.urdf,
            base,
            useFixedBase=True,
            physicsClientId=client,
        )
        info = [pb.getJointInfo(self.body, j, physicsClientId=client) for j in model.joints]
        self._lower = [float(i[8]) for i in info]
        self._upper = [float(i[9]) for i in info]
        self.cup = self._make_cup()
        self._held: int | None = None
        self.reset()

    def _make_cup(self) -> int:
        c = self.client
        visual = pb.createVisualShape(
            pb.GEOM_CYLINDER, radius=CUP_RADIUS, length=CUP_LENGTH,
            rgbaColor=[0.2, 0.2, 0.2, 1], physicsClientId=c,
        )  # fmt: skip
        collision = pb.createCollisionShape(
            pb.GEOM_CYLINDER, radius=CUP_RADIUS, height=CUP_LENGTH, physicsClientId=c
        )
        cup = pb.createMultiBody(0.05, collision, visual, [0, 0, 0], physicsClientId=c)
        for link in range(-1, pb.getNumJoints(self.body, physicsClientId=c)):
            pb.setCollisionFilterPair(self.body, cup, link, -1, 0, physicsClientId=c)
        pb.createConstraint(
            self.body, self.model.flange, cup, -1, pb.JOINT_FIXED, [0, 0, 0],
            [0, 0, CUP_LENGTH / 2], [0, 0, 0], physicsClientId=c,
        )  # fmt: skip
        return int(cup)

    def reset(self) -> None:
        for joint, angle in zip(self.model.joints, self.model.home, strict=True):
            pb.resetJointState(self.body, joint, angle, physicsClientId=self.client)
        self._targets = np.asarray(self.model.home, dtype=float)
        self._sync_cup()

    def _sync_cup(self) -> None:
        state = pb.getLinkState(self.body, self.model.flange, physicsClientId=self.client)
        offset = np.array(pb.getMatrixFromQuaternion(state[5])).reshape(3, 3) @ [
            0.0, 0.0, CUP_LENGTH / 2
        ]  # fmt: skip
        pb.resetBasePositionAndOrientation(
            self.cup, np.asarray(state[4]) + offset, state[5], physicsClientId=self.client
        )

    # --- state -----------------------------------------------------------------------------
    def grasp_point(self) -> np.ndarray:
        """(3,) world position of the cup's tip."""
        state = pb.getLinkState(self.body, self.model.flange, physicsClientId=self.client)
        axis = np.array(pb.getMatrixFromQuaternion(state[5])).reshape(3, 3)[:, 2]
        return np.asarray(state[4]) + axis * CUP_LENGTH

    def gripper_width(self) -> float:
        return 0.0

    def link_points(self) -> np.ndarray:
        """(L, 3) world positions of the arm's link frames and the cup's tip."""
        links = [
            pb.getLinkState(self.body, j, physicsClientId=self.client)[4] for j in self.model.joints
        ]
        base = pb.getBasePositionAndOrientation(self.body, physicsClientId=self.client)[0]
        return np.asarray([base, *links, self.grasp_point()], dtype=float)

    # --- control ---------------------------------------------------------------------------
    def _ik(self, tip: np.ndarray, yaw: float) -> np.ndarray:
        orientation = pb.getQuaternionFromEuler([np.pi, 0.0, yaw])
        flange = np.asarray(tip) + np.array([0.0, 0.0, CUP_LENGTH])
        joints = pb.calculateInverseKinematics(
            self.body, self.model.flange, flange.tolist(), orientation,
            lowerLimits=self._lower, upperLimits=self._upper,
            jointRanges=[u - lo for lo, u in zip(self._lower, self._upper, strict=True)],
            restPoses=list(self.model.home), maxNumIterations=80, residualThreshold=1e-4,
            physicsClientId=self.client,
        )  # fmt: skip
        return np.asarray(joints[: len(self.model.joints)])

    def _step(self, n: int = 1) -> None:
        for _ in range(n):
            pb.setJointMotorControlArray(
                self.body, self.model.joints, pb.POSITION_CONTROL,
                targetPositions=self._targets.tolist(), forces=[300.0] * len(self.model.joints),
                positionGains=[0.1] * len(self.model.joints), physicsClientId=self.client,
            )  # fmt: skip
            pb.stepSimulation(physicsClientId=self.client)

    def move_to(self, tip: np.ndarray, yaw: float = 0.0, speed: float = 0.6) -> float:
        """Move the cup's tip along a straight line; returns the final error in metres."""
        start = self.grasp_point()
        tip = np.asarray(tip, dtype=float)
        n = max(int(np.linalg.norm(tip - start) / speed * 240), 24)
        for t in np.linspace(0, 1, n)[1:]:
            self._targets = self._ik(start + (tip - start) * t, yaw)
            self._step()
        for _ in range(60):
            self._targets = self._ik(tip, yaw)
            self._step()
            if np.linalg.norm(self.grasp_point() - tip) < 0.002:
                break
        return float(np.linalg.norm(self.grasp_point() - tip))

    def _touching(self) -> int | None:
        """The body the cup's tip rests on, if any (not the arm, not the table)."""
        candidates = []
        for body in range(pb.getNumBodies(physicsClientId=self.client)):
            uid = pb.getBodyUniqueId(body, physicsClientId=self.client)
            if uid in (self.body, self.cup) or uid in self.ignore:
                continue
            points = pb.getClosestPoints(self.cup, uid, 0.015, physicsClientId=self.client)
            if points:
                candidates.append((min(p[8] for p in points), uid))
        return min(candidates)[1] if candidates else None

    def pick_place(self, action: PickPlace) -> ExecutionReport:
        """Suction pick at action.pick_pose (the object's top) and release at place_pose."""
        pick_at = np.asarray(action.pick_pose.position)
        place_at = np.asarray(action.place_pose.position)
        up = np.array([0.0, 0.0, _APPROACH])
        self.move_to(pick_at + up, speed=0.8)
        self.move_to(pick_at + np.array([0.0, 0.0, -0.004]), speed=0.25)
        held = self._touching()
        if held is None:
            self.move_to(pick_at + up, speed=0.5)
            self.go_home()
            return ExecutionReport(False, False, "grasp missed: the cup touched nothing")
        grip = pb.createConstraint(
            self.cup, -1, held, -1, pb.JOINT_FIXED, [0, 0, 0], [0, 0, CUP_LENGTH / 2],
            self._offset_of(held), physicsClientId=self.client,
        )  # fmt: skip
        pb.changeConstraint(grip, maxForce=40, physicsClientId=self.client)
        self.move_to(pick_at + up, speed=0.3)
        self.move_to(place_at + up, speed=0.6)
        self.move_to(place_at, speed=0.25)
        # Set it down before letting go: a held object dropped from the release height topples
        # when it is tall or the support is curved.
        self.move_to(place_at - np.array([0.0, 0.0, RELEASE_DESCENT]), speed=0.1)
        pb.removeConstraint(grip, physicsClientId=self.client)
        self._step(30)
        self.move_to(place_at + up, speed=0.5)
        self.go_home()
        return ExecutionReport(True, True, "placed")

    def _offset_of(self, body: int) -> list[float]:
        """The cup tip's position in the held body's frame (where the constraint attaches)."""
        position, orientation = pb.getBasePositionAndOrientation(body, physicsClientId=self.client)
        inverse = pb.invertTransform(position, orientation)
        local, _ = pb.multiplyTransforms(
            inverse[0], inverse[1], self.grasp_point().tolist(), [0, 0, 0, 1]
        )
        return list(local)

    def go_home(self) -> None:
        current = np.asarray(
            [
                pb.getJointState(self.body, j, physicsClientId=self.client)[0]
                for j in self.model.joints
            ]
        )
        for t in np.linspace(0, 1, 120)[1:]:
            self._targets = current + (np.asarray(self.model.home) - current) * t
            self._step()
        self._step(30)
