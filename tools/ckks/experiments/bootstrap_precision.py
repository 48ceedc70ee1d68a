# Reproduces the precision loss at the third bootstrap (issue 7, open): python bootstrap_precision.py 40|50
# Run with the bridge environment: .build/ckks-venv/bin/python tools/ckks/experiments/bootstrap_precision.py 40
import argparse
import sys
import os
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import cellwise_ckks as C
import numpy as np
from numpy.polynomial import chebyshev as Ch
bits = int(sys.argv[1])
# The earlier insecure parameters at N = 1024 (for speed), with `bits`-bit scaling primes.
cc, keys, _ = C.context(argparse.Namespace(ring_dim=1024, levels=8, level_budget=[2, 2], scaling_bits=bits,
                                           first_bits=bits + 10, digits=3, correction=0, secret="uniform",
                                           security="none", batch=1))
rng = np.random.default_rng(1)
W = rng.normal(0, 0.35, (64,64)); W[32:,:] = 0; W[:, 32:] = 0
pts = {k: C.plaintext(cc, v) for k, v in C.diagonals(W.tolist()).items()}
coef = C.chebyshev_tanh(17, -8, 8)
h0 = rng.uniform(-1, 1, 32).tolist()
h = cc.Encrypt(keys.publicKey, C.plaintext(cc, h0))
ref = np.array(h0 + [0]*32)
for t in range(6):
    if t > 0: h = cc.EvalBootstrap(h)
    y = C.matvec(cc, h, pts)
    o = cc.Decrypt(keys.secretKey, y); o.SetLength(64); v = np.array(o.GetRealPackedValue())
    yr = ref @ W
    print(t, "matvec err", np.max(np.abs(v - yr)), "max |y|", np.max(np.abs(yr)))
    h = cc.EvalChebyshevSeries(y, coef, -8, 8)
    ref = Ch.chebval(yr/8, coef); ref[32:] = 0
    o = cc.Decrypt(keys.secretKey, h); o.SetLength(64); v = np.array(o.GetRealPackedValue())
    print(t, "cell err", np.max(np.abs(v - ref)))
