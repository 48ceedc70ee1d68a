"""Key generation time, bootstrap time and peak memory of one bootstrap at the secure default, by batch
(images per ciphertext: 64 x batch slots) and level budget. Run from the checkout with the bridge's Python:
    .build/ckks-venv/bin/python tools/ckks/experiments/bootstrap_memory.py BATCH BUDGET 1 [LEVELS]
(BUDGET b gives level budget [b, b]; 1 keeps OpenFHE's precomputation on; LEVELS usable levels, default 9.)
"""
import os
import sys
import time
import resource
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import cellwise_ckks as C
import openfhe as fhe
import argparse
batch=int(sys.argv[1]); budget=[int(sys.argv[2])]*2; pre=sys.argv[3]=='1'
levels=int(sys.argv[4]) if len(sys.argv) > 4 else 9
orig=fhe.CryptoContext.EvalBootstrapSetup
a = argparse.Namespace(ring_dim=0, levels=levels, level_budget=budget, scaling_bits=50, first_bits=55, digits=4,
                       correction=6, secret='uniform', security='128', batch=batch)
# patch: precompute flag
def setup(self, lb, dim1, slots, corr): return orig(self, lb, dim1, slots, corr, pre)
fhe.CryptoContext.EvalBootstrapSetup=setup
t=time.time(); cc,keys,p=C.context(a); s=time.time()-t
x=cc.Encrypt(keys.publicKey, C.plaintext(cc,[0.5]*(64*batch)))
one=C.plaintext(cc,[1.0]*(64*batch))
for _ in range(C.remaining_levels(cc,x)-1): x=cc.EvalMult(x,one)
t=time.time(); y=cc.EvalBootstrap(x); b=time.time()-t
print(dict(batch=batch,budget=budget,levels=levels,precompute=pre,N=p['ring_dimension'],logq=round(p['log_q']),setup=round(s,1),bootstrap=round(b,2),rss_gb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1e6,1)))
