# Cellwise: `make demo` compares the search strategies on the shipped MNIST sample (training the
# model first) and prints the table; `make test` runs the test suite. Both install what they need.
SWIFT ?= swift

.PHONY: all deps build demo accuracies test bench clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release

demo: build
	.build/release/cellwise compare --config configs/paper-mnist5k.toml

accuracies: build
	@scripts/demo.sh

test:
	@scripts/install-deps.sh --notebook
	CELLWISE_REQUIRE_ALL_TESTS=1 CELLWISE_JUPYTER=$(CURDIR)/.build/notebook-venv/bin/jupyter $(SWIFT) test

bench: build
	.build/release/cellwise bench --dataset fashion

clean:
	rm -rf .build
