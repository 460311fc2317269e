# Every target creates or refreshes .venv on first use, so a fresh clone needs only `make run` / `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# BlazePose for the browser (@mediapipe/pose), pinned with its checksum in web-assets/package-lock.json,
# copied into the app's static folder (git-ignored): the page loads nothing from a CDN.
VENDOR := src/hipcoach/web/static/vendor/mediapipe-pose
VENDOR_STAMP := $(VENDOR)/.installed
POSE_PKG := web-assets/node_modules/@mediapipe/pose
POSE_FILES := package.json pose.js pose_web.binarypb pose_solution_packed_assets_loader.js \
	pose_solution_packed_assets.data pose_solution_simd_wasm_bin.js pose_solution_simd_wasm_bin.wasm \
	pose_solution_wasm_bin.js pose_solution_wasm_bin.wasm pose_landmark_lite.tflite pose_landmark_full.tflite

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(VENDOR_STAMP): web-assets/package.json web-assets/package-lock.json
	cd web-assets && npm ci --no-audit --no-fund --ignore-scripts
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)
	cd $(POSE_PKG) && cp $(POSE_FILES) $(CURDIR)/$(VENDOR)/
	chmod a+r,a-x $(VENDOR)/*
	touch $@

run: $(STAMP) $(VENDOR_STAMP)
	$(BIN)/hipcoach serve

test: $(STAMP) $(VENDOR_STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy

bench: $(STAMP) $(VENDOR_STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache web-assets/node_modules $(VENDOR)
