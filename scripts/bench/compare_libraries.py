"""Cellwise's plan evaluator against the libraries a user would otherwise pick, in one run.

For each shipped JapaneseVowels model (GRU, LSTM) and each plan (a polynomial plan, and the exact
activations), the same work: every test sample (370) through every step (29), all gates, the
Dense head. NumPy float32 and JAX (jit, lax.scan) implement the cell from the model file's
weights with the plan's Chebyshev series (Clenshaw, float32); ONNX Runtime runs its native
GRU/LSTM operators (exact activations only) on the shipped ONNX exports. Each result is checked
against Cellwise's logits before it is timed. Prints medians (ms) and ratios to Cellwise.

    make bench-libraries            # installs .build/bench-venv (numpy, jax, onnxruntime; pinned)
    .build/bench-venv/bin/python scripts/bench/compare_libraries.py --cellwise .build/release/cellwise
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def cellwise_json(cellwise, *arguments):
    done = subprocess.run([cellwise, *arguments], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join([cellwise, *arguments])}: {done.stderr.strip()}")
    return json.loads(done.stdout)


def load(cellwise, model_path, plan, work):
    """The model's weights, the plan's series per site kind, and Cellwise's inputs and logits."""
    model = json.load(open(model_path))
    npz = os.path.join(work, "outputs.npz")
    report = cellwise_json(cellwise, "evaluate", "--model", model_path, "--plan", plan, "--json",
                           "--save-outputs", npz)
    data = np.load(npz)
    series = {}
    for spec in report.get("candidates", []):
        series[spec["function"]] = (np.float32(spec["domain"][0]), np.float32(spec["domain"][1]),
                                    np.array(spec["chebyshev"], dtype=np.float32))
    return model, series, data["inputs"].astype(np.float32), data["logits"]


def activations(xp, series):
    """tanh and sigmoid: exact, or the plan's Chebyshev series by Clenshaw's recurrence (float32)."""
    def clenshaw(spec):
        a, b, c = spec
        scale, shift = np.float32(2 / (b - a)), np.float32(-(a + b) / (b - a))

        def f(x):
            u = x * scale + shift
            two_u = u + u
            b1 = xp.zeros_like(x)
            b2 = xp.zeros_like(x)
            for k in range(len(c) - 1, 0, -1):
                b1, b2 = two_u * b1 - b2 + c[k], b1
            return u * b1 - b2 + c[0]
        return f
    tanh = clenshaw(series["tanh"]) if "tanh" in series else xp.tanh
    sigmoid = clenshaw(series["sigmoid"]) if "sigmoid" in series else (lambda x: 1 / (1 + xp.exp(-x)))
    return tanh, sigmoid


def weights(model):
    layer = model["layers"][0]
    units = model["architecture"]["units"][0]
    features = model["architecture"]["input_size"]
    W = np.array(layer["kernel"], dtype=np.float32).reshape(features, -1)
    R = np.array(layer["recurrent_kernel"], dtype=np.float32).reshape(units, -1)
    b = np.array(layer["bias"], dtype=np.float32)
    rb = np.array(layer.get("recurrent_bias") or [0.0] * units, dtype=np.float32)
    classes = model["architecture"]["classes"]
    D = np.array(model["dense"]["kernel"], dtype=np.float32).reshape(units, classes)
    d = np.array(model["dense"]["bias"], dtype=np.float32)
    return W, R, b, rb, D, d, units


def forward(xp, model, series, scan=None):
    """The model's forward pass over inputs [samples, steps, features] in the array library `xp`."""
    cell = model["architecture"]["cell"]
    W, R, b, rb, D, d, u = (xp.asarray(v) if isinstance(v, np.ndarray) else v for v in weights(model))
    tanh, sigmoid = activations(xp, series)
    reset_after = model["architecture"].get("reset_after", True)

    def gru(h, x):
        a = x @ W + b
        if reset_after:
            q = h @ R
            z = sigmoid(a[:, :u] + q[:, :u])
            r = sigmoid(a[:, u:2 * u] + q[:, u:2 * u])
            hh = tanh(a[:, 2 * u:] + r * (q[:, 2 * u:] + rb))
        else:
            q = h @ R[:, :2 * u]
            z = sigmoid(a[:, :u] + q[:, :u])
            r = sigmoid(a[:, u:2 * u] + q[:, u:])
            hh = tanh(a[:, 2 * u:] + (r * h) @ R[:, 2 * u:])
        return hh + z * (h - hh)

    def lstm(state, x):
        h, c = state
        g = x @ W + b + h @ R
        i, f, cc, o = (sigmoid(g[:, :u]), sigmoid(g[:, u:2 * u]), tanh(g[:, 2 * u:3 * u]),
                       sigmoid(g[:, 3 * u:]))
        c = f * c + i * cc
        return (o * tanh(c), c)

    def run(inputs):
        n = inputs.shape[0]
        zero = xp.zeros((n, u), dtype=np.float32)
        steps = xp.swapaxes(inputs, 0, 1)
        if cell == "GRU":
            step, state = gru, zero
        elif cell == "LSTM":
            step, state = lstm, (zero, zero)
        else:
            raise SystemExit(f"{cell}: this comparison covers GRU and LSTM")
        if scan is None:
            for x in steps:
                state = step(state, x)
        else:
            state, _ = scan(lambda s, x: (step(s, x), None), state, steps)
        h = state if cell == "GRU" else state[0]
        return h @ D + d
    return run


def median_ms(function, repetitions, warmup=2):
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repetitions):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cellwise", default=os.path.join(ROOT, ".build/release/cellwise"))
    parser.add_argument("--repetitions", type=int, default=30)
    arguments = parser.parse_args()
    import jax
    import jax.numpy as jnp
    import onnxruntime as ort
    jax.config.update("jax_platforms", "cpu")
    ort.set_default_logger_severity(3)
    models = [("GRU", "vowels-gru", "vowels-gru-pytorch"), ("LSTM", "vowels-lstm", "vowels-lstm-keras")]
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for kind, name, onnx_name in models:
            for plan in ("17", "t"):
                path = os.path.join(ROOT, "results", "models", f"{name}.json")
                model, series, inputs, logits = load(arguments.cellwise, path, plan, work)
                bench = cellwise_json(arguments.cellwise, "bench", "--dataset", "JapaneseVowels", "--model", path,
                                      "--plan", plan, "--repetitions", str(arguments.repetitions), "--json")
                ours = bench["eval_ms_median"]
                numpy_run = forward(np, model, series)
                jax_run = jax.jit(forward(jnp, model, series, scan=jax.lax.scan))
                x = jnp.asarray(inputs)
                checks = {"numpy": np.abs(numpy_run(inputs) - logits).max(),
                          "jax": np.abs(np.asarray(jax_run(x)) - logits).max()}
                for library, difference in checks.items():
                    if difference > 1e-3 * max(1.0, float(np.abs(logits).max())):
                        raise SystemExit(f"{kind} plan {plan}: {library} differs from Cellwise by {difference}")
                times = {"numpy": median_ms(lambda: numpy_run(inputs), arguments.repetitions),
                         "jax": median_ms(lambda: jax_run(x).block_until_ready(), arguments.repetitions)}
                if plan == "t":
                    # ONNX Runtime's native operator, on the shipped ONNX export and Cellwise's import of it.
                    onnx_path = os.path.join(ROOT, "Examples", "onnx", f"{onnx_name}.onnx")
                    imported = os.path.join(ROOT, "results", "models", f"{onnx_name}.json")
                    transform = json.load(open(imported))["input"]
                    _, _, own_inputs, own_logits = load(arguments.cellwise, imported, "t", work)
                    raw = own_inputs * np.array(transform.get("standard_deviation") or 1, dtype=np.float32) \
                        + np.array(transform.get("mean") or 0, dtype=np.float32)
                    session = ort.InferenceSession(onnx_path)
                    feed = {session.get_inputs()[0].name: raw.astype(np.float32)}
                    theirs = session.run(None, feed)[0]
                    if np.allclose(theirs.sum(axis=1), 1, atol=1e-4):
                        own_logits = np.exp(own_logits - own_logits.max(axis=1, keepdims=True))
                        own_logits /= own_logits.sum(axis=1, keepdims=True)  # the export ends in Softmax
                    if np.abs(theirs - own_logits).max() > 1e-3:
                        raise SystemExit(f"{onnx_name}: ONNX Runtime differs from Cellwise")
                    ort_ms = median_ms(lambda: session.run(None, feed), arguments.repetitions)
                    own = cellwise_json(arguments.cellwise, "bench", "--dataset", "JapaneseVowels", "--model",
                                        imported, "--plan", "t", "--repetitions", str(arguments.repetitions),
                                        "--json")["eval_ms_median"]
                    rows.append({"cell": kind, "plan": "t", "library": f"onnxruntime ({onnx_name})",
                                 "ms": round(ort_ms, 3), "cellwise_ms": round(own, 3),
                                 "speedup": round(ort_ms / own, 2)})
                    print(json.dumps(rows[-1]), flush=True)
                for library, ms in times.items():
                    rows.append({"cell": kind, "plan": plan, "library": library, "ms": round(ms, 3),
                                 "cellwise_ms": round(ours, 3), "speedup": round(ms / ours, 2)})
                    print(json.dumps(rows[-1]), flush=True)
    print("\n| cell | plan | library | library ms | Cellwise ms | Cellwise speed-up |\n|---|---|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r['cell']} | {r['plan']} | {r['library']} | {r['ms']} | {r['cellwise_ms']} | {r['speedup']}x |")


if __name__ == "__main__":
    sys.exit(main())
