"""Reference weighted and range least-squares fits, computed independently of Cellwise with NumPy.

A known distribution: the pre-activations of a cell are N(-2, 3^2) restricted to [-10, 6],
binned like Cellwise's CellDistribution (2048 equal bins; counts = round(1e6 x bin probability)).
Cellwise's fits, as docs/approximations.md defines them:
  target  = [min - 5% w, max + 5% w]  (w = max - min)
  weighted: one point per non-empty bin centre, weight count / total, plus 4097 equally spaced
            points of the target with total weight 0.01;
  range:    4097 equally spaced points of the target, equal weights;
both in the full Chebyshev basis of the target. numpy.polynomial.chebyshev.chebfit solves them
by SVD with w = sqrt(weight). Run:  python3 make_weighted_fits.py > weighted-fits.json
"""
import json
import math

import numpy as np
from numpy.polynomial import chebyshev as C

lo, hi, bins = -10.0, 6.0, 2048
mu, sigma = -2.0, 3.0
cdf = lambda x: 0.5 * (1 + math.erf((x - mu) / (sigma * math.sqrt(2))))
edges = [lo + (hi - lo) * k / bins for k in range(bins + 1)]
counts = [int(round(1e6 * (cdf(edges[k + 1]) - cdf(edges[k])))) for k in range(bins)]
width = hi - lo
a, b = lo - 0.05 * width, hi + 0.05 * width
centres = np.array([lo + (hi - lo) * (k + 0.5) / bins for k in range(bins)])
total = float(sum(counts))
floor_x = np.linspace(a, b, 4097)


def u(x):
    return (2 * x - a - b) / (b - a)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


fits = []
for name, f in [("tanh", np.tanh), ("sigmoid", sigmoid)]:
    for d in [3, 7, 17]:
        keep = np.array(counts) > 0
        x = np.concatenate([centres[keep], floor_x])
        wts = np.concatenate([np.array(counts)[keep] / total, np.full(4097, 0.01 / 4097)])
        weighted = C.chebfit(u(x), f(x), d, w=np.sqrt(wts))
        ranged = C.chebfit(u(floor_x), f(floor_x), d)
        fits.append({"function": name, "degree": d, "weighted": [float(v) for v in weighted],
                     "range": [float(v) for v in ranged]})
print(json.dumps({"generator": "numpy " + np.__version__ + " chebfit",
                  "minimum": lo, "maximum": hi, "counts": counts, "domain": [a, b], "fits": fits}))
