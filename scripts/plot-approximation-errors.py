#!/usr/bin/env python3
"""docs/figures/approximation-errors.svg: for each cell of a model, the largest |p(x) - tanh(x)| over
the pre-activations the cell sees on the validation split, for the paper's fit on [-8, 8] and for the
range and weighted fits of the same degree (fitted on the training split).

Reads `cellwise ranges --json` and `cellwise evaluate --json` (the fitted Chebyshev coefficients of
every cell) for each model; evaluates the polynomials with NumPy. Run from the repository root:

  python3 scripts/plot-approximation-errors.py results/models/paper-mnist5k.json results/models/fashion.json
"""
import json
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from numpy.polynomial import chebyshev as C  # noqa: E402

CELLWISE = ".build/release/cellwise"
DEGREE = 17
METHODS = [
    ("", "uniform on [-8, 8] (paper)"),
    ("r", "uniform on the observed range"),
    ("w", "weighted by the observed data"),
]


def run(*args):
    return json.loads(subprocess.run([CELLWISE, *args], check=True, capture_output=True, text=True).stdout)


models = sys.argv[1:]
fig, axes = plt.subplots(1, len(models), figsize=(6 * len(models), 3.6), squeeze=False)
for ax, model in zip(axes[0], models):
    cells = run("ranges", "--model", model, "--json")["cells"]
    for suffix, label in METHODS:
        report = run("evaluate", "--model", model, "--plan", f"{DEGREE}{suffix}*{len(cells)}", "--json")
        errors = [0.0] * len(cells)
        for spec in report["candidates"]:
            a, b = spec["domain"]
            for cell in spec["cells"]:
                x = np.linspace(cells[cell]["min"], cells[cell]["max"], 4001)
                p = C.chebval((2 * x - a - b) / (b - a), spec["chebyshev"])
                errors[cell] = float(np.max(np.abs(p - np.tanh(x))))
        ax.semilogy(range(len(cells)), errors, marker="o", markersize=3, label=f"{DEGREE}{suffix}: {label}")
        print(model, f"{DEGREE}{suffix}", "median error", float(np.median(errors)), "max", max(errors),
              "accuracy", report["accuracy"])
    ax.set_title(model.split("/")[-1].replace(".json", ""))
    ax.set_xlabel("cell (time step)")
    ax.set_ylabel("max |p(x) - tanh(x)| on the observed range")
axes[0][0].legend(fontsize=8)
plt.tight_layout()
plt.savefig("docs/figures/approximation-errors.svg", metadata={"Date": None})
