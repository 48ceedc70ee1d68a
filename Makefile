# Cellwise: `make demo` compares the search strategies on the shipped MNIST sample (training the
# model first) and prints the table; `make test` runs the test suite. Both install what they need.
SWIFT ?= swift

.PHONY: all deps build demo accuracies test lint bench bench-libraries install clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release

# Writes to results/demo/ (ignored by git), so that the committed results/ stay as they are.
demo: build
	.build/release/cellwise compare --config configs/paper-mnist5k.toml --out results/demo

accuracies: build
	@scripts/demo.sh

test:
	@scripts/install-deps.sh --python --torch
	CELLWISE_REQUIRE_ALL_TESTS=1 CELLWISE_PYTHON=$(CURDIR)/.build/python-venv/bin/python \
	  CELLWISE_TORCH_PYTHON=$(CURDIR)/.build/torch-venv/bin/python \
	  CELLWISE_JUPYTER=$(CURDIR)/.build/python-venv/bin/jupyter $(SWIFT) test

# Style: swift-format (.swift-format, 120 columns) with warnings as errors, no line over 120, and
# ruff (ruff.toml, pinned in scripts/install-deps.sh) for the Python.
lint:
	@scripts/install-deps.sh --python
	.build/python-venv/bin/ruff check --quiet .
	$(SWIFT) format lint --strict --recursive Sources Tests Examples Package.swift
	@long=$$(git ls-files '*.swift' | grep -v '/Generated/' | xargs awk 'length > 120 { print FILENAME ":" FNR }'); \
	  if [ -n "$$long" ]; then echo "lines over 120 columns:"; echo "$$long"; exit 1; fi

bench: build
	.build/release/cellwise bench --dataset fashion

# Cellwise's evaluator against NumPy, JAX and ONNX Runtime on the same GRU and LSTM work, with ratios.
bench-libraries: build
	@scripts/install-deps.sh --bench
	.build/bench-venv/bin/python scripts/bench/compare_libraries.py --cellwise .build/release/cellwise

# `make install PREFIX=/opt/cellwise`: the binary in $(PREFIX)/bin, and what it runs beside it (the
# CKKS bridge, the adapters, the shipped data, configs and models) in $(PREFIX)/share/cellwise, where
# it also makes its Python environments on first use (so $(PREFIX)/share/cellwise must be writable
# by whoever runs encrypted or Python-strategy commands). docs/installation.md.
PREFIX ?= /usr/local
SHARE = $(DESTDIR)$(PREFIX)/share/cellwise
install: build
	install -D -m 755 .build/release/cellwise $(DESTDIR)$(PREFIX)/bin/cellwise
	mkdir -p $(SHARE)/results
	rm -rf $(SHARE)/tools $(SHARE)/strategies $(SHARE)/data $(SHARE)/configs $(SHARE)/results/models
	cp -R tools strategies data configs $(SHARE)/
	cp -R results/models $(SHARE)/results/
	find $(SHARE) -name __pycache__ -prune -exec rm -rf {} +

clean:
	rm -rf .build
