#!/usr/bin/env python3
"""Checks that a format-1 encrypted job (Cellwise before the cell graph, operations named by kind)
and a format-2 job (docs/encrypted-job.md) describe the same run: the same weights, images, fresh
ciphertexts, operations (labels, layers, ciphertexts read and made, bootstraps, polynomials), and
that each format-1 kind is the format-2 node of the same name. With --simulate, also runs the
format-2 job on NumPy slots (simulate.py) against a report's plaintext logits.

    python tools/ckks/experiments/job_formats.py OLD.json NEW.json [--report report.json]

Prints one line per check; exits 1 at the first difference.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

KINDS = {  # format 1's (kind, block) -> the label of the format-2 node
    ("SimpleRNN", "gate", 0): "h", ("GRU", "gate", 0): "z", ("GRU", "gate", 1): "r", ("GRU", "candidate", 2): "h~",
    ("GRU", "update", 0): "h", ("LSTM", "gate", 0): "i", ("LSTM", "gate", 1): "f", ("LSTM", "gate", 2): "g",
    ("LSTM", "gate", 3): "o", ("LSTM", "cell", 0): "c", ("LSTM", "squash", 0): "tanh(c)", ("LSTM", "output", 0): "h",
}


def fail(message):
    print(f"DIFFERENT: {message}")
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--report", help="a report.json whose plaintext_logits the new job must reproduce")
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    old, new = json.load(open(args.old)), json.load(open(args.new))
    if new.get("format") != 2 or "format" in old:
        fail("expected a format-1 job and a format-2 job")
    if old["cell"] != new["cell"]["name"]:
        fail(f"cell {old['cell']} vs {new['cell']['name']}")
    if old.get("reset_after") and new["cell"]["name"] == "GRU":
        if not any(n.get("with_bias") for n in new["cell"]["nodes"]):
            fail("reset_after but no recurrent product with its bias")
    # Format 1 wrote a zero state as {"id", "zero": true}; format 2 as {"id"}.
    old["fresh"] = [{k: v for k, v in f.items() if k != "zero"} for f in old["fresh"]]
    for key in ("input_size", "classes", "layers", "dense_kernel", "dense_bias", "fresh", "logits", "images"):
        if old[key] != new[key]:
            fail(key)
        print(f"same {key}")
    if bool(old.get("inputs_at_bootstrap_level")) != new["inputs_at_bootstrap_level"]:
        fail("inputs_at_bootstrap_level")
    if len(old["operations"]) != len(new["operations"]):
        fail("operation count")
    nodes = new["cell"]["nodes"]
    for index, (a, b) in enumerate(zip(old["operations"], new["operations"])):
        for key in ("label", "layer", "inputs", "output", "refresh", "chebyshev", "interval"):
            if a.get(key) != b.get(key):
                fail(f"operation {index} {key}")
        if a["kind"] == "dense":
            if b["kind"] != "dense":
                fail(f"operation {index} is dense in one job only")
            continue
        label = KINDS.get((old["cell"], a["kind"], a["block"]))
        if label is None or nodes[b["node"]].get("label") != label:
            fail(f"operation {index}: {a['kind']} {a['block']} is not node {b['node']}")
    print(f"same {len(old['operations'])} operations (labels, layers, ciphertexts, bootstraps, polynomials), "
          "each format-1 kind the format-2 node of its name")
    if args.report:
        from simulate import simulate
        logits = simulate(new, args.batch)
        plain = json.load(open(args.report))["plaintext_logits"]
        worst = max(abs(x - y) for row, other in zip(logits, plain) for x, y in zip(row, other))
        agree = sum(max(range(len(r)), key=r.__getitem__) == max(range(len(p)), key=p.__getitem__)
                    for r, p in zip(logits, plain))
        print(f"format-2 job on NumPy slots: {agree} of {len(plain)} predictions as the report's plaintext "
              f"evaluator, largest logit difference {worst:.2e}")
        if agree != len(plain) or worst > 1e-3:
            fail("the simulated logits")


if __name__ == "__main__":
    main()
