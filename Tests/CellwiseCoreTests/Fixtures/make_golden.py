"""Golden values for Cellwise's seeded generator and Float32 activation kernels, computed
independently of Cellwise in Python:

- xoshiro256** seeded through SplitMix64 (the reference algorithms of Blackman and Vigna),
  its 53-bit unit doubles, Box-Muller normals and Fisher-Yates permutations with Lemire's
  multiply-high index, as SeededGenerator documents them;
- the Chebyshev series of the NumPy reference fits (tanh-fits.json) evaluated in float64 with
  numpy.polynomial.chebyshev.chebval at fixed Float32 inputs.

Run from this directory:  python3 make_golden.py > golden.json
"""
import json
import math

import numpy as np
from numpy.polynomial import chebyshev as C

MASK = (1 << 64) - 1


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Xoshiro:
    def __init__(self, seed):
        s = seed

        def splitmix():
            nonlocal s
            s = (s + 0x9E3779B97F4A7C15) & MASK
            z = s
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            return z ^ (z >> 31)

        self.s = [splitmix() for _ in range(4)]

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def unit(self):
        return (self.next() >> 11) * 2.0 ** -53

    def normal(self):
        u1 = self.unit()
        while u1 == 0:
            u1 = self.unit()
        u2 = self.unit()
        return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)

    def permutation(self, count):
        indices = list(range(count))
        for i in range(count - 1, 0, -1):
            j = (self.next() * (i + 1)) >> 64
            indices[i], indices[j] = indices[j], indices[i]
        return indices


streams = []
for seed in [0, 1, 42, MASK]:
    g = Xoshiro(seed)
    entry = {"seed": seed, "next": [g.next() for _ in range(6)]}
    entry["unit"] = [g.unit() for _ in range(4)]
    entry["normal"] = [g.normal() for _ in range(4)]
    entry["permutation"] = g.permutation(12)
    streams.append(entry)

with open("tanh-fits.json") as f:
    fits = json.load(f)["fits"]
# 64 + 3 inputs: whole vector blocks and a scalar tail; float32 values, spread over [-9, 9].
inputs = np.float32(np.linspace(-9.0, 9.0, 67) + 0.013)
kernels = []
for fit in fits:
    if fit["degree"] not in (3, 7, 17, 31):
        continue
    a, b = fit["lower"], fit["upper"]
    x = inputs.astype(np.float64)
    u = (2 * x - (a + b)) / (b - a)
    kernels.append({"lower": a, "upper": b, "degree": fit["degree"],
                    "values": [float(v) for v in C.chebval(u, fit["chebyshev"])]})
print(json.dumps({"generator": "python " + ".".join(map(str, __import__("sys").version_info[:3]))
                  + ", numpy " + np.__version__,
                  "streams": streams,
                  "inputs": [float(v) for v in inputs],
                  "kernels": kernels}, indent=1))
