"""vlmbot's own simulator: a Franka Panda on a table in PyBullet (DIRECT mode, CPU).

The library never needs it: agents take calibrated RGB-D frames from any cameras. It exists to
train and evaluate the embedded model and to drive a robot end to end without hardware.
"""
