"""Checks Cellwise's ONNX import on real torch.onnx.export output against ONNX Runtime and PyTorch.

    python scripts/onnx/check_torch_exports.py --cellwise .build/debug/cellwise --work /tmp/torch-check

Builds PyTorch classifiers the ways people write them (seeded weights, no training needed): nn.GRU,
nn.LSTM and nn.RNN with PyTorch's default batch_first=False (time-major input), batch_first=True,
num_layers=2, bidirectional=True with the head on torch.cat((h_n[-2], h_n[-1]), 1) or on
h_n.transpose(0, 1).reshape(batch, -1), and mixed stacks of modules (a bidirectional GRU feeding an
LSTM). Each is exported twice: by torch.onnx.export's default (the dynamo exporter) and by the
TorchScript exporter (dynamo=False). Each export is imported with `cellwise import` and its exact
logits from `cellwise evaluate --save-outputs` on the JapaneseVowels test split are compared with
ONNX Runtime's and PyTorch's. What Cellwise cannot read must be refused in one line that says why:
a bidirectional head on out[-1] (the reverse pass has run one step there), and nn.RNN under the
dynamo exporter, which unrolls it into MatMul, Add and Tanh (the message says to use
dynamo=False). Prints one JSON object per check and a summary line; exits 1 when a check fails.
Needs torch, onnx, onnxscript, onnxruntime and numpy (scripts/install-deps.sh --torch puts them in
.build/torch-venv).
"""
import argparse
import json
import os
import subprocess
import sys
import warnings

import numpy as np
import onnxruntime as ort
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "Examples", "onnx"))
from timeseries import load  # noqa: E402

TOLERANCE = 1e-4


class Classifier(torch.nn.Module):
    """Recurrent modules one after the other, then a Linear head on `head` of the last one:
    "last" (out[-1], the last step of its output), "h_n" (h_n[-1]), "cat" (torch.cat((h_n[-2],
    h_n[-1]), 1)) or "flat" (h_n.transpose(0, 1).reshape(batch, -1)). Inputs are [time, batch,
    features] unless `batch_first`."""

    def __init__(self, modules, head, classes, mean, std, batch_first):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean))
        self.register_buffer("std", torch.tensor(std))
        self.recurrent = torch.nn.ModuleList(modules)
        self.head, self.batch_first = head, batch_first
        last = modules[-1]
        width = last.hidden_size * (2 if last.bidirectional and head in ("cat", "flat", "last") else 1)
        self.dense = torch.nn.Linear(width, classes)

    def forward(self, x):
        y = (x - self.mean) / self.std
        state = None
        for module in self.recurrent:
            y, state = module(y)
        h_n = state[0] if isinstance(state, tuple) else state
        if self.head == "last":
            return self.dense(y[:, -1] if self.batch_first else y[-1])
        if self.head == "h_n":
            return self.dense(h_n[-1])
        if self.head == "cat":
            return self.dense(torch.cat((h_n[-2], h_n[-1]), 1))
        return self.dense(h_n.transpose(0, 1).reshape(h_n.shape[1], -1))


def models(features, classes, mean, std):
    """(name, model, batch_first, refused) for every architecture checked; `refused` maps an exporter
    ("dynamo", "torchscript") to what the one-line refusal must say."""
    def m(*modules, head="h_n", batch_first=False):
        for module in modules:
            module.batch_first = batch_first
        return Classifier(list(modules), head, classes, mean, std, batch_first)

    f = features
    unrolled = {"dynamo": "dynamo=False"}
    return [
        ("gru-time-major", m(torch.nn.GRU(f, 16)), False, {}),
        ("lstm-2layer-last-step", m(torch.nn.LSTM(f, 12, num_layers=2), head="last"), False, {}),
        ("rnn-batch-first", m(torch.nn.RNN(f, 16), head="last", batch_first=True), True, unrolled),
        ("bigru-cat", m(torch.nn.GRU(f, 12, bidirectional=True), head="cat"), False, {}),
        ("bilstm-flat-batch-first", m(torch.nn.LSTM(f, 10, bidirectional=True), head="flat", batch_first=True),
         True, {}),
        ("bigru-then-lstm", m(torch.nn.GRU(f, 10, bidirectional=True), torch.nn.LSTM(20, 12)), False, {}),
        ("rnn-then-bilstm-cat", m(torch.nn.RNN(f, 8), torch.nn.LSTM(8, 10, bidirectional=True), head="cat"),
         False, unrolled),
        # The reverse pass of out[-1] has seen one step: not a Cellwise head.
        ("bigru-last-step", m(torch.nn.GRU(f, 8, bidirectional=True), head="last"), False,
         {"dynamo": "Y_h", "torchscript": "Y_h"}),
    ]


def run(command):
    return subprocess.run(command, capture_output=True, text=True)


def export(model, example, path, dynamo, batch_axis):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if dynamo:
            batch = torch.export.Dim("batch", min=2)
            torch.onnx.export(
                model, (example,), path, input_names=["x"], output_names=["logits"],
                dynamic_shapes={"x": {batch_axis: batch}}, verbose=False)
        else:
            torch.onnx.export(
                model, (example,), path, dynamo=False, opset_version=17, input_names=["x"], output_names=["logits"],
                dynamic_axes={"x": {batch_axis: "batch"}, "logits": {0: "batch"}})


def report(results, result):
    results.append(result)
    print(json.dumps(result), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cellwise", required=True)
    parser.add_argument("--work", required=True)
    arguments = parser.parse_args()
    os.makedirs(arguments.work, exist_ok=True)
    ort.set_default_logger_severity(3)
    torch.manual_seed(7)
    _, _, x_test, _, mean, std, classes = load(os.path.join(ROOT, "data", "timeseries"), "JapaneseVowels")
    features = x_test.shape[2]
    results = []
    for name, model, batch_first, refused in models(features, classes, mean, std):
        model.eval()
        raw = x_test if batch_first else x_test.transpose(1, 0, 2).copy()
        with torch.no_grad():
            expected = model(torch.tensor(raw)).numpy()
        for dynamo in (True, False):
            tag = f"{name} ({'dynamo' if dynamo else 'torchscript'} exporter)"
            path = os.path.join(arguments.work, f"{name}-{'dynamo' if dynamo else 'ts'}.onnx")
            export(model, torch.tensor(raw[:, :4] if not batch_first else raw[:4]), path, dynamo,
                   0 if batch_first else 1)
            model_json = path[:-5] + ".json"
            imported = run([arguments.cellwise, "import", path, "--dataset", "JapaneseVowels", "--out", model_json])
            reason = refused.get("dynamo" if dynamo else "torchscript")
            if reason:
                lines = imported.stderr.strip().splitlines()
                passed = imported.returncode != 0 and len(lines) == 1 and reason in lines[0]
                report(results, {"check": f"{tag} is refused in one line", "passed": passed,
                                 "message": imported.stderr.strip()})
                continue
            if imported.returncode != 0:
                report(results, {"check": tag, "passed": False, "message": imported.stderr.strip()})
                continue
            npz = path[:-5] + ".npz"
            evaluated = run([arguments.cellwise, "evaluate", "--model", model_json, "--plan", "exact",
                             "--save-outputs", npz])
            if evaluated.returncode != 0:
                report(results, {"check": tag, "passed": False, "message": evaluated.stderr.strip()})
                continue
            ours = np.load(npz)["logits"]
            session = ort.InferenceSession(path)
            theirs = session.run(None, {session.get_inputs()[0].name: raw})[0]
            scale = max(1.0, float(np.abs(theirs).max()))
            difference = float(np.abs(ours - theirs).max())
            torch_difference = float(np.abs(theirs - expected).max())
            same = int((ours.argmax(1) == theirs.argmax(1)).sum())
            passed = difference <= TOLERANCE * scale and torch_difference <= TOLERANCE * scale and same == len(ours)
            report(results, {"check": f"{tag} exact vs ONNX Runtime", "passed": bool(passed),
                             "max_abs_difference": difference, "onnxruntime_vs_torch": torch_difference,
                             "scale": scale, "samples": len(ours), "same_class": same,
                             "nodes": sorted({n.op_type for n in __import__("onnx").load(path).graph.node})})
    failed = [r["check"] for r in results if not r["passed"]]
    differences = [r["max_abs_difference"] for r in results if "max_abs_difference" in r]
    print(json.dumps({"summary": True, "checks": len(results), "failed": failed, "torch": torch.__version__,
                      "max_abs_difference": max(differences) if differences else None}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
