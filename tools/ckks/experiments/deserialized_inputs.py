"""Is a deserialized ciphertext as fast to compute on as a freshly encrypted one? (OpenFHE 1.6.1: no.)

Encrypts values at the level the bridge encrypts a gated model's inputs (the bootstrap's output level),
serializes and deserializes the ciphertext, and times one bootstrap of: the fresh ciphertext, the
deserialized one, and a fresh encryption of zero plus the deserialized one (what the bridge does on
resume), with each result's largest error. Run from the checkout with the bridge's Python:
    .build/ckks-venv/bin/python tools/ckks/experiments/deserialized_inputs.py [BATCH] [RING_DIM]
BATCH images per ciphertext (default 64: [2, 2], 7 levels, as `ckks run --batch 64`); RING_DIM turns
OpenFHE's security check off and forces that ring dimension (e.g. 4096, for a quick look; insecure).
Measured here at the secure default with 64 images, N = 2^16, by an earlier form of this script that read
the keys of a run folder instead of making them (this form, keys made in the process, is not yet measured):
fresh 18.9 s, deserialized 49.1 s, zero + deserialized 21.7 s, the same values within 5e-10.
"""
import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import cellwise_ckks as C  # noqa: E402
import openfhe as fhe  # noqa: E402

batch = int(sys.argv[1]) if len(sys.argv) > 1 else 64
ring = int(sys.argv[2]) if len(sys.argv) > 2 else 0
budget, levels = ([1, 1], 9) if batch <= 4 else ([2, 2], 7)
args = argparse.Namespace(ring_dim=ring, levels=levels, level_budget=budget, scaling_bits=50, first_bits=55,
                          digits=4, correction=6, secret="uniform", security="none" if ring else "128", batch=batch)
started = time.perf_counter()
cc, keys, parameters = C.context(args)
setup = time.perf_counter() - started
level = parameters["bootstrap_depth"] - 1
slots = C.WINDOW * batch
values = [0.01 * ((i * 37) % 101 - 50) for i in range(slots)]
fresh = cc.Encrypt(keys.publicKey, C.plaintext(cc, values, level))
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "ciphertext.bin")
    if not fhe.SerializeToFile(path, fresh, fhe.BINARY):
        sys.exit("cannot serialize the ciphertext")
    read, ok = fhe.DeserializeCiphertext(path, fhe.BINARY)
    if not ok:
        sys.exit("cannot deserialize the ciphertext")
zero = cc.Encrypt(keys.publicKey, C.plaintext(cc, [0.0], level))
result = {"N": cc.GetRingDimension(), "batch": batch, "security": parameters["security"], "setup": round(setup, 1)}
for name, ct in (("fresh", fresh), ("deserialized", read), ("zero + deserialized", cc.EvalAdd(zero, read))):
    start = time.perf_counter()
    out = cc.EvalBootstrap(ct)
    seconds = time.perf_counter() - start
    decrypted = cc.Decrypt(keys.secretKey, out)
    decrypted.SetLength(slots)
    error = max(abs(a - b) for a, b in zip(decrypted.GetRealPackedValue(), values))
    result[name] = {"bootstrap_seconds": round(seconds, 2), "max_error": float(f"{error:.2e}")}
print(result)
