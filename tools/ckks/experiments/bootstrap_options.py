"""Memory, time and precision of one CKKS bootstrap under each parameter option (issue 27), with
OpenFHE's own 128-bit verdict: the secret's distribution (uniform ternary, OpenFHE 1.6's
SPARSE_ENCAPSULATED), the level budget, the usable levels, the large digits of key switching, the
slots (images per ciphertext x window), the bootstrap precomputation, and the SlotsToCoeffs-first
variant (BTSlotsEncoding / EvalBootstrapStCFirst).

Each option set runs in a process of its own (peak memory is the process's), one JSON line each:

    .build/ckks-venv/bin/python tools/ckks/experiments/bootstrap_options.py \\
        --slots 16384 --secret sparse_encapsulated --level-budget 2 2 --levels 9 >> results.jsonl

What a line holds: the ring dimension and log2 Q OpenFHE chose, whether it accepted the parameters at
HEStd_128_classic (a refusal is a line with `accepted: false` and OpenFHE's reason), the depth, the
bootstrap's depth, the levels left after a bootstrap (counted, not assumed), key generation seconds,
the median bootstrap seconds of `--repetitions`, peak resident memory (GB) after the keys and after
the bootstraps, and the bootstrap's precision: the largest error over every slot of values uniform
in [-1, 1] (and its -log2).
"""
import argparse
import json
import math
import os
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import cellwise_ckks as C  # noqa: E402
import numpy as np  # noqa: E402
import openfhe as fhe  # noqa: E402

from circuit import plaintext  # noqa: E402

SECRETS = {**C.SECRETS, "sparse_encapsulated": fhe.SecretKeyDist.SPARSE_ENCAPSULATED}


def peak_gb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # kB -> GB


def drained(cc, ct, slots, levels):
    one = plaintext(cc, [1.0] * slots)
    for _ in range(levels):
        ct = cc.EvalMult(ct, one)
    return ct


def measure(args):
    secret = SECRETS[args.secret]
    p = fhe.CCParamsCKKSRNS()
    p.SetSecretKeyDist(secret)
    level = fhe.SecurityLevel.HEStd_128_classic if args.security == "128" else fhe.SecurityLevel.HEStd_NotSet
    p.SetSecurityLevel(level)
    if args.ring_dim:
        p.SetRingDim(args.ring_dim)
    p.SetScalingModSize(args.scaling_bits)
    p.SetFirstModSize(args.first_bits)
    p.SetScalingTechnique(fhe.ScalingTechnique.FLEXIBLEAUTO)
    p.SetNumLargeDigits(args.digits)
    bootstrap_depth = fhe.CryptoContext.GetBootstrapDepth(args.level_budget, secret)
    depth = args.levels + bootstrap_depth + 1
    p.SetMultiplicativeDepth(depth)
    p.SetBatchSize(args.slots)
    result = {"options": {k: v for k, v in vars(args).items()}, "bootstrap_depth": bootstrap_depth, "depth": depth}
    try:
        cc = fhe.GenCryptoContext(p)
    except Exception as error:
        result.update(accepted=False, reason=str(error).splitlines()[0].split("(): ", 1)[-1])
        return result
    result.update(accepted=True, ring_dimension=cc.GetRingDimension(),
                  log_q=round(math.log2(int(cc.GetElementParams().GetModulus())), 1),
                  security="HEStd_128_classic" if args.security == "128" else "none")
    C.enable_features(cc)
    started = time.perf_counter()
    cc.EvalBootstrapSetup(args.level_budget, [0, 0], args.slots, args.correction, not args.no_precompute,
                          args.stc_first)
    keys = cc.KeyGen()
    cc.EvalMultKeyGen(keys.secretKey)
    cc.EvalBootstrapKeyGen(keys.secretKey, args.slots)
    result["keygen_seconds"] = round(time.perf_counter() - started, 1)
    result["peak_gb_after_keys"] = round(peak_gb(), 2)
    rng = np.random.default_rng(args.seed)
    values = rng.uniform(-1, 1, args.slots)
    fresh = cc.Encrypt(keys.publicKey, plaintext(cc, values.tolist()))
    # As many levels used as the bootstrap allows (as in a network): all of them for the usual
    # bootstrap; the SlotsToCoeffs-first one needs some left on its input (counted here).
    bootstrap = cc.EvalBootstrapStCFirst if args.stc_first else cc.EvalBootstrap
    usable = C.remaining_levels(cc, fresh)
    low, needed = None, 0
    for needed in range(0, 8):
        candidate = drained(cc, fresh, args.slots, max(0, usable - 1 - needed))
        try:
            bootstrap(candidate)
            low = candidate
            break
        except Exception:
            continue
    if low is None:
        raise RuntimeError("no input level the bootstrap accepts")
    result["input_levels_needed"] = needed
    times, out = [], None
    for _ in range(args.repetitions):
        started = time.perf_counter()
        out = bootstrap(low)
        times.append(time.perf_counter() - started)
    times.sort()
    result["bootstrap_seconds"] = round(times[len(times) // 2], 2)
    decrypted = cc.Decrypt(keys.secretKey, out)
    decrypted.SetLength(args.slots)
    error = float(np.max(np.abs(np.array(decrypted.GetRealPackedValue()) - values)))
    result.update(max_error=error, precision_bits=round(-math.log2(error), 1) if error > 0 else None)
    result["levels_after_bootstrap"] = C.remaining_levels(cc, out)
    # What a circuit can use between two bootstraps.
    result["levels_per_cycle"] = result["levels_after_bootstrap"] - needed
    result["peak_gb"] = round(peak_gb(), 2)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slots", type=int, default=4096, help="images per ciphertext x window")
    parser.add_argument("--secret", choices=sorted(SECRETS), default="uniform")
    parser.add_argument("--level-budget", type=int, nargs=2, default=[2, 2])
    parser.add_argument("--levels", type=int, default=7, help="usable levels after a bootstrap (asked for)")
    parser.add_argument("--digits", type=int, default=4)
    parser.add_argument("--scaling-bits", type=int, default=50)
    parser.add_argument("--first-bits", type=int, default=55)
    parser.add_argument("--correction", type=int, default=6)
    parser.add_argument("--ring-dim", type=int, default=0)
    parser.add_argument("--security", choices=["128", "none"], default="128")
    parser.add_argument("--no-precompute", action="store_true", help="no precomputed linear-transform plaintexts")
    parser.add_argument("--stc-first", action="store_true", help="SlotsToCoeffs first (BTSlotsEncoding)")
    parser.add_argument("--repetitions", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    try:
        result = measure(args)
    except Exception as error:
        result = {"options": vars(args), "error": f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"}
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
