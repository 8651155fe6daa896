# Two commands on a fresh machine (see README): `make demo` (the LSTM-vs-GRU comparison
# on offline data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.seqkit-installed

export TF_CPP_MIN_LOG_LEVEL ?= 2
export KERAS_BACKEND ?= tensorflow

.PHONY: install demo test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,backends]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m seqkit.cli compare

# The whole suite on TensorFlow; then the backend-portable layer tests (the variants'
# math against NumPy, parity with the built-in layers, the execution paths: what
# benchmarks/gpu_check.py relies on) on JAX and PyTorch, CPU wheels from the `backends`
# extra, since the layers are written with keras.ops only.
PORTABLE_LAYER_TESTS := tests/layers/test_variants.py tests/layers/test_builtin_parity.py \
	tests/layers/test_paths.py
test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest -q -p no:cacheprovider --doctest-modules seqkit tests
	@for backend in jax torch; do \
	  if $(PY) -c "import $$backend" 2>/dev/null; then \
	    echo "== layer tests under KERAS_BACKEND=$$backend"; \
	    KERAS_BACKEND=$$backend $(PY) -m pytest -q -p no:cacheprovider $(PORTABLE_LAYER_TESTS) \
	      || exit 1; \
	  else \
	    echo "== KERAS_BACKEND=$$backend: $$backend is not installed, layer tests not run there"; \
	    exit 1; \
	  fi; \
	done

lint: $(STAMP)
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) build *.egg-info
