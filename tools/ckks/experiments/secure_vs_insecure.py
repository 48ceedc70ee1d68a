"""Secure default against the earlier insecure parameters, side by side in one run (issue 15).

For each parameter set: key generation time, the median of three bootstraps, the largest error of one
bootstrap of 64 values uniform in [-1, 1] (a ciphertext that has used its levels, as in a network), and a
20-step chain (bootstrap, then the degree-17 tanh fit on [-8, 8] of 4 x the value) against the same chain
in float64. Run with the bridge environment (a quarter of an hour at N = 2^16):
    .build/ckks-venv/bin/python tools/ckks/experiments/secure_vs_insecure.py
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import cellwise_ckks as C  # noqa: E402
import numpy as np  # noqa: E402
from numpy.polynomial import chebyshev as Ch  # noqa: E402

SETS = {
    # Cellwise's default since issue 15: OpenFHE checks 128-bit security and picks N.
    "secure default": dict(ring_dim=0, levels=9, level_budget=[1, 1], scaling_bits=50, first_bits=55, digits=4,
                           correction=6, secret="uniform", security="128"),
    # The bridge's default before: no check, first prime = scale + 10, level budget [2, 2], 3 digits
    # (OpenFHE's default), OpenFHE's default correction factor; 8 requested levels.
    "earlier insecure": dict(ring_dim=1 << 16, levels=8, level_budget=[2, 2], scaling_bits=50, first_bits=60,
                             digits=3, correction=0, secret="uniform", security="none"),
}


def measure(name, settings, steps):
    args = argparse.Namespace(**settings)
    started = time.perf_counter()
    cc, keys, parameters = C.context(args)
    keygen = time.perf_counter() - started
    rng = np.random.default_rng(7)
    values = rng.uniform(-1, 1, C.WINDOW)
    one = C.plaintext(cc, [1.0] * C.WINDOW)

    def low(ct):  # use up the levels, as a network does before a bootstrap
        for _ in range(max(0, C.remaining_levels(cc, ct) - 1)):
            ct = cc.EvalMult(ct, one)
        return ct

    def decrypt(ct):
        p = cc.Decrypt(keys.secretKey, ct)
        p.SetLength(C.WINDOW)
        return np.array(p.GetRealPackedValue())

    x = low(cc.Encrypt(keys.publicKey, C.plaintext(cc, values)))
    times, error = [], 0.0
    for _ in range(3):
        t = time.perf_counter()
        y = cc.EvalBootstrap(x)
        times.append(time.perf_counter() - t)
        error = max(error, float(np.max(np.abs(decrypt(y) - values))))
    coefficients = C.chebyshev_tanh(17, -8.0, 8.0)
    h = cc.Encrypt(keys.publicKey, C.plaintext(cc, values))
    reference = values.copy()
    chain = []
    for _ in range(steps):
        h = cc.EvalBootstrap(low(h))
        h = cc.EvalChebyshevSeries(cc.EvalMult(h, 4.0), coefficients, -8.0, 8.0)
        reference = Ch.chebval(4 * reference / 8, coefficients)
        chain.append(float(np.max(np.abs(decrypt(h) - reference))))
    return {"name": name, "parameters": parameters, "key_generation_seconds": keygen,
            "bootstrap_seconds_median": sorted(times)[1], "bootstrap_max_error": error,
            "chain_max_error": max(chain), "chain_errors": chain}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--out", default="results/ckks/secure-vs-insecure.json")
    args = parser.parse_args()
    results = [measure(name, settings, args.steps) for name, settings in SETS.items()]
    for r in results:
        p = r["parameters"]
        print(f"{r['name']:>17}: N = {p['ring_dimension']}, log2 Q = {p['log_q']:.0f}, {p['security']}; "
              f"keys {r['key_generation_seconds']:.1f} s, bootstrap {r['bootstrap_seconds_median']:.2f} s, "
              f"one bootstrap max error {r['bootstrap_max_error']:.2e}, {args.steps}-step chain max error "
              f"{r['chain_max_error']:.2e}")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out + ".tmp", "w") as f:
        json.dump({"openfhe": C.openfhe_version(), "steps": args.steps, "results": results}, f, indent=1)
    os.replace(args.out + ".tmp", args.out)


if __name__ == "__main__":
    main()
