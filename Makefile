# The two commands: `make dev` (everything, with demo data) and `make test` (every test).
SHELL := /bin/bash
STACK := deploy/local/stack.sh
GO_TEST_FLAGS ?= -race -count=1 -timeout 30m
# Test artifacts (the console story's screenshots of every page) are kept here.
TEST_OUTPUT ?= $(or $(TMPDIR),/tmp)/hireflow-test-output

.PHONY: dev test lint fuzz e2e unit faults stack-up stack-down stack-status bench-apply build lint

dev:
	$(STACK) install
	$(STACK) start dev
	eval "$$($(STACK) env dev)" && go run ./cmd/hireflow dev

# Every test, unit and integration; the harness starts the test stack (separate ports and data).
test:
	$(STACK) install
	$(STACK) start test
	go vet ./...
	$(MAKE) lint
	mkdir -p $(TEST_OUTPUT)
	eval "$$($(STACK) env test)" && go test $(GO_TEST_FLAGS) -artifacts -outputdir $(TEST_OUTPUT) ./...
	@echo "test artifacts (screenshots): $(TEST_OUTPUT)/_artifacts"
	$(MAKE) fuzz

# staticcheck and Temporal's workflowcheck (determinism of everything a workflow calls), built
# once into the tool cache like the stack's servers.
TOOLS := $(or $(HIREFLOW_CACHE),$(HOME)/.cache/hireflow)/bin
lint:
	@[ -x $(TOOLS)/staticcheck ] || GOBIN=$(TOOLS) go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
	@[ -x $(TOOLS)/workflowcheck ] || GOBIN=$(TOOLS) go install go.temporal.io/sdk/contrib/tools/workflowcheck@v0.6.0
	$(TOOLS)/staticcheck ./...
	$(TOOLS)/workflowcheck ./workflows/...

# Fuzz targets, each for a bounded time (the corpus found is kept in the Go build cache).
FUZZTIME ?= 15s
fuzz:
	go test -run '^$$' -fuzz '^FuzzExtract$$' -fuzztime $(FUZZTIME) ./internal/analysis/resume
	go test -run '^$$' -fuzz '^FuzzCompileScreening$$' -fuzztime $(FUZZTIME) ./rules
	go test -run '^$$' -fuzz '^FuzzEvaluationIsBounded$$' -fuzztime $(FUZZTIME) ./rules
	go test -run '^$$' -fuzz '^FuzzCheckJSON$$' -fuzztime $(FUZZTIME) ./api
	go test -run '^$$' -fuzz '^FuzzSniffRecording$$' -fuzztime $(FUZZTIME) ./api

# Only the end-to-end tests (the real stack, HTTP, mail capture).
e2e:
	$(STACK) install
	$(STACK) start test
	mkdir -p $(TEST_OUTPUT)
	eval "$$($(STACK) env test)" && go test -count=1 -timeout 20m -artifacts -outputdir $(TEST_OUTPUT) ./internal/tests/e2e/...

unit:
	go test -count=1 ./rules/... ./workflows/... ./internal/infra/seal/... ./internal/analysis/resume/... ./internal/infra/passwd/... ./internal/infra/config/...

# The fault test: candidates apply while worker, API, Temporal and PostgreSQL are killed in turn
# (dev stack; not part of make test). The last line is JSON; it fails if anything was lost.
faults:
	$(STACK) install
	$(STACK) start dev
	go build -o .data/hireflow-chaos ./cmd/hireflow
	eval "$$($(STACK) env dev)" && .data/hireflow-chaos chaos

bench-apply:
	$(STACK) start dev
	eval "$$($(STACK) env dev)" && go run ./cmd/hireflow bench apply

stack-up:
	$(STACK) install
	$(STACK) start dev

stack-down:
	$(STACK) stop dev

stack-status:
	$(STACK) status dev

build:
	go build -o hireflow ./cmd/hireflow
