"""Trains a GRU(32) classifier on JapaneseVowels with PyTorch and exports it to ONNX.

    python3 -m venv /tmp/export-venv
    /tmp/export-venv/bin/pip install torch==2.13.0+cpu onnx==1.23.2 onnxscript==0.7.2 numpy
    /tmp/export-venv/bin/python Examples/onnx/make_gru_pytorch.py

writes Examples/onnx/vowels-gru-pytorch.onnx with the legacy TorchScript exporter (dynamo=False),
which writes nn.GRU as the ONNX GRU operator (linear_before_reset 1, PyTorch's convention). The
standardisation is part of the model (Sub and Div), so the graph reads raw LPC coefficients.
Seeded; PyTorch's CPU kernels make it reproducible on one machine, not bit-for-bit everywhere.
"""
import os
import torch
from timeseries import load

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
x_train, y_train, x_test, y_test, mean, std, classes = load(f"{root}/data/timeseries", "JapaneseVowels")
torch.manual_seed(1)


class VowelsGRU(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean))
        self.register_buffer("std", torch.tensor(std))
        self.gru = torch.nn.GRU(x_train.shape[2], 32, batch_first=True)
        self.dense = torch.nn.Linear(32, classes)

    def forward(self, x):
        y, _ = self.gru((x - self.mean) / self.std)
        return self.dense(y[:, -1, :])


model = VowelsGRU()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
xt, yt = torch.tensor(x_train), torch.tensor(y_train)
generator = torch.Generator().manual_seed(1)
for epoch in range(60):
    model.train()
    for batch in torch.randperm(len(xt), generator=generator).split(32):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xt[batch]), yt[batch])
        loss.backward()
        optimizer.step()
model.eval()
with torch.no_grad():
    accuracy = (model(torch.tensor(x_test)).argmax(1).numpy() == y_test).mean()
print(f"PyTorch GRU test accuracy {accuracy:.4f}")
path = f"{here}/vowels-gru-pytorch.onnx"
torch.onnx.export(
    model, (xt[:1],), path, dynamo=False, opset_version=17, input_names=["x"], output_names=["logits"],
    dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}})
print(f"wrote {path}")
