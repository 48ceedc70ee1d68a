"""Reference least-squares fits of tanh, computed independently of Cellwise with NumPy.

numpy.polynomial.chebyshev.chebfit solves the least-squares problem by SVD (lstsq), on the same
grid Cellwise uses: 4097 equally spaced points of [a, b] (mapped to [-1, 1]); errors are measured
on 20001 equally spaced points. Run:  python3 make_tanh_fits.py > tanh-fits.json
"""
import json
import numpy as np
from numpy.polynomial import chebyshev as C

fits = []
for (a, b) in [(-8.0, 8.0), (-4.0, 6.0)]:
    u = np.linspace(-1, 1, 4097)
    x = (u * (b - a) + (a + b)) / 2
    ud = np.linspace(-1, 1, 20001)
    xd = (ud * (b - a) + (a + b)) / 2
    for d in [1, 3, 7, 17, 31, 63] if a == -b else [3, 7, 17]:
        c = C.chebfit(u, np.tanh(x), d)
        e = C.chebval(ud, c) - np.tanh(xd)
        fits.append({"lower": a, "upper": b, "degree": d,
                     "max_error": float(np.max(np.abs(e))),
                     "rms_error": float(np.sqrt(np.mean(e ** 2))),
                     "chebyshev": [float(v) for v in c]})
print(json.dumps({"generator": "numpy " + np.__version__ + " chebfit", "fits": fits}, indent=1))
