# make run   - install what is missing, build, and start the server on its defaults
# make test  - build everything and run the whole test suite
# make build - build build/pinfold
BUILD ?= build
# The engine the end-to-end test runs, installed once and reused between runs.
export PINFOLD_TEST_ENGINES_DIR ?= /var/cache/pinfold/engines
CMAKE_FLAGS ?=

.PHONY: build run test deps test-deps bench format clean

build: deps
	@cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS) >/dev/null
	@ninja -C $(BUILD) pinfold

deps:
	@scripts/install-deps

test-deps:
	@scripts/install-deps --test
	@scripts/install-test-deps

run: build
	@scripts/run

test: test-deps
	@cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS) >/dev/null
	@ninja -C $(BUILD)
	@$(BUILD)/pinfold engines install openclaw --engines-dir $(PINFOLD_TEST_ENGINES_DIR)
	@cd $(BUILD) && ctest --output-on-failure -j 2 --timeout 900

bench: build
	@bench/run

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD)
