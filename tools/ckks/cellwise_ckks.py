#!/usr/bin/env python3
"""Cellwise's bridge to a real CKKS library (OpenFHE, PyPI package `openfhe`).

Two commands, both reading and writing JSON so that the Swift side (`cellwise ckks ...`) owns every
format the user sees:

  probe  measures, level by level, the cost of a bootstrap, a ciphertext multiplication (with
         relinearisation and rescale), a plaintext multiplication, a rotation and an addition, and the
         time and real depth of a Chebyshev-series tanh of each candidate degree.
  run    encrypts test images and runs the SimpleRNN under CKKS with a given per-cell plan and bootstrap
         placement, then decrypts the logits.

Packing: B images per ciphertext (`--batch B`, a power of two), interleaved: feature j of image b is in
slot j * B + b of W * B slots, W the job's window (a power of two that holds every layer's units and
inputs: 64 for the shipped models). A rotation by k * B slots moves every image's features by k,
cyclically mod W, so each image sees exactly the single-image circuit: for the mnist5k SimpleRNN the
hidden state h in features 0-31, the step's input x_t encrypted into features 32-59, and [h | x_t] W one
64x64 matrix-vector product (baby-step giant-step diagonal method: 7 + 7 rotations for W = 64, at most
W plaintext multiplications, the diagonals repeated for every image); no masks are needed. What B
changes is the slot count of the bootstrap.
"""
import argparse
import ctypes
import json
import math
import os
import shutil
import signal
import sys
import time


def die_with_parent():
    """The bridge holds the secret key: it must not outlive the Cellwise process that started it,
    however that process ends (SIGKILL included). Linux's PR_SET_PDEATHSIG sends this process
    SIGKILL when its parent dies; if the parent is already gone, exit now."""
    parent = os.environ.get("CELLWISE_PARENT_PID")
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if parent and os.getppid() != int(parent):
        os._exit(1)


die_with_parent()

import openfhe as fhe  # noqa: E402  (after die_with_parent: importing OpenFHE takes a while)

from circuit import (  # noqa: E402
    WINDOW, Circuit, check_job, extra_rotations, interleave, openfhe_series, plaintext, progress, rotations)


SECRETS = {
    "uniform": fhe.SecretKeyDist.UNIFORM_TERNARY,
    "sparse": fhe.SecretKeyDist.SPARSE_TERNARY,
}


def context(args, keys_folder=None, extra_rotations=()):
    """A CKKS context with bootstrapping; returns (cc, keys, parameters).

    `args` carries the parameter set (Cellwise's secure default: 128-bit classic security checked by
    OpenFHE, uniform ternary secret, FLEXIBLEAUTO, 50-bit scaling primes and a 55-bit first prime,
    level budget [1, 1], 4 large digits, 9 usable levels after each bootstrap, correction factor 6).
    With ring_dim 0 OpenFHE picks the smallest ring dimension the security level allows for the
    depth; with a ring dimension given and security "128", OpenFHE refuses one that is too small.

    With `keys_folder`, the context and its keys are serialized there once they are made, and read
    back (not regenerated) when the folder already holds a complete set: a resumed run decrypts with
    the keys it encrypted with.
    """
    if keys_folder and os.path.exists(os.path.join(keys_folder, "complete")):
        return load_context(args, keys_folder, extra_rotations)
    batch = getattr(args, "batch", 1)
    window = getattr(args, "window", WINDOW)
    slots = window * batch
    cc, depth, bootstrap_depth = crypto_context(args, args.ring_dim)
    enable_features(cc)
    cc.EvalBootstrapSetup(args.level_budget, [0, 0], slots, args.correction)
    keys = cc.KeyGen()
    cc.EvalMultKeyGen(keys.secretKey)
    cc.EvalRotateKeyGen(keys.secretKey, rotations(batch, window) + list(extra_rotations))
    cc.EvalBootstrapKeyGen(keys.secretKey, slots)
    parameters = {
        "ring_dimension": cc.GetRingDimension(),
        # The level OpenFHE checked the parameters against when it made the context ("none": unchecked).
        "security": "HEStd_128_classic" if args.security == "128" else "none",
        "secret": args.secret,
        "log_q": math.log2(int(cc.GetElementParams().GetModulus())),
        "depth": depth, "bootstrap_depth": bootstrap_depth, "scaling_bits": args.scaling_bits,
        "first_modulus_bits": args.first_bits, "level_budget": list(args.level_budget), "digits": args.digits,
        "correction_factor": args.correction, "slots": slots, "batch": batch,
        "openfhe": openfhe_version(),
    }
    if extra_rotations:
        parameters["extra_rotations"] = list(extra_rotations)
    if keys_folder:
        save_context(cc, keys, parameters, keys_folder)
    return cc, keys, parameters


def crypto_context(args, ring_dim):
    """The context alone (no keys): OpenFHE checks the security level here. Returns (cc, depth,
    bootstrap depth)."""
    secret = SECRETS[args.secret]
    p = fhe.CCParamsCKKSRNS()
    p.SetSecretKeyDist(secret)
    level = fhe.SecurityLevel.HEStd_128_classic if args.security == "128" else fhe.SecurityLevel.HEStd_NotSet
    p.SetSecurityLevel(level)
    if ring_dim:
        p.SetRingDim(ring_dim)
    p.SetScalingModSize(args.scaling_bits)
    p.SetFirstModSize(args.first_bits)
    p.SetScalingTechnique(fhe.ScalingTechnique.FLEXIBLEAUTO)
    p.SetNumLargeDigits(args.digits)
    # A bootstrap consumes GetBootstrapDepth levels and needs one of its own on input.
    bootstrap_depth = fhe.CryptoContext.GetBootstrapDepth(args.level_budget, secret)
    depth = args.levels + bootstrap_depth + 1
    p.SetMultiplicativeDepth(depth)
    p.SetBatchSize(getattr(args, "window", WINDOW) * getattr(args, "batch", 1))
    return fhe.GenCryptoContext(p), depth, bootstrap_depth


def parameters(args):
    """The parameters a context would get (no keys: seconds even at N = 2^16), and, when OpenFHE
    checks the security level, its verdict on the next smaller ring dimension."""
    cc, depth, bootstrap_depth = crypto_context(args, args.ring_dim)
    ring = cc.GetRingDimension()
    result = {"ring_dimension": ring, "log_q": math.log2(int(cc.GetElementParams().GetModulus())),
              "depth": depth, "bootstrap_depth": bootstrap_depth, "levels": args.levels,
              "level_budget": list(args.level_budget), "slots": args.window * args.batch,
              "security": "HEStd_128_classic" if args.security == "128" else "none", "openfhe": openfhe_version()}
    if args.security == "128" and ring > 2 * args.window * args.batch:
        try:
            crypto_context(args, ring // 2)
            result["smaller"] = {"ring_dimension": ring // 2, "accepted": True}
        except Exception as error:
            message = str(error).splitlines()[0].split("(): ", 1)[-1]
            result["smaller"] = {"ring_dimension": ring // 2, "accepted": False, "reason": message}
    return result


def enable_features(cc):
    for feature in (fhe.PKESchemeFeature.PKE, fhe.PKESchemeFeature.KEYSWITCH, fhe.PKESchemeFeature.LEVELEDSHE,
                    fhe.PKESchemeFeature.ADVANCEDSHE, fhe.PKESchemeFeature.FHE):
        cc.Enable(feature)


KEY_FILES = ("context", "public", "secret", "mult", "automorphism")


def save_context(cc, keys, parameters, folder):
    """Writes the context, the key pair and every evaluation key (rotations and the bootstrap's
    automorphisms, which live in the same map) into `folder` (private: the caller made it 0700 and
    the umask is 077); the `complete` marker is written last."""
    os.makedirs(folder, mode=0o700, exist_ok=True)
    path = lambda name: os.path.join(folder, name + ".bin")
    written = (fhe.SerializeToFile(path("context"), cc, fhe.BINARY)
               and fhe.SerializeToFile(path("public"), keys.publicKey, fhe.BINARY)
               and fhe.SerializeToFile(path("secret"), keys.secretKey, fhe.BINARY)
               and cc.SerializeEvalMultKey(path("mult"), fhe.BINARY)
               and cc.SerializeEvalAutomorphismKey(path("automorphism"), fhe.BINARY))
    if not written:
        raise RuntimeError(f"cannot serialize the keys into {folder}")
    write_json(os.path.join(folder, "parameters.json"), parameters)
    write_json(os.path.join(folder, "complete"), {"files": list(KEY_FILES)})


def load_context(args, folder, extra_rotations=()):
    """The context and keys `save_context` wrote, with the bootstrap's precomputations redone."""
    with open(os.path.join(folder, "parameters.json")) as f:
        parameters = json.load(f)
    expected = {"slots": getattr(args, "window", WINDOW) * getattr(args, "batch", 1),
                "level_budget": list(args.level_budget),
                "extra_rotations": list(extra_rotations) or None,
                "correction_factor": args.correction, "secret": args.secret, "digits": args.digits}
    for key, value in expected.items():
        if parameters.get(key) != value:
            raise RuntimeError(f"the keys in {folder} were made with {key} {parameters.get(key)}, not {value}")
    path = lambda name: os.path.join(folder, name + ".bin")
    cc, ok = fhe.DeserializeCryptoContext(path("context"), fhe.BINARY)
    public, ok_public = fhe.DeserializePublicKey(path("public"), fhe.BINARY)
    secret, ok_secret = fhe.DeserializePrivateKey(path("secret"), fhe.BINARY)
    if not (ok and ok_public and ok_secret and cc.DeserializeEvalMultKey(path("mult"), fhe.BINARY)
            and cc.DeserializeEvalAutomorphismKey(path("automorphism"), fhe.BINARY)):
        raise RuntimeError(f"cannot read the serialized keys in {folder}")
    cc.EvalBootstrapSetup(args.level_budget, [0, 0], parameters["slots"], args.correction)
    return cc, argparse.Namespace(publicKey=public, secretKey=secret), parameters


def write_json(path, value):
    """Atomically: a temporary file in the same folder, flushed to disk, renamed into place."""
    temporary = f"{path}.tmp-{os.getpid()}"
    with open(temporary, "w") as f:
        json.dump(value, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


def openfhe_version():
    try:
        from importlib.metadata import version
        return version("openfhe")
    except Exception:
        return getattr(fhe, "__version__", "unknown")


def remaining_levels(cc, ct):
    """Usable levels left in `ct`: plaintext multiplications by 1 until OpenFHE refuses, less two
    (with FLEXIBLEAUTO the last rescale happens lazily, and a bootstrap needs a level of its own)."""
    one = plaintext(cc, [1.0] * cc.GetBatchSize())
    count, c = 0, ct
    while count < 200:
        try:
            c = cc.EvalMult(c, one)
            count += 1
        except Exception:
            break
    return max(0, count - 2)


def median_seconds(function, repetitions):
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2]


def chebyshev_tanh(degree, lower, upper):
    """Least-squares Chebyshev coefficients of tanh on [lower, upper] (4,097 points), as Cellwise fits them."""
    import numpy as np
    from numpy.polynomial import chebyshev as C
    u = np.linspace(-1, 1, 4097)
    x = (u * (upper - lower) + (upper + lower)) / 2
    return [float(c) for c in C.chebfit(u, np.tanh(x), degree)]


def probe(args):
    started = time.perf_counter()
    cc, keys, parameters = context(args)
    setup_seconds = time.perf_counter() - started
    slots = cc.GetBatchSize()
    values = [math.sin(i) * 0.5 for i in range(slots)]
    fresh = cc.Encrypt(keys.publicKey, plaintext(cc, values))
    fresh_levels = remaining_levels(cc, fresh)
    reps = args.repetitions
    one = plaintext(cc, [1.0] * slots)
    # Bootstrap a ciphertext that has used its levels, as a network does (bootstrapping a fresh
    # one returns it with the levels it still had).
    low = fresh
    for _ in range(max(0, fresh_levels - 1)):
        low = cc.EvalMult(low, one)
    bootstrap = median_seconds(lambda: cc.EvalBootstrap(low), max(1, reps // 2))
    top = cc.EvalBootstrap(low)
    levels = remaining_levels(cc, top)
    weights = plaintext(cc, [0.3] * slots)
    per_level = {}
    c = top
    for level in range(levels, 0, -1):
        per_level[str(level)] = {
            "multiplication": median_seconds(lambda: cc.EvalMult(c, c), reps),
            "plaintext_multiplication": median_seconds(lambda: cc.EvalMult(c, weights), reps),
            "rotation": median_seconds(lambda: cc.EvalRotate(c, 1), reps),
            "addition": median_seconds(lambda: cc.EvalAdd(c, c), reps),
        }
        c = cc.EvalMult(c, one)
    chebyshev = {}
    for degree in args.degrees:
        coefficients = chebyshev_tanh(degree, -8.0, 8.0)
        x = cc.Encrypt(keys.publicKey, plaintext(cc, [8 * v for v in values]))
        before = remaining_levels(cc, x)
        series = openfhe_series(coefficients)
        seconds = median_seconds(lambda: cc.EvalChebyshevSeries(x, series, -8.0, 8.0), max(1, reps // 2))
        after = remaining_levels(cc, cc.EvalChebyshevSeries(x, series, -8.0, 8.0))
        chebyshev[str(degree)] = {"seconds": seconds, "depth": before - after}
    return {
        "ring_dimension": cc.GetRingDimension(), "slots": slots, "scaling_bits": args.scaling_bits,
        "first_modulus_bits": args.first_bits, "levels_after_bootstrap": levels, "fresh_levels": fresh_levels,
        "level_budget": args.level_budget, "setup_seconds": setup_seconds, "bootstrap": bootstrap,
        "per_level": per_level, "chebyshev": chebyshev, "openfhe": parameters["openfhe"], "repetitions": reps,
        "parameters": parameters,
    }


def run(args):
    """Runs the job's batches (`--batches`, default all) and writes one result file per batch
    (`--results`/batch-K.json, atomically) as soon as it is decrypted.

    With `--work` (a private folder), the keys are serialized into work/keys and each batch's input
    ciphertexts into work/inputs-K before it is computed: an interrupted run started again with the
    same folder reads them back instead of regenerating them and skips finished batches.
    """
    os.umask(0o077)  # keys, inputs and results: owner only
    with open(args.input) as f:
        job = json.load(f)
    check_job(job)
    inputs, classes = job["input_size"], job["classes"]
    offset = job["layers"][0]["units"]
    # The job's window sets the slots (window * batch): the context is made for it.
    args.window = window = job["window"]
    batch = args.batch
    images = job["images"]
    count = (len(images) + batch - 1) // batch
    wanted = range(count) if args.batches is None else args.batches
    for k in wanted:
        if not 0 <= k < count:
            raise ValueError(f"batch {k} does not exist ({len(images)} images make {count} batches of {batch})")
    results_folder = args.results
    if results_folder:
        os.makedirs(results_folder, exist_ok=True)
    pending = [k for k in wanted if not (results_folder and os.path.exists(batch_file(results_folder, k)))]
    started = time.perf_counter()
    keys_folder = os.path.join(args.work, "keys") if args.work else None
    loaded = bool(keys_folder and os.path.exists(os.path.join(keys_folder, "complete")))
    cc, keys, parameters = context(args, keys_folder, extra_rotations(job, batch))
    setup_seconds = time.perf_counter() - started
    progress(f"keys {'read from ' + keys_folder if loaded else 'made'} in {setup_seconds:.1f} s "
             f"(N = {cc.GetRingDimension()}); {len(pending)} of {len(list(wanted))} batch(es) to run")
    # With "inputs_at_bootstrap_level", inputs are encrypted, and weights encoded, at the level a
    # bootstrap returns (bootstrap depth - 1 levels consumed): every ciphertext the circuit multiplies
    # is there or deeper, and the plaintexts need a third of a top-level one's towers (about 3 GB less
    # for a GRU at N = 2^16); fresh inputs then have a bootstrap's levels, not the context's.
    level = parameters["bootstrap_depth"] - 1 if job.get("inputs_at_bootstrap_level") else 0
    circuit = Circuit(cc, job, batch, level)
    records = []
    for k in pending:
        group = images[k * batch:(k + 1) * batch]
        steps = len(group[0]) // inputs
        inputs_ct = batch_inputs(cc, keys, args.work, k, steps, lambda t: interleave(
            [[0.0] * offset + image[t * inputs:(t + 1) * inputs] for image in group], batch, window), level)
        start, cpu = time.perf_counter(), time.process_time()
        logits_ct, bootstraps = circuit.evaluate(inputs_ct, f"batch {k}")
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
        decrypted = cc.Decrypt(keys.secretKey, doubled_real_part(cc, keys, logits_ct))
        decrypted.SetLength(window * batch)
        values = [v / 2 for v in decrypted.GetRealPackedValue()]
        logits = [[values[c * batch + b] for c in range(classes)] for b in range(len(group))]
        record = {"batch": k, "first_image": k * batch, "logits": logits, "seconds": seconds,
                  "bootstraps": bootstraps, "setup_seconds": setup_seconds, "keys_read": loaded,
                  "parameters": parameters, "cpu_seconds": cpu_seconds, "peak_gb": peak_gb(),
                  "key_gb": folder_gb(keys_folder)}
        if results_folder:
            write_json(batch_file(results_folder, k), record)
        else:
            records.append(record)
        if args.work:
            shutil.rmtree(os.path.join(args.work, f"inputs-{k}"), ignore_errors=True)
        progress(f"batch {k} (images {k * batch + 1}-{k * batch + len(group)}) done: {seconds:.1f} s, "
                 f"{bootstraps} bootstraps")
    # Without --results the batches' records are in the output.
    return {"ring_dimension": cc.GetRingDimension(), "setup_seconds": setup_seconds, "parameters": parameters,
            "keys_read": loaded, "batches": records}


def doubled_real_part(cc, keys, ct):
    """ct plus its complex conjugate: 2 Re(ct), with no imaginary part. A bootstrap's error reaches
    the slots' imaginary parts too (at 16,384 slots and level budget [3, 3] about 3e-3 per bootstrap),
    and OpenFHE refuses to decode a ciphertext whose imaginary part has grown past its check ("the
    decryption failed because the approximation error is too high"), although the real part, all that
    is read, is still good. The conjugation key is one of the bootstrap's."""
    keys_map = cc.GetEvalAutomorphismKeyMap(keys.secretKey.GetKeyTag())
    return cc.EvalAdd(ct, cc.EvalAutomorphism(ct, 2 * cc.GetRingDimension() - 1, keys_map))


def peak_gb():
    """The process's peak resident memory so far, in GB (10^9 bytes)."""
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # kB on Linux


def folder_gb(folder):
    """The serialized keys' size in GB (None without a keys folder)."""
    if not folder or not os.path.isdir(folder):
        return None
    return sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(folder) for name in names) / 1e9


def check(args):
    with open(args.input) as f:
        job = json.load(f)
    check_job(job)
    return {"valid": True, "format": job["format"], "operations": len(job["operations"])}


def batch_file(folder, k):
    return os.path.join(folder, f"batch-{k:04d}.json")


def batch_inputs(cc, keys, work, k, steps, values, level=0):
    """Batch k's input ciphertexts, one per time step: encrypted (and, with a work folder,
    serialized into work/inputs-k before use), or read back when a complete set is there."""
    folder = os.path.join(work, f"inputs-{k}") if work else None
    path = lambda t: os.path.join(folder, f"step-{t:03d}.bin")
    if folder and os.path.exists(os.path.join(folder, "complete")):
        # OpenFHE 1.6.1 computes on a deserialized ciphertext, and on everything derived from it,
        # about 2.4 times slower (a bootstrap at N = 2^16 with 64 images: 49 s against 19-21 s; a
        # GRU ciphertext: 4539 s against 1925 s; tools/ckks/experiments/deserialized_inputs.py).
        # A fresh encryption of zero added in front gives the sum the fresh ciphertext's
        # representation and leaves the values as they were (plus fresh encryption noise).
        zero = plaintext(cc, [0.0], level)
        cts = []
        for t in range(steps):
            ct, ok = fhe.DeserializeCiphertext(path(t), fhe.BINARY)
            if not ok:
                raise RuntimeError(f"cannot read the serialized input {path(t)}")
            cts.append(cc.EvalAdd(cc.Encrypt(keys.publicKey, zero), ct))
        return cts
    cts = [cc.Encrypt(keys.publicKey, plaintext(cc, values(t), level)) for t in range(steps)]
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, mode=0o700)
        for t, ct in enumerate(cts):
            if not fhe.SerializeToFile(path(t), ct, fhe.BINARY):
                raise RuntimeError(f"cannot serialize the input {path(t)}")
        write_json(os.path.join(folder, "complete"), {"steps": steps})
    return cts


def add_parameters(parser):
    """The parameter set of a context (Cellwise's secure default unless told otherwise)."""
    parser.add_argument("--ring-dim", type=int, default=0, help="0: the smallest the security level allows")
    parser.add_argument("--levels", type=int, default=9, help="usable levels after each bootstrap")
    parser.add_argument("--level-budget", type=int, nargs=2, default=[1, 1])
    parser.add_argument("--scaling-bits", type=int, default=50)
    parser.add_argument("--first-bits", type=int, default=55)
    parser.add_argument("--digits", type=int, default=4)
    parser.add_argument("--correction", type=int, default=6, help="EvalBootstrapSetup's correction factor")
    parser.add_argument("--secret", choices=sorted(SECRETS), default="uniform")
    parser.add_argument("--batch", type=int, default=1, help="images per ciphertext (a power of two)")
    parser.add_argument("--window", type=int, default=WINDOW,
                        help="slots per image (a power of two; probe and parameters: a run takes its job's)")
    parser.add_argument("--security", choices=["none", "128"], default="128")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("probe")
    add_parameters(p)
    p.add_argument("--degrees", type=int, nargs="+", default=[3, 7, 17])
    p.add_argument("--repetitions", type=int, default=3)
    q = sub.add_parser("parameters")
    add_parameters(q)
    r = sub.add_parser("run")
    add_parameters(r)
    r.add_argument("--input", required=True, help="the job (weights, images, plan): JSON")
    r.add_argument("--work", help="a private folder for the serialized keys and inputs (resume)")
    r.add_argument("--results", help="a folder for one result file per batch")
    r.add_argument("--batches", type=lambda text: [int(k) for k in text.split(",") if k],
                   help="the batches to run (comma-separated indices; default all)")
    c = sub.add_parser("check", help="checks a job against job.schema.json (no keys, no OpenFHE work)")
    c.add_argument("--input", required=True)
    args = parser.parse_args()
    try:
        output = {"probe": probe, "run": run, "parameters": parameters, "check": check}[args.command](args)
    except Exception as error:  # one line for the Swift side
        message = str(error).splitlines()[0] if str(error) else ""
        # OpenFHE prefixes its messages with the source file and function: keep the sentence.
        message = message.split("(): ", 1)[-1]
        print(f"openfhe: {type(error).__name__}: {message}", file=sys.stderr)
        sys.exit(1)
    json.dump(output, sys.stdout)
    print()


if __name__ == "__main__":
    main()
