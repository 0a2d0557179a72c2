"""A Franka Panda in PyBullet that executes top-down pick-and-place with its real fingers.

IK runs on the grasp-target link (between the finger pads) at every control step, joints are
position-controlled, and the two fingers are coupled by a gear constraint so they close
symmetrically. Whether a grasp holds is read from the finger opening, as on a real gripper.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vlmbot.sim._pybullet import pb, pybullet_data
from vlmbot.types import PickPlace

ARM_JOINTS = tuple(range(7))
FINGER_JOINTS = (9, 10)
GRASP_LINK = 11
HOME_JOINTS = (0.0, -1.2, 0.0, -2.9, 0.0, 1.7, 0.785)
_LOWER = (-2.9, -1.76, -2.9, -3.07, -2.9, -0.02, -2.9)
_UPPER = (2.9, 1.76, 2.9, -0.07, 2.9, 3.75, 2.9)
PANDA_MAX_OPENING = 0.08  # metres between the Panda's finger pads, fully open
_APPROACH = 0.12  # metres above a pick or place pose to start the vertical approach


@dataclass(frozen=True)
class ExecutionReport:
    """What happened when the robot ran one action.

    grasped: the fingers closed on something (opening above a threshold after lifting);
    completed: the motion finished and the object was released at the place pose.
    """

    grasped: bool
    completed: bool
    message: str = ""


class PandaArm:
    """Panda on the table at `base` (world frame, metres), 240 Hz control."""

    def __init__(
        self,
        client: int,
        base: tuple[float, float, float] = (0.0, 0.0, 0.0),
        max_opening: float = PANDA_MAX_OPENING,
    ) -> None:
        self.client = client
        self.max_opening = min(max_opening, PANDA_MAX_OPENING)
        self.body = pb.loadURDF(
            pybullet_data.getDataPath() + "/franka_panda/panda.urdf",
            base,
            useFixedBase=True,
            flags=pb.URDF_USE_SELF_COLLISION * 0,
            physicsClientId=client,
        )
        gear = pb.createConstraint(
            self.body,
            FINGER_JOINTS[0],
            self.body,
            FINGER_JOINTS[1],
            jointType=pb.JOINT_GEAR,
            jointAxis=[1, 0, 0],
            parentFramePosition=[0, 0, 0],
            childFramePosition=[0, 0, 0],
            physicsClientId=client,
        )
        pb.changeConstraint(gear, gearRatio=-1, erp=0.1, maxForce=50, physicsClientId=client)
        for finger in FINGER_JOINTS:
            pb.changeDynamics(self.body, finger, lateralFriction=1.5, physicsClientId=client)
        self.steps = 0
        self.reset()

    def reset(self) -> None:
        """Teleport to the home pose with the gripper open (no simulation steps)."""
        for joint, angle in zip(ARM_JOINTS, HOME_JOINTS, strict=True):
            pb.resetJointState(self.body, joint, angle, physicsClientId=self.client)
        for finger in FINGER_JOINTS:
            pb.resetJointState(self.body, finger, self.max_opening / 2, physicsClientId=self.client)
        self._arm_targets = np.asarray(HOME_JOINTS)
        self._finger_target = self.max_opening / 2
        self._finger_force = 40.0

    # --- state -----------------------------------------------------------------------------
    def grasp_point(self) -> np.ndarray:
        """(3,) world position of the grasp point between the finger pads."""
        state = pb.getLinkState(self.body, GRASP_LINK, physicsClientId=self.client)
        return np.asarray(state[4])

    def link_points(self) -> np.ndarray:
        """(L, 3) world positions of the arm's link frames, base to finger tips."""
        base = pb.getBasePositionAndOrientation(self.body, physicsClientId=self.client)[0]
        links = [
            pb.getLinkState(self.body, j, physicsClientId=self.client)[4]
            for j in (*ARM_JOINTS, *FINGER_JOINTS, GRASP_LINK)
        ]
        return np.asarray([base, *links], dtype=float)

    def gripper_width(self) -> float:
        """Finger opening in metres."""
        return float(
            sum(
                pb.getJointState(self.body, j, physicsClientId=self.client)[0]
                for j in FINGER_JOINTS
            )
        )

    # --- low-level control -----------------------------------------------------------------
    def _step(self, n: int = 1) -> None:
        for _ in range(n):
            pb.setJointMotorControlArray(
                self.body,
                ARM_JOINTS,
                pb.POSITION_CONTROL,
                targetPositions=self._arm_targets.tolist(),
                forces=[200.0] * 7,
                positionGains=[0.1] * 7,
                physicsClientId=self.client,
            )
            pb.setJointMotorControlArray(
                self.body,
                FINGER_JOINTS,
                pb.POSITION_CONTROL,
                targetPositions=[self._finger_target] * 2,
                forces=[self._finger_force] * 2,
                physicsClientId=self.client,
            )
            pb.stepSimulation(physicsClientId=self.client)
            self.steps += 1

    def _ik(self, position: np.ndarray, yaw: float) -> np.ndarray:
        # The hand's fingers close along its local y axis; with roll π that axis points at
        # yaw − π/2, so a closing direction `yaw` needs a hand yaw of yaw + π/2. Closing
        # directions repeat every π: pick the one that keeps the wrist inside its joint range.
        yaw = (yaw + np.pi / 2) % np.pi - np.pi / 2
        orientation = pb.getQuaternionFromEuler([np.pi, 0.0, yaw + np.pi / 2])
        joints = pb.calculateInverseKinematics(
            self.body,
            GRASP_LINK,
            position.tolist(),
            orientation,
            lowerLimits=[*_LOWER, 0.0, 0.0],
            upperLimits=[*_UPPER, 0.04, 0.04],
            jointRanges=[u - lo for lo, u in zip(_LOWER, _UPPER, strict=True)] + [0.04, 0.04],
            restPoses=[*HOME_JOINTS, 0.02, 0.02],
            maxNumIterations=60,
            residualThreshold=1e-4,
            physicsClientId=self.client,
        )
        return np.asarray(joints[:7])

    def move_to(self, position: np.ndarray, yaw: float, speed: float = 0.6) -> float:
        """Move the grasp point along a straight line; returns the final error in metres."""
        start = self.grasp_point()
        position = np.asarray(position, dtype=float)
        n = max(int(np.linalg.norm(position - start) / speed * 240), 24)
        for t in np.linspace(0, 1, n)[1:]:
            self._arm_targets = self._ik(start + (position - start) * t, yaw)
            self._step()
        for _ in range(60):
            self._arm_targets = self._ik(position, yaw)
            self._step()
            if np.linalg.norm(self.grasp_point() - position) < 0.002:
                break
        return float(np.linalg.norm(self.grasp_point() - position))

    def set_gripper(self, width: float, force: float = 40.0, steps: int = 90) -> None:
        self._finger_target = float(np.clip(width, 0.0, self.max_opening)) / 2
        self._finger_force = force
        self._step(steps)

    def go_home(self) -> None:
        current = np.asarray(
            [pb.getJointState(self.body, j, physicsClientId=self.client)[0] for j in ARM_JOINTS]
        )
        for t in np.linspace(0, 1, 120)[1:]:
            self._arm_targets = current + (np.asarray(HOME_JOINTS) - current) * t
            self._step()
        self._step(30)

    # --- skills ------------------------------------------------------------------------------
    def pick_place(self, action: PickPlace) -> ExecutionReport:
        """Execute a top-down pick at action.pick_pose and release at action.place_pose."""
        pick, place = action.pick_pose, action.place_pose
        pick_at, place_at = np.asarray(pick.position), np.asarray(place.position)
        up = np.array([0.0, 0.0, _APPROACH])
        self.set_gripper(self.max_opening, steps=30)
        self.move_to(pick_at + up, pick.yaw, speed=0.8)
        self.move_to(pick_at, pick.yaw, speed=0.3)
        self.set_gripper(0.0, force=60.0, steps=100)
        self.move_to(pick_at + up, pick.yaw, speed=0.3)
        if self.gripper_width() < 0.004:
            self.set_gripper(self.max_opening, steps=30)
            self.go_home()
            return ExecutionReport(False, False, "grasp missed: the fingers closed on nothing")
        self.move_to(place_at + up, place.yaw, speed=0.6)
        self.move_to(place_at, place.yaw, speed=0.25)
        held = self.gripper_width() >= 0.004
        self.set_gripper(self.max_opening, steps=60)
        self.move_to(place_at + up, place.yaw, speed=0.5)
        self.go_home()
        if not held:
            return ExecutionReport(True, False, "object slipped out during transport")
        return ExecutionReport(True, True, "placed")


__all__ = ["ExecutionReport", "PandaArm"]
