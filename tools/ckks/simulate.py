#!/usr/bin/env python3
"""Runs an encrypted job's circuit on plain NumPy slots: the same operations, rotations, BSGS
products and Chebyshev series as under CKKS (circuit.py), without encryption, noise or keys.

    python tools/ckks/simulate.py --input job.json --batch 2     # prints {"logits": [[...], ...]}

What it shows: that a job computes what Cellwise's plaintext evaluator computes (the slot layout,
the graph interpretation, the polynomials), in seconds and without OpenFHE. A bootstrap returns its
input unchanged. Needs NumPy and jsonschema only.
"""
import argparse
import json
import sys

import numpy as np
from numpy.polynomial import chebyshev

from circuit import Circuit, check_job, interleave


class Slots:
    """The CryptoContext calls circuit.py makes, on float64 vectors of `slots` values."""

    def __init__(self, slots):
        self.slots = slots

    def GetBatchSize(self):
        return self.slots

    def MakeCKKSPackedPlaintext(self, values, scale=1, level=0):
        return np.asarray(values, dtype=np.float64)

    def EvalAdd(self, x, y):
        return x + y

    def EvalSub(self, x, y):
        return x - y

    def EvalMult(self, x, y):
        return x * y

    def EvalNegate(self, x):
        return -x

    def EvalRotate(self, x, k):
        """OpenFHE's rotation by k: slot i receives slot i + k (cyclically)."""
        return np.roll(x, -k)

    def EvalChebyshevSeries(self, x, series, lower, upper):
        """OpenFHE's series c_0 / 2 + sum c_k T_k of x mapped from [lower, upper] to [-1, 1]."""
        coefficients = np.asarray(series, dtype=np.float64).copy()
        coefficients[0] /= 2
        return chebyshev.chebval((2 * x - (lower + upper)) / (upper - lower), coefficients)

    def EvalBootstrap(self, x):
        return x


def simulate(job, batch):
    """The logits of every image, `batch` images per vector of window * batch slots."""
    check_job(job)
    window = job["window"]
    slots = Slots(window * batch)
    circuit = Circuit(slots, job, batch)
    inputs, classes = job["input_size"], job["classes"]
    offset = job["layers"][0]["units"]
    images = job["images"]
    logits = []
    for first in range(0, len(images), batch):
        group = images[first:first + batch]
        steps = len(group[0]) // inputs
        cts = [slots.MakeCKKSPackedPlaintext(interleave(
            [[0.0] * offset + image[t * inputs:(t + 1) * inputs] for image in group], batch, window))
               for t in range(steps)]
        values, _ = circuit.evaluate(cts, f"images {first + 1}-{first + len(group)}")
        logits += [[float(values[c * batch + b]) for c in range(classes)] for b in range(len(group))]
    return logits


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--input", required=True, help="the job (JSON)")
    parser.add_argument("--batch", type=int, default=1, help="images per vector (a power of two)")
    args = parser.parse_args()
    try:
        with open(args.input) as f:
            job = json.load(f)
        output = {"logits": simulate(job, args.batch)}
    except (OSError, ValueError, KeyError) as error:
        print(f"simulate: {error}", file=sys.stderr)
        sys.exit(1)
    json.dump(output, sys.stdout)
    print()


if __name__ == "__main__":
    main()
