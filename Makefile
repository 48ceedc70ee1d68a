# Cellwise: `make demo` trains on the shipped MNIST sample and prints four plans' accuracy;
# `make test` runs the test suite. Both install the Debian packages they need first.
SWIFT ?= swift

.PHONY: all deps build demo test bench clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release

demo: build
	@scripts/demo.sh

test: deps
	$(SWIFT) test

bench: build
	.build/release/cellwise bench --dataset fashion

clean:
	rm -rf .build
