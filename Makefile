# Two commands on a fresh machine: `make demo` and `make test`.
# Both install what is missing (Debian packages, a virtual environment, kam itself).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.kam-installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Chinese glyphs, the fast HarfBuzz subsetter WeasyPrint uses, Pango for layout,
# poppler-utils for pdftotext/pdftoppm in tests, graphviz for `kam workflow diagram --svg`,
# openssh-client for ssh-keygen (reviewers make their Ed25519 keys with it; the signature tests use it),
# libreoffice-calc-nogui (soffice --headless) for the tests that save an Excel form again as another spreadsheet program does.
SYSTEM_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils graphviz openssh-client libreoffice-calc-nogui
DEMO_DIR ?= demo-out

.PHONY: setup system venv compile demo test lint bench soak clean

setup: system venv compile

system:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(STAMP)

# setuptools prints a boxed caution with every editable install ("folders in your working directory with the
# same name as your package may take precedence during imports"): here that folder is the package itself, on
# purpose, so the box is silenced (PYTHONWARNINGS reaches the build backend) instead of looking like an error.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	PYTHONWARNINGS=ignore $(BIN)/pip install -q -e '.[dev]'
	@touch $@

# pip byte-compiles installed libraries but not an editable project; without this,
# every `kam` start recompiles our modules when PYTHONDONTWRITEBYTECODE is set.
compile: venv
	@$(BIN)/python -m compileall -q cli.py workflow forms reports commands migrations

demo: setup
	rm -rf $(DEMO_DIR)
	$(BIN)/kam demo --out $(DEMO_DIR)

test: setup lint
	$(BIN)/pytest -q

# One lint: ruff (style, line length 120), mypy (types) and lint-imports (the floors and the
# other import contracts in pyproject.toml).
lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy
	@out=$$($(BIN)/lint-imports --no-cache 2>&1) && echo "$$out" | grep '^Contracts:' || { echo "$$out"; exit 1; }

bench: setup
	$(BIN)/python -m benchmarks

# The soak, crash and fuzz tests at full size (they run small inside `make test`).
soak: setup
	KAM_SOAK_SCALE=large $(BIN)/pytest -q -s -m slow tests/test_soak.py tests/test_crash.py tests/test_fuzz.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) bench-out *.egg-info .pytest_cache .ruff_cache .hypothesis
