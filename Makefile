# One command for the whole local check: `make check`.
.PHONY: check format lint types test docs manifests snapshots

check: lint types test

format:
	ruff format syntho_ray tests
	ruff check --fix syntho_ray tests

lint:
	ruff format --check syntho_ray tests
	ruff check syntho_ray tests

types:
	mypy

test:
	pytest

# Deliberate updates, reviewed and committed; CI never runs these.
docs:
	python -m syntho_ray.docs

manifests:
	rm -rf manifests && syntho-ray render -o manifests --quiet

snapshots:
	pytest --snapshot-update
