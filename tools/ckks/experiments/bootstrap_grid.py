"""Runs bootstrap_options.py over a grid of parameter options, one process each, appending one JSON
line per option set to OUT (a set already in OUT is skipped: an interrupted grid resumes). A process
the kernel kills (out of memory) or that passes the timeout is recorded as such.

    .build/ckks-venv/bin/python tools/ckks/experiments/bootstrap_grid.py OUT.jsonl [--only SUBSTRING]

The grid (issue 27): at N = 2^16 with 4 digits and a first prime 5 bits above the scaling primes (the
secure default's gap), the slots of 256, 512 and 128 images of a 64-slot window; the level budgets
[2, 2], [3, 3] and [4, 4] with 50- and 45-bit scaling primes; the uniform secret and
SPARSE_ENCAPSULATED; with and without the bootstrap's precomputed plaintexts; and SlotsToCoeffs first.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def grid():
    """The option sets, the most telling first (a grid cut short still answers the main question).
    docs/cost-model.md already has [1, 1]-[3, 3] at 50-bit scaling: 256 images of 64 slots do not fit
    24 GB with [2, 2] and 7 levels, and fit in 14.1 GB with [3, 3] and 5 levels.

    Smaller scaling primes buy levels at the same log2 Q but add RNS towers to every key and
    precomputed plaintext (40-bit primes with [3, 3] and 11 levels were killed at 24 GB), and the
    first prime may exceed a scaling prime by at most the correction factor (6): a 45-bit scaling
    prime takes a 50-bit first prime."""
    def option(slots, budget, levels, bits=50, **extra):
        budget = list(budget) if isinstance(budget, tuple) else [budget, budget]
        return {"slots": slots, "level_budget": budget, "levels": levels, "scaling_bits": bits, **extra}

    # CoeffsToSlots runs at the top level (every tower) and SlotsToCoeffs at the bottom (a few):
    # a budget of 3 for the first and 2 for the second keeps most of [3, 3]'s memory and gives 6
    # levels (depth 26), enough for a degree-17 cell (5 + 1); the 512-image slots come next.
    # More large digits shrink the key-switching modulus P, so that Q may grow within the 128-bit
    # bound on log2 QP: 5 digits allow depth 27 and 6 digits 28 (larger keys: digits x towers).
    sets = [option(16384, (3, 2), 6), option(32768, (3, 2), 6), option(16384, 3, 6, digits=5),
            option(16384, 3, 7, digits=6), option(32768, 3, 5), option(32768, 3, 6, digits=5),
            option(16384, (4, 2), 5)]
    for slots in (16384, 32768, 8192):  # the goal (256 images of 64 slots) first
        sets += [
            # The 64-image default's levels without the precomputed plaintexts: OpenFHE 1.6.1 then needs
            # EvalBootstrapPrecompute before a bootstrap (which makes them anyway); without it,
            # EvalBootstrap segfaults (signal 11, measured once, not repeated).
            option(slots, 2, 7, no_precompute=True) if slots == 16384 else None,
            option(slots, 3, 5),
            option(slots, 3, 7, 45),
            option(slots, 3, 5, stc_first=True),
            # The levels a sparse encapsulated secret frees (its 128-bit claim is not established).
            option(slots, 2, 11, secret="sparse_encapsulated"),
            option(slots, 3, 9, secret="sparse_encapsulated"),
            option(slots, 4, 3),
            option(slots, 2, 9, 45),
        ]
    unique = []
    for s in sets:
        if s and s not in unique:
            unique.append(s)
    return unique


def arguments(options):
    args = ["--slots", str(options["slots"]), "--level-budget", *map(str, options["level_budget"]),
            "--levels", str(options["levels"]), "--secret", options.get("secret", "uniform"),
            "--digits", str(options.get("digits", 4)), "--scaling-bits", str(options.get("scaling_bits", 50)),
            "--first-bits", str(options.get("scaling_bits", 50) + 5)]
    if options.get("no_precompute"):
        args.append("--no-precompute")
    if options.get("stc_first"):
        args.append("--stc-first")
    return args


def key(options):
    return json.dumps(arguments(options))


def main():
    out = sys.argv[1]
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    done = set()
    if os.path.exists(out):
        with open(out) as f:
            done = {json.loads(line)["key"] for line in f if line.strip()}
    for options in grid():
        k = key(options)
        if k in done or (only and only not in k):
            continue
        print(f"running {k}", file=sys.stderr, flush=True)
        try:
            run = subprocess.run([sys.executable, os.path.join(HERE, "bootstrap_options.py"), *arguments(options)],
                                 capture_output=True, text=True, timeout=3600)
            if run.returncode == -9:
                result = {"error": "killed by signal 9 (out of memory)"}
            elif run.returncode < 0:
                result = {"error": f"killed by signal {-run.returncode}"}
            elif run.returncode != 0 or not run.stdout.strip():
                result = {"error": (run.stderr.strip().splitlines() or ["no output"])[-1][:300]}
            else:
                result = json.loads(run.stdout.strip().splitlines()[-1])
        except subprocess.TimeoutExpired:
            result = {"error": "timed out after 3600 s"}
        result["key"] = k
        with open(out, "a") as f:
            f.write(json.dumps(result) + "\n")
            f.flush()
            os.fsync(f.fileno())
        print(json.dumps(result), file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
