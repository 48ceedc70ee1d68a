"""Checks Cellwise's ONNX import and plan evaluator against ONNX Runtime, an engine nobody here wrote.

    python scripts/onnx/check_onnxruntime.py --cellwise .build/debug/cellwise --work /tmp/onnx-check

For every cell kind (RNN, GRU with linear_before_reset 0 and 1, LSTM) with one and two layers it
builds an ONNX model with onnx.helper (seeded random weights; the JapaneseVowels standardisation
as Sub and Div; the layouts, last-step selections and heads PyTorch and tf2onnx write), imports it
with `cellwise import`, and compares `cellwise evaluate --save-outputs` logits with ONNX Runtime's on
the real test split: the exact model, and polynomial plans against an unrolled ONNX graph (MatMul,
Add, Mul and each site's polynomial as plain Clenshaw arithmetic) built from the same weights. Then
time-major inputs, and stacks of mixed kinds with reverse and bidirectional layers (their passes
concatenated or summed, the ways PyTorch, Keras and onnx.helper write them), exact. The shipped
examples (Examples/onnx) are checked the same way. Prints one JSON object per check and a
summary line; exits 1 when a check fails. Needs only numpy, onnx and onnxruntime.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "Examples", "onnx"))
from timeseries import load  # noqa: E402

GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}
TOLERANCE = 1e-4


class Graph:
    """A growing list of ONNX nodes and initializers with fresh names."""

    def __init__(self):
        self.nodes, self.initializers, self.count = [], [], 0

    def name(self, stem):
        self.count += 1
        return f"{stem}_{self.count}"

    def const(self, array, stem="c"):
        name = self.name(stem)
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(self, op_type, inputs, stem=None, outputs=1, **attributes):
        names = [self.name(stem or op_type.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, names, name=names[0], **attributes))
        return names[0] if outputs == 1 else names

    def model(self, input_name, steps, features, output, time_major=False):
        dims = [steps, "batch", features] if time_major else ["batch", steps, features]
        graph = helper.make_graph(
            self.nodes, "cellwise-check",
            [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, dims)],
            [helper.make_tensor_value_info(output, TensorProto.FLOAT, ["batch", None])], self.initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="cellwise-check")
        onnx.checker.check_model(model)
        return model


def random_layers(op, layers, features, hidden, rng):
    g, result, width = GATES[op], [], features
    for _ in range(layers):
        k = 1 / np.sqrt(hidden)
        result.append({
            "W": rng.uniform(-k, k, (1, g * hidden, width)).astype(np.float32),
            "R": rng.uniform(-k, k, (1, g * hidden, hidden)).astype(np.float32),
            "B": rng.uniform(-k, k, (1, 2 * g * hidden)).astype(np.float32),
        })
        width = hidden
    return result


def operator_model(op, lbr, weights, head, mean, std, steps, features, variant, time_major=False):
    """The model with the ONNX recurrent operators; `variant` (0-3) picks how the last step and the head
    are read: Y_h and Gemm; Y transposed batch-first and Gather (PyTorch); Y sliced at -1 and MatMul+Add
    (tf2onnx); Y_h reshaped and MatMul+Add. ONNX Runtime runs layout 0 only. `time_major`: the graph
    input is [time, batch, features] and goes straight into the operator (PyTorch's batch_first=False)."""
    g = Graph()
    x = g.op("Div", [g.op("Sub", ["x", g.const(mean)]), g.const(std)])
    seq = x if time_major else g.op("Transpose", [x], perm=[1, 0, 2])
    last = None
    hidden_size = weights[0]["R"].shape[2]
    for layer in weights:
        attributes = {"hidden_size": hidden_size}
        if op == "GRU":
            attributes["linear_before_reset"] = lbr
        inputs = [seq, g.const(layer["W"]), g.const(layer["R"]), g.const(layer["B"])]
        outputs = g.op(op, inputs, outputs=3 if op == "LSTM" else 2, **attributes)
        # Y is [T, 1, B, H]: drop the direction axis.
        seq = g.op("Squeeze", [outputs[0], g.const(np.array([1], dtype=np.int64))])
        last = outputs[1]
    i64 = lambda *v: g.const(np.array(v, dtype=np.int64))  # noqa: E731
    if variant == 0:
        hidden = g.op("Squeeze", [last, i64(0)])
    elif variant == 1:
        batch_first = g.op("Transpose", [seq], perm=[1, 0, 2])
        hidden = g.op("Gather", [batch_first, g.const(np.array(-1, dtype=np.int64))], axis=1)
    elif variant == 2:
        step = g.op("Slice", [seq, i64(-1), i64(np.iinfo(np.int64).max), i64(0)])
        hidden = g.op("Squeeze", [step, i64(0)])
    else:
        hidden = g.op("Reshape", [last, i64(-1, hidden_size)])
    kernel, bias = head
    if variant < 2:
        logits = g.op("Gemm", [hidden, g.const(kernel.T.copy()), g.const(bias)], transB=1)
    else:
        logits = g.op("Add", [g.op("MatMul", [hidden, g.const(kernel)]), g.const(bias)])
    return g.model("x", steps, features, logits, time_major)


def stack_model(layers, head, mean, std, steps, features, head_from, time_major=False):
    """A stack of operators of any kinds and directions as PyTorch, Keras and onnx.helper write them.
    `layers`: dicts with op, direction (forward, reverse, bidirectional), merge (concat, sum), lbr and
    weights W, R, B of shape [directions, ...]. A bidirectional Y is merged for the layer above by
    Transpose [0, 2, 1, 3] and Reshape [0, 0, -1] (concat, PyTorch) or ReduceSum over its direction
    axis (sum). The head reads the last layer's Y_h: `head_from` "reshape" (Transpose [1, 0, 2] and
    Reshape [-1, D H], PyTorch's h_n.transpose(0, 1).reshape), "gather" (each direction gathered,
    then Concat or Add: torch.cat((h_n[-2], h_n[-1]), 1)) or "reducesum"."""
    g = Graph()
    i64 = lambda *v: g.const(np.array(v, dtype=np.int64))  # noqa: E731
    x = g.op("Div", [g.op("Sub", ["x", g.const(mean)]), g.const(std)])
    seq = x if time_major else g.op("Transpose", [x], perm=[1, 0, 2])
    last = None
    for layer in layers:
        hidden = layer["R"].shape[2]
        attributes = {"hidden_size": hidden, "direction": layer["direction"]}
        if layer["op"] == "GRU":
            attributes["linear_before_reset"] = layer["lbr"]
        inputs = [seq, g.const(layer["W"]), g.const(layer["R"]), g.const(layer["B"])]
        outputs = g.op(layer["op"], inputs, outputs=3 if layer["op"] == "LSTM" else 2, **attributes)
        if layer["direction"] != "bidirectional":
            seq = g.op("Squeeze", [outputs[0], i64(1)])
        elif layer["merge"] == "concat":
            seq = g.op("Reshape", [g.op("Transpose", [outputs[0]], perm=[0, 2, 1, 3]), i64(0, 0, -1)])
        else:
            seq = g.op("ReduceSum", [outputs[0], i64(1)], keepdims=0)
        last = (outputs[1], layer)
    y_h, layer = last
    hidden = layer["R"].shape[2]
    if layer["direction"] != "bidirectional":
        final = g.op("Squeeze", [y_h, i64(0)])
    elif head_from == "reshape" and layer["merge"] == "concat":
        final = g.op("Reshape", [g.op("Transpose", [y_h], perm=[1, 0, 2]), i64(-1, 2 * hidden)])
    elif head_from == "reducesum" or layer["merge"] == "sum" and head_from == "reshape":
        final = g.op("ReduceSum", [y_h, i64(0)], keepdims=0)
    else:
        forward = g.op("Gather", [y_h, g.const(np.array(-2, dtype=np.int64))], axis=0)
        backward = g.op("Gather", [y_h, g.const(np.array(-1, dtype=np.int64))], axis=0)
        final = g.op("Concat", [forward, backward], axis=1) if layer["merge"] == "concat" else g.op(
            "Add", [forward, backward])
    kernel, bias = head
    logits = g.op("Gemm", [final, g.const(kernel.T.copy()), g.const(bias)], transB=1)
    return g.model("x", steps, features, logits, time_major)


def random_stack(specs, features, rng):
    """Seeded weights for `specs`: (op, lbr, hidden, direction, merge) per layer."""
    result, width = [], features
    for op, lbr, hidden, direction, merge in specs:
        d, g, k = 2 if direction == "bidirectional" else 1, GATES[op], 1 / np.sqrt(hidden)
        result.append({
            "op": op, "lbr": lbr, "direction": direction, "merge": merge,
            "W": rng.uniform(-k, k, (d, g * hidden, width)).astype(np.float32),
            "R": rng.uniform(-k, k, (d, g * hidden, hidden)).astype(np.float32),
            "B": rng.uniform(-k, k, (d, 2 * g * hidden)).astype(np.float32),
        })
        width = 2 * hidden if direction == "bidirectional" and merge == "concat" else hidden
    return result, width


# Stacks of several kinds and directions: (name, layers, how the head reads the last Y_h, time-major).
STACKS = [
    ("gru-then-lstm", [("GRU", 1, 16, "forward", None), ("LSTM", 0, 12, "forward", None)], "reshape", False),
    ("bigru-concat", [("GRU", 1, 12, "bidirectional", "concat")], "reshape", True),
    ("bilstm-concat-gathered", [("LSTM", 0, 10, "bidirectional", "concat")], "gather", False),
    ("birnn-sum", [("RNN", 0, 16, "bidirectional", "sum")], "reducesum", False),
    ("bigru-lbr0-sum-added", [("GRU", 0, 10, "bidirectional", "sum")], "gather", True),
    ("reverse-lstm", [("LSTM", 0, 12, "reverse", None)], "reshape", False),
    ("bigru-concat-then-lstm", [("GRU", 1, 10, "bidirectional", "concat"), ("LSTM", 0, 12, "forward", None)],
     "reshape", True),
    ("rnn-then-bilstm-sum-then-bigru", [("RNN", 0, 8, "forward", None), ("LSTM", 0, 10, "bidirectional", "sum"),
                                        ("GRU", 1, 8, "bidirectional", "concat")], "gather", False),
]


def unrolled_model(op, lbr, weights, head, mean, std, steps, features, sites):
    """The same model step by step in plain arithmetic; `sites[(t, l, kind)]` is a candidate spec or None (exact)."""
    g = Graph()
    x = g.op("Div", [g.op("Sub", ["x", g.const(mean)]), g.const(std)])
    exact = {"h": "Tanh", "z": "Sigmoid", "r": "Sigmoid", "i": "Sigmoid", "f": "Sigmoid", "g": "Tanh",
             "o": "Sigmoid", "c": "Tanh"}

    def activate(value, t, l, kind):
        spec = sites.get((t, l, kind))
        if spec is None:
            return g.op(exact[kind], [value])
        a, b = spec["domain"]
        c = spec["chebyshev"]
        scale, shift = g.const(np.float32(2 / (b - a))), g.const(np.float32(-(a + b) / (b - a)))
        u = g.op("Add", [g.op("Mul", [value, scale]), shift])
        two_u = g.op("Mul", [u, g.const(np.float32(2))])
        b1, b2 = None, None
        for k in range(len(c) - 1, 0, -1):
            term = g.const(np.float32(c[k]))
            if b1 is not None:
                term = g.op("Add", [g.op("Mul", [two_u, b1]), term])
            if b2 is not None:
                term = g.op("Sub", [term, b2])
            b1, b2 = term, b1
        result = g.const(np.float32(c[0]))
        if b1 is not None:
            result = g.op("Add", [g.op("Mul", [u, b1]), result])
        if b2 is not None:
            result = g.op("Sub", [result, b2])
        return result

    per_layer = []
    for layer in weights:
        gates, hidden = GATES[op], layer["R"].shape[2]
        w, r, bias = layer["W"][0], layer["R"][0], layer["B"][0]
        split = lambda m: [m[i * hidden:(i + 1) * hidden] for i in range(gates)]  # noqa: E731
        per_layer.append({
            "W": [g.const(m.T.copy()) for m in split(w)], "R": [g.const(m.T.copy()) for m in split(r)],
            "Wb": [g.const(v) for v in split(bias[:gates * hidden])],
            "Rb": [g.const(v) for v in split(bias[gates * hidden:])],
            "one": g.const(np.float32(1)),
        })
    states = [None] * len(weights)
    cells = [None] * len(weights)
    for t in range(steps):
        below = g.op("Gather", [x, g.const(np.array(t, dtype=np.int64))], axis=1)
        for l, p in enumerate(per_layer):
            h = states[l]

            def pre(gate, with_recurrent=True, bias_r=True):
                value = g.op("Add", [g.op("MatMul", [below, p["W"][gate]]), p["Wb"][gate]])
                if h is not None and with_recurrent:
                    value = g.op("Add", [value, g.op("MatMul", [h, p["R"][gate]])])
                return g.op("Add", [value, p["Rb"][gate]]) if bias_r else value

            if op == "RNN":
                h = activate(pre(0), t, l, "h")
            elif op == "GRU":
                z, rr = activate(pre(0), t, l, "z"), activate(pre(1), t, l, "r")
                if lbr:
                    rec = p["Rb"][2] if h is None else g.op("Add", [g.op("MatMul", [h, p["R"][2]]), p["Rb"][2]])
                    candidate = g.op("Add", [pre(2, False, False), g.op("Mul", [rr, rec])])
                else:
                    candidate = pre(2, False)
                    if h is not None:
                        candidate = g.op("Add", [candidate, g.op("MatMul", [g.op("Mul", [rr, h]), p["R"][2]])])
                hh = activate(candidate, t, l, "h")
                new = g.op("Mul", [g.op("Sub", [p["one"], z]), hh])
                h = new if h is None else g.op("Add", [new, g.op("Mul", [z, h])])
            else:
                i, o = activate(pre(0), t, l, "i"), activate(pre(1), t, l, "o")
                f, cc = activate(pre(2), t, l, "f"), activate(pre(3), t, l, "g")
                c = g.op("Mul", [i, cc])
                if cells[l] is not None:
                    c = g.op("Add", [g.op("Mul", [f, cells[l]]), c])
                cells[l] = c
                h = g.op("Mul", [o, activate(c, t, l, "c")])
            states[l] = h
            below = h
    kernel, bias = head
    logits = g.op("Add", [g.op("MatMul", [states[-1], g.const(kernel)]), g.const(bias)])
    return g.model("x", steps, features, logits)


def run(command):
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()}")
    return done.stdout


def cellwise_outputs(cellwise, model_json, plan, path):
    report = json.loads(run([cellwise, "evaluate", "--model", model_json, "--plan", plan, "--json",
                             "--save-outputs", path]))
    data = np.load(path)
    return report, data["inputs"], data["logits"]


def raw_inputs(model_json, inputs):
    transform = json.load(open(model_json))["input"]
    mean = np.array(transform.get("mean") or [0] * inputs.shape[2], dtype=np.float32)
    std = np.array(transform.get("standard_deviation") or [1] * inputs.shape[2], dtype=np.float32)
    # A padded step is 0 in the model's input; mean in the raw input gives exactly that.
    return inputs * std + mean


def ort_logits(model, inputs):
    session = ort.InferenceSession(model.SerializeToString() if isinstance(model, onnx.ModelProto) else model)
    return session.run(None, {session.get_inputs()[0].name: inputs})[0]


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def report_check(results, name, plan, ours, theirs, exact=None):
    """Passes when the logits agree within TOLERANCE (relative to their size, at least 1); for a
    polynomial plan also when the plan moves the logits far more than that (it is really applied)."""
    scale = max(1.0, float(np.abs(theirs).max()))
    difference = float(np.abs(ours - theirs).max())
    passed = difference <= TOLERANCE * scale
    result = {"check": name, "plan": plan, "max_abs_difference": difference, "scale": scale,
              "samples": int(ours.shape[0]),
              "same_class": int((ours.argmax(axis=1) == theirs.argmax(axis=1)).sum())}
    if exact is not None:
        result["plan_effect"] = float(np.abs(ours - exact).max())
        passed = passed and result["plan_effect"] > 100 * TOLERANCE * scale
    result["passed"] = bool(passed)
    results.append(result)
    print(json.dumps(result), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cellwise", required=True)
    parser.add_argument("--work", required=True)
    arguments = parser.parse_args()
    os.makedirs(arguments.work, exist_ok=True)
    ort.set_default_logger_severity(3)
    cellwise = arguments.cellwise
    x_train, _, _, _, mean, std, classes = load(os.path.join(ROOT, "data", "timeseries"), "JapaneseVowels")
    steps, features = x_train.shape[1], x_train.shape[2]
    rng = np.random.default_rng(12)
    results = []
    plans = ["7", "17*14,5*15"]
    kinds = [("RNN", 0), ("GRU", 0), ("GRU", 1), ("LSTM", 0)]
    for variant_base, (op, lbr) in enumerate(kinds):
        for layers in (1, 2):
            variant = (variant_base + layers) % 4
            name = f"{op.lower()}{'-lbr' + str(lbr) if op == 'GRU' else ''}-{layers}layer"
            weights = random_layers(op, layers, features, 16, rng)
            head = (rng.uniform(-0.5, 0.5, (16, classes)).astype(np.float32),
                    rng.uniform(-0.1, 0.1, classes).astype(np.float32))
            path = os.path.join(arguments.work, name + ".onnx")
            onnx.save(operator_model(op, lbr, weights, head, mean, std, steps, features, variant), path)
            model_json = os.path.join(arguments.work, name + ".json")
            run([cellwise, "import", path, "--dataset", "JapaneseVowels", "--out", model_json])
            npz = os.path.join(arguments.work, name + ".npz")
            _, inputs, exact = cellwise_outputs(cellwise, model_json, "exact", npz)
            ours = exact
            raw = raw_inputs(model_json, inputs)
            report_check(results, f"{name} exact vs ONNX Runtime ({op} operator)", "exact", ours, ort_logits(path, raw))
            # The unrolled builder itself, with exact activations, against the operator model.
            exact_unrolled = unrolled_model(op, lbr, weights, head, mean, std, steps, features, {})
            report_check(results, f"{name} unrolled graph vs {op} operator (ONNX Runtime only)", "exact",
                         ort_logits(exact_unrolled, raw), ort_logits(path, raw))
            for plan in plans:
                report, _, ours = cellwise_outputs(cellwise, model_json, plan, npz)
                layout = {"RNN": ["h"], "GRU": ["z", "r", "h"], "LSTM": ["i", "f", "g", "o", "c"]}[op]
                per_step = layers * len(layout)
                sites = {}
                for spec in report["candidates"]:
                    for site in spec["cells"]:
                        t, rest = divmod(site, per_step)
                        l, k = divmod(rest, len(layout))
                        sites[(t, l, layout[k])] = spec
                unrolled = unrolled_model(op, lbr, weights, head, mean, std, steps, features, sites)
                report_check(
                    results, f"{name} plan {plan} vs unrolled ONNX graph", plan, ours, ort_logits(unrolled, raw), exact)
    # Time-major graph inputs ([time, batch, features], PyTorch's default export), every kind.
    for op, lbr in kinds:
        for layers in (1, 2):
            name = f"{op.lower()}{'-lbr' + str(lbr) if op == 'GRU' else ''}-{layers}layer-time-major"
            weights = random_layers(op, layers, features, 16, rng)
            head = (rng.uniform(-0.5, 0.5, (16, classes)).astype(np.float32),
                    rng.uniform(-0.1, 0.1, classes).astype(np.float32))
            path = os.path.join(arguments.work, name + ".onnx")
            onnx.save(operator_model(op, lbr, weights, head, mean, std, steps, features, layers, True), path)
            model_json = os.path.join(arguments.work, name + ".json")
            run([cellwise, "import", path, "--dataset", "JapaneseVowels", "--out", model_json])
            npz = os.path.join(arguments.work, name + ".npz")
            _, inputs, ours = cellwise_outputs(cellwise, model_json, "exact", npz)
            raw = raw_inputs(model_json, inputs).transpose(1, 0, 2).copy()
            report_check(results, f"{name} exact vs ONNX Runtime ({op} operator)", "exact", ours, ort_logits(path, raw))
    # Mixed stacks, reverse and bidirectional layers (concatenated or summed), exact.
    for name, specs, head_from, time_major in STACKS:
        layers, width = random_stack(specs, features, rng)
        head = (rng.uniform(-0.5, 0.5, (width, classes)).astype(np.float32),
                rng.uniform(-0.1, 0.1, classes).astype(np.float32))
        path = os.path.join(arguments.work, name + ".onnx")
        onnx.save(stack_model(layers, head, mean, std, steps, features, head_from, time_major), path)
        model_json = os.path.join(arguments.work, name + ".json")
        run([cellwise, "import", path, "--dataset", "JapaneseVowels", "--out", model_json])
        npz = os.path.join(arguments.work, name + ".npz")
        _, inputs, ours = cellwise_outputs(cellwise, model_json, "exact", npz)
        raw = raw_inputs(model_json, inputs)
        if time_major:
            raw = raw.transpose(1, 0, 2).copy()
        report_check(results, f"{name} exact vs ONNX Runtime", "exact", ours, ort_logits(path, raw))
    for example in ("vowels-gru-pytorch", "vowels-lstm-keras"):
        path = os.path.join(ROOT, "Examples", "onnx", example + ".onnx")
        model_json = os.path.join(arguments.work, example + ".json")
        run([cellwise, "import", path, "--dataset", "JapaneseVowels", "--out", model_json])
        npz = os.path.join(arguments.work, example + ".npz")
        _, inputs, ours = cellwise_outputs(cellwise, model_json, "exact", npz)
        theirs = ort_logits(path, raw_inputs(model_json, inputs))
        ends_in_softmax = onnx.load(path).graph.node[-1].op_type == "Softmax"
        report_check(results, f"{example} (shipped) exact vs ONNX Runtime", "exact",
                     softmax(ours) if ends_in_softmax else ours, theirs)
    failed = [r["check"] for r in results if not r["passed"]]
    print(json.dumps({"summary": True, "checks": len(results), "failed": failed,
                      "max_abs_difference": max(r["max_abs_difference"] for r in results)}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
