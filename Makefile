# Auditrail. On a fresh machine the README's two commands are:
#   make run    install what is missing, build, seed the demo organization, serve on :3000
#   make test   every check and test (what CI runs, via .ci/run)

.PHONY: help setup setup-test run test bench reliability fuzz clean-data

help:
	@echo "make run         build, seed the demo organization and serve on http://127.0.0.1:3000"
	@echo "make test        every check and test: fmt, clippy, unit/integration, Playwright"
	@echo "make setup       install the build tools that are missing (setup-test: + test tools)"
	@echo "make bench       every benchmark of BENCHMARKS.md (optimised server build)"
	@echo "make reliability fuzzing, crash, fault and load tests on both databases (~22 min built)"
	@echo "make fuzz        every fuzz harness for 10 minutes (scripts/fuzz.sh [SECONDS_PER_TARGET])"
	@echo "make clean-data  delete the local SQLite database (data/)"

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh --test

run:
	scripts/run.sh

test:
	scripts/test.sh

bench:
	scripts/bench.sh

reliability:
	scripts/reliability.sh

fuzz:
	scripts/fuzz.sh

clean-data:
	rm -rf data/
