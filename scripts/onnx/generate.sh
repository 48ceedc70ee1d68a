#!/usr/bin/env bash
# Generates Sources/CellwiseONNX/Generated/onnx.pb.swift from scripts/onnx/onnx.proto, once; the output is
# committed, so building Cellwise needs neither protoc nor the plugin (whose first build takes minutes).
#
# onnx.proto is copied unchanged from the `onnx` 1.23.2 wheel on PyPI (onnx/onnx.proto, Apache-2.0,
# https://github.com/onnx/onnx). The command that made the committed file:
#
#   apt-get install -y protobuf-compiler           # libprotoc 3.21.12
#   git clone https://github.com/apple/swift-protobuf && git -C swift-protobuf checkout 1.39.0
#   swift build -c release --package-path swift-protobuf --product protoc-gen-swift
#   scripts/onnx/generate.sh swift-protobuf/.build/release/protoc-gen-swift
set -euo pipefail
cd "$(dirname "$0")/../.."
plugin=${1:?usage: scripts/onnx/generate.sh PATH/TO/protoc-gen-swift}
protoc --plugin=protoc-gen-swift="$plugin" --swift_opt=Visibility=Package \
  --proto_path=scripts/onnx --swift_out=Sources/CellwiseONNX/Generated scripts/onnx/onnx.proto
