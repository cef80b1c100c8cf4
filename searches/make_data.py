"""Writes the example CSV files in this folder (standard library only; deterministic).

moons.csv     two interleaved half-moons with noise, string class labels (classification)
friedman1.csv Friedman's #1 regression benchmark: y = 10 sin(pi x1 x2) + 20 (x3 - 0.5)^2 + 10 x4 + 5 x5 + N(0, 1),
              with five more uniform features that do not matter (regression)
"""
import csv, math, random

rng = random.Random(2026)

with open("moons.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["x", "y", "shape"])
    for i in range(1000):
        t = rng.uniform(0, math.pi)
        if i % 2 == 0:
            x, y, label = math.cos(t), math.sin(t), "upper moon"
        else:
            x, y, label = 1 - math.cos(t), 0.5 - math.sin(t), "lower moon"
        w.writerow([f"{x + rng.gauss(0, 0.2):.5f}", f"{y + rng.gauss(0, 0.2):.5f}", label])

with open("friedman1.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow([f"x{i}" for i in range(1, 11)] + ["target"])
    for _ in range(1000):
        x = [rng.random() for _ in range(10)]
        y = 10 * math.sin(math.pi * x[0] * x[1]) + 20 * (x[2] - 0.5) ** 2 + 10 * x[3] + 5 * x[4] + rng.gauss(0, 1)
        w.writerow([f"{v:.5f}" for v in x] + [f"{y:.5f}"])
