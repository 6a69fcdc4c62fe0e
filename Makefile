# neuroplastic: the menu. `make reproduce` regenerates results/, `make test`
# runs every check CI runs. Both fetch what they need (Go modules, datasets).

GO       ?= go
BIN      := bin/neuroplastic
RESULTS  ?=
STUDIES  ?=
QUICK    ?=
SEEDS    ?=
WORKERS  ?=
PRUNE    ?=
COUNT    ?= 1
# Debian's python3, where python3-torch and python3-torchvision install.
TORCH_PY ?= /usr/bin/python3

# The results directory defaults to results/, results/quick/ with QUICK=1 and
# .../powered/ with SEEDS=N; RESULTS= overrides it. PRUNE=1 lets a report
# drop records of runs no longer in their spec (after a spec edit).
OUT_FLAGS := $(strip $(if $(RESULTS),--results $(RESULTS)) $(if $(QUICK),--quick) $(if $(SEEDS),--seeds $(SEEDS)) $(if $(PRUNE),--prune))
RUN_FLAGS := $(strip $(if $(STUDIES),--studies $(STUDIES)) $(if $(WORKERS),--workers $(WORKERS)))

.PHONY: all build data reproduce reproduce-resnet18 reproduce-extensions report verify test fmt-check vet staticcheck \
	test-go test-race test-store test-slurm test-arm64 bench bench-torch clean help

all: build

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

build: ## build the neuroplastic binary into bin/ (static: nothing needs cgo)
	CGO_ENABLED=0 $(GO) build -o $(BIN) .

data: build ## fetch and verify the datasets (MNIST, Fashion-MNIST; CIFAR-10 when its site is reachable or the archive is in place)
	$(BIN) data

reproduce: data ## run the studies and write results/ (QUICK=1: results/quick/; SEEDS=10: results/powered/)
	$(BIN) reproduce $(OUT_FLAGS) $(RUN_FLAGS)

reproduce-extensions: data ## the two studies beyond the preprint (mnist_tuning_validation, variants: 351 runs)
	$(BIN) reproduce $(OUT_FLAGS) $(if $(WORKERS),--workers $(WORKERS)) --studies mnist_tuning_validation,variants

reproduce-resnet18: data ## the cluster-sized CIFAR-10 ResNet-18 study (about a day on 2 cores)
	$(BIN) reproduce $(OUT_FLAGS) --studies cifar10_resnet18 --workers 1

report: build ## re-render tables, figures, records and README.md from the run store and the committed records
	$(BIN) report $(OUT_FLAGS)

verify: data ## re-train a few committed runs and compare them with their records, byte for byte
	$(BIN) verify $(if $(RESULTS),--results $(RESULTS))

# test runs the arm64 check (qemu, about one core) in the background beside
# the others, which run in turn, and fails if either side does.
test: ## every check CI runs (the arm64 lines are prefixed "arm64: ")
	@GO=$(GO) bash models/kernel/testdata/arm64-test.sh & arm64=$$!; \
	$(MAKE) --no-print-directory fmt-check vet staticcheck test-go test-race test-store test-slurm; native=$$?; \
	wait $$arm64; arm64=$$?; \
	exit $$((native || arm64))

fmt-check: ## fail if gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet: ## go vet
	$(GO) vet ./...

staticcheck: ## staticcheck, pinned as a tool in go.mod
	$(GO) tool staticcheck ./...

test-go: ## the full test suite (fetches MNIST and Fashion-MNIST for the real-data tests)
	$(GO) test -count=1 -timeout 20m ./...

test-race: ## the short suite under the race detector (needs cgo and gcc; includes a pool sharing one dataset)
	CGO_ENABLED=1 $(GO) test -count=1 -race -short -timeout 20m ./...

test-store: build ## `neuroplastic check` on a freshly trained test store, and on results/ and results/quick/ where they hold runs
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(BIN) run harness/testdata/tiny.yaml --quick --results "$$tmp" >/dev/null 2>&1 && \
	$(BIN) check --results "$$tmp" && \
	for d in $(or $(RESULTS),results) $(or $(RESULTS),results)/quick; do \
		if [ -d "$$d/runs" ]; then $(BIN) check --results "$$d" || exit 1; fi; \
	done

test-slurm: build ## a real single-node Slurm cluster runs a tiny sweep as a job array
	bash harness/testdata/slurm/cluster-test.sh

test-arm64: ## kernel, optimizer and training numerics on arm64 under qemu-user, against amd64's hashes
	GO=$(GO) bash models/kernel/testdata/arm64-test.sh

bench: ## benchmarks: kernels, steps, epochs, start-up, memory, then the target table (COUNT=4 for benchstat; not part of `make test`)
	{ $(GO) test -run '^$$' -bench . -benchmem -count $(COUNT) -timeout 60m ./models/... ./optim/ ./data/ && \
	  echo "# NEUROPLASTIC_KERNEL=avx2" && \
	  NEUROPLASTIC_KERNEL=avx2 $(GO) test -run '^$$' -bench '^BenchmarkStep$$/^neuroplastic$$' -benchmem -count $(COUNT) ./optim/ && \
	  $(GO) test -run '^$$' -bench '^BenchmarkProcess$$' -count $(COUNT) -timeout 30m . ; } | tee bench.txt
	@if $(TORCH_PY) -c 'import torch' 2>/dev/null; then $(TORCH_PY) bench/torch_bench.py | tee bench-torch.txt; \
	else echo "(PyTorch is not installed: \`make bench-torch\` installs it and measures the ours/PyTorch ratios)"; fi
	@python3 bench/targets.py bench.txt bench-torch.txt

bench-torch: ## tuned PyTorch vs ours on the same training steps, alternating runs (installs python3-torch if absent)
	$(TORCH_PY) bench/torch_bench.py | tee bench-torch.txt

clean: ## remove the binary and the quick-profile outputs
	rm -rf bin results/quick
