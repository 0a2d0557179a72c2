"""Training for vlmbot-tiny. The library never imports this package.

python -m training --out training/runs/latest        # or: make train
"""
