# One task runner for people and CI (.ci/run calls `make test`).
.PHONY: test lint bench serve fmt

test:
	cargo test --release

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings

fmt:
	cargo fmt --all

serve:
	cargo run --release -- serve --data ./plantdb-data

bench:
	cargo run --release -p plantdb-benches --bin plantbench -- storage --scale 1
