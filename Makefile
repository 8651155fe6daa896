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
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m seqkit.cli compare

# The whole suite on TensorFlow; then the layer tests again on every other Keras backend
# that is installed (JAX, PyTorch), since the layers are written with keras.ops only.
test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest -q -p no:cacheprovider --doctest-modules seqkit tests
	@for backend in jax torch; do \
	  if $(PY) -c "import $$backend" 2>/dev/null; then \
	    echo "== tests/layers under KERAS_BACKEND=$$backend"; \
	    KERAS_BACKEND=$$backend $(PY) -m pytest -q -p no:cacheprovider tests/layers || exit 1; \
	  else \
	    echo "== KERAS_BACKEND=$$backend: $$backend is not installed, layer tests not run there"; \
	  fi; \
	done

lint: $(STAMP)
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) build *.egg-info
