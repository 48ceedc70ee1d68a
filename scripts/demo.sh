#!/usr/bin/env bash
# The main job on the shipped MNIST sample: train, then the test accuracy of four uniform plans.
set -euo pipefail
cellwise=.build/release/cellwise
model=${MODEL:-results/models/mnist5k.json}
seed=${SEED:-1}
"$cellwise" train --dataset mnist5k --out "$model" --seed "$seed"
echo
"$cellwise" evaluate --model "$model" --plan 't*28' --plan '3*28' --plan '7*28' --plan '17*28'
