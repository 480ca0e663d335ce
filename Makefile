# One command for the whole local check: `make check`.
.PHONY: check format lint types test test-random e2e docs examples snapshots bench

check: lint types test

format:
	ruff format syntho_ray tests benchmarks tools
	ruff check --fix syntho_ray tests benchmarks tools

lint:
	ruff format --check syntho_ray tests benchmarks tools
	ruff check syntho_ray tests benchmarks tools

types:
	mypy

test:
	pytest --hypothesis-profile=ci

# New Hypothesis examples each run (CI's profile draws the same ones every time).
test-random:
	pytest --hypothesis-profile=random tests/test_properties.py tests/test_yaml_quick.py \
		tests/test_fastyaml.py tests/test_helm_values.py

# The end-to-end tests alone: builds the components once (tests/e2e/build.py), then runs them
# against a real control plane and the KubeRay operator; without Go they skip, saying so.
e2e:
	python tests/e2e/build.py || [ $$? -eq 3 ]
	pytest tests/e2e

# Deliberate updates, reviewed and committed; CI never runs these.
docs:
	python -m syntho_ray.values.reference

examples:
	rm -rf examples/defaults && syntho-ray render -o examples/defaults --quiet

snapshots:
	pytest --snapshot-update

# Speed, side by side with `helm template` (BENCHMARKS.md says how to get helm and the chart).
bench:
	python benchmarks/run.py
