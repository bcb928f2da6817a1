# One place for versions and commands. `make demo` and `make test` set up everything they need.

# PySpark: the newest release and the oldest supported one; both run the Python tests.
PYSPARK_LATEST := 4.3.0
PYSPARK_OLDEST := 4.0.5
# What reading and writing through Spark needs besides PySpark (the demo needs no more).
PYTHON_DEPS := "pyarrow>=14" "pandas<3"
# What the tests add: moto, the S3-compatible server the object-storage tests start (its
# standalone server); DuckDB and Polars, what the tests of reading without Spark hand the reader
# to; pyyaml, to read the starter's CI workflow.
TEST_DEPS := "pytest>=8" "pyyaml>=6" "moto[server]>=5,<6" "duckdb>=1.1,<3" "polars>=1,<3"
MATURIN := "maturin>=1.5,<2"
# Portable wheels: zig links them against glibc 2.17's symbols (not this machine's), auditwheel
# checks each is what its tag says.
WHEEL_TOOLS := "ziglang>=0.13,<1" "auditwheel>=6,<7"
# The linter of the SDK's Python files.
RUFF := "ruff>=0.6,<1"

PYTHON ?= python3
VENV := .venv
VENV_OLDEST := .venv-spark40
# A Spark node's Python that never installed the wheels (pyarrow only): the deployment tests ship
# the wheels to it.
VENV_WORKER := .venv-worker
EXAMPLE := examples/fakepeople
FIXTURES := tests/fixtures
FILESINK := examples/filesink
TAIL := examples/tail
ARROWFILES := examples/arrowfiles
SQLDB := examples/sqldb
REST := examples/rest
# The sources the benchmark measures (fakerange, fakewide, fakesink), which the tests use too.
BENCH_SOURCES := bench/sources
WHEEL_DIR := target/wheels

# The data source runs in Spark's Python workers: they must use the venv that has the wheel.
spark_env = PYSPARK_PYTHON=$(abspath $(1))/bin/python PYSPARK_DRIVER_PYTHON=$(abspath $(1))/bin/python

# The toolchain pinned in rust-toolchain.toml (the trybuild snapshots depend on its wording).
RUST_TOOLCHAIN := $(shell sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)

.PHONY: demo test setup toolchain java postgres jdbc-driver lint rust-test wheel bench-wheel sink-wheel tail-wheel arrowfiles-wheel sqldb-wheel rest-wheel fixtures-wheel starter-check new-source build-times release-wheels publish-check msrv python-test test-deploy bench clean

# The demo needs only the newest PySpark's venv.
demo: toolchain java $(VENV)/.installed wheel sink-wheel
	$(call spark_env,$(VENV)) $(VENV)/bin/python $(EXAMPLE)/demo.py

test: setup lint msrv rust-test wheel python-test test-deploy

# The oldest Rust the SDK's crates build with (`rust-version` in Cargo.toml), checked by `make msrv`.
MSRV := $(shell sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)
# The crates published to crates.io, together and with one version.
SDK_CRATES := -p datasource-core -p datasource-macros -p datasource-py

# The wheels are built optimised (`--release`, as users build them) except under `make test`,
# which builds them in Cargo's dev profile from what `cargo test` compiled just before: the
# same code, checked the same way, without a second, optimised build of every dependency (most
# of CI's time otherwise). Speed is measured by `make bench`, on release wheels.
WHEEL_PROFILE := --release
test: WHEEL_PROFILE := --profile dev

setup: toolchain java $(VENV)/.tests-installed $(VENV_OLDEST)/.installed

# rustup knows a toolchain by its name: where the installed stable is the pinned version, it is
# made available under that name (no download); otherwise rustup installs the pinned one.
toolchain:
	@cd / && rustup run $(RUST_TOOLCHAIN) rustc --version >/dev/null 2>&1 || { \
		home=$${RUSTUP_HOME:-$$HOME/.rustup}; \
		host=$$(rustc +stable -vV | sed -n 's/^host: //p'); \
		if rustc +stable --version | grep -q "^rustc $(RUST_TOOLCHAIN) "; then \
			echo "using the installed stable as Rust $(RUST_TOOLCHAIN)"; \
			ln -sfn "$$(rustc +stable --print sysroot)" "$$home/toolchains/$(RUST_TOOLCHAIN)-$$host"; \
		else \
			rustup toolchain install $(RUST_TOOLCHAIN) --profile minimal -c rustfmt -c clippy; \
		fi; }

# Spark 4 needs Java 17+; install it where it is missing (Debian/Ubuntu).
java:
	@java -version >/dev/null 2>&1 || { \
		echo "installing Java 17 (openjdk-17-jre-headless)"; \
		SUDO=$$(command -v sudo || true); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq openjdk-17-jre-headless; }

# The connector tests' database server (they start their own, on 127.0.0.1): Debian's
# PostgreSQL where it is missing.
postgres:
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || { \
		echo "installing PostgreSQL (postgresql)"; \
		SUDO=$$(command -v sudo || true); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends postgresql; }

# The newest PySpark's venv in two steps: what the demo needs, then what the tests add.
$(VENV)/.installed: Makefile
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q "pyspark==$(PYSPARK_LATEST)" $(PYTHON_DEPS) $(MATURIN) $(WHEEL_TOOLS)
	touch $@

$(VENV)/.tests-installed: $(VENV)/.installed
	$(VENV)/bin/pip install -q "pyspark[connect]==$(PYSPARK_LATEST)" $(TEST_DEPS) $(RUFF)
	touch $@

$(VENV_OLDEST)/.installed: Makefile
	$(PYTHON) -m venv $(VENV_OLDEST)
	$(VENV_OLDEST)/bin/pip install -q --upgrade pip
	$(VENV_OLDEST)/bin/pip install -q "pyspark[connect]==$(PYSPARK_OLDEST)" $(PYTHON_DEPS) $(TEST_DEPS)
	touch $@

$(VENV_WORKER)/.installed: Makefile
	$(PYTHON) -m venv $(VENV_WORKER)
	$(VENV_WORKER)/bin/pip install -q "pyarrow>=14"
	touch $@

# The SDK's Python files are linted as the package files they are (ruff.toml).
SDK_PYTHON := datasource-py/python datasource-py/src/package/platform.py

# Docs are built as docs.rs builds them (`--cfg docsrs`, whose `doc_cfg` is a nightly feature):
# RUSTC_BOOTSTRAP names the SDK's crates only, and clippy runs under the same value, so the
# dependencies it checked serve the docs too (crates whose build scripts probe RUSTC_BOOTSTRAP
# would otherwise be checked twice).
lint: export RUSTC_BOOTSTRAP := datasource_core,datasource_macros,datasource_py
lint: $(VENV)/.tests-installed
	$(VENV)/bin/ruff check $(SDK_PYTHON)
	$(VENV)/bin/ruff format --check $(SDK_PYTHON)
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	@# The workspace enables every feature of the SDK's crates (the examples use `async`), as docs.rs does.
	RUSTDOCFLAGS="--cfg docsrs -D warnings" cargo doc --workspace --no-deps --quiet
	@# What crates.io would get: metadata, licence, readme, the files each crate needs.
	cargo publish --dry-run --no-verify --allow-dirty --quiet $(SDK_CRATES)

# The SDK's crates on their oldest supported Rust (rustup installs it where missing).
msrv:
	@cd / && rustup run $(MSRV) rustc --version >/dev/null 2>&1 || rustup toolchain install $(MSRV) --profile minimal
	CARGO_TARGET_DIR=target/msrv cargo +$(MSRV) check $(SDK_CRATES) --all-features --quiet

# `cargo publish --dry-run` in full: each crate packaged, then built from its package alone.
publish-check:
	cargo publish --dry-run --allow-dirty $(SDK_CRATES)

# Unit tests, doctests and the trybuild UI tests.
rust-test:
	cargo test --workspace

# Every wheel is portable: manylinux2014 (glibc 2.17 or newer: Amazon Linux 2, Ubuntu 18.04+,
# RHEL/CentOS 7+, Debian 9+), linked by zig from the venv (maturin finds it on PATH) against
# glibc 2.17's symbols rather than this machine's newer ones. The same flags as `release-wheels`,
# so the tests run on wheels built the way releases are.
PORTABLE := --zig --compatibility manylinux2014
maturin = PATH=$(abspath $(VENV))/bin:$$PATH maturin
# Fails naming each wheel whose tag auditwheel disagrees with or that needs a glibc past 2.17.
check_wheels = PATH=$(abspath $(VENV))/bin:$$PATH python examples/starter/tools/check_wheels.py --oldest-glibc 2.17

# One abi3 wheel (CPython 3.9+) serves both environments: `$(call install_wheel,<crate dir>,<wheel name>)`.
define install_wheel
	rm -f $(WHEEL_DIR)/$(2)-*.whl
	cd $(1) && $(maturin) build $(WHEEL_PROFILE) $(PORTABLE) --quiet -o $(abspath $(WHEEL_DIR))
	$(check_wheels) $(WHEEL_DIR)/$(2)-*.whl
	$(VENV)/bin/pip install -q --force-reinstall --no-deps $(WHEEL_DIR)/$(2)-*.whl
	test ! -f $(VENV_OLDEST)/.installed || $(VENV_OLDEST)/bin/pip install -q --force-reinstall --no-deps $(WHEEL_DIR)/$(2)-*.whl
endef

wheel: $(VENV)/.installed
	$(call install_wheel,$(EXAMPLE),pyspark_fakepeople)

# Wheels to ship, of every example: optimised, portable (see PORTABLE), checked by auditwheel,
# into target/release-wheels. For aarch64 (Graviton, Ampere):
# `rustup target add aarch64-unknown-linux-gnu`, then `make release-wheels TARGET=aarch64-unknown-linux-gnu`.
RELEASE_CRATES := $(EXAMPLE) $(FILESINK) $(TAIL) $(ARROWFILES) $(SQLDB) $(REST) $(BENCH_SOURCES)
TARGET ?=
release-wheels: $(VENV)/.installed
	rm -rf target/release-wheels
	for crate in $(RELEASE_CRATES); do \
		(cd $$crate && $(maturin) build --release $(PORTABLE) $(if $(TARGET),--target $(TARGET)) --quiet -o $(abspath target/release-wheels)) || exit 1; \
	done
	$(check_wheels) target/release-wheels/*.whl

# The benchmark's sources.
bench-wheel: $(VENV)/.installed
	$(call install_wheel,$(BENCH_SOURCES),pyspark_fakerange)

# The file sink example.
sink-wheel: $(VENV)/.installed
	$(call install_wheel,$(FILESINK),pyspark_filesink)

# The directory-tail stream example.
tail-wheel: $(VENV)/.installed
	$(call install_wheel,$(TAIL),pyspark_tail)

# The Arrow IPC / Parquet file source example.
arrowfiles-wheel: $(VENV)/.installed
	$(call install_wheel,$(ARROWFILES),pyspark_arrowfiles)

# The SQL source and sink example (PostgreSQL, SQLite).
sqldb-wheel: $(VENV)/.installed
	$(call install_wheel,$(SQLDB),pyspark_sqldb)

# The REST API source example.
rest-wheel: $(VENV)/.installed
	$(call install_wheel,$(REST),pyspark_rest)

# Sources that make the SDK's own behaviour observable (tests only).
fixtures-wheel: $(VENV)/.installed
	$(call install_wheel,$(FIXTURES),pyspark_sdk_fixtures)

# A new source crate anywhere, from examples/starter: `make new-source NAME=my_source DIR=../my_source`.
# It runs the crate's Spark-free test, builds its wheel the crate's way (`make build`: the dev
# profile `cargo test` just compiled), installs it into both venvs and says how to read it.
new-source: setup
	@test -n "$(NAME)" -a -n "$(DIR)" || { echo "usage: make new-source NAME=my_source DIR=path/to/new/crate"; exit 2; }
	$(PYTHON) examples/starter/new_source.py "$(NAME)" "$(DIR)" "$(CURDIR)"
	@# The first run writes the wheel's Python files (python/, pyproject.toml) from `export!`.
	cd "$(DIR)" && DATASOURCE_PY=overwrite cargo test --quiet
	$(MAKE) --no-print-directory -C "$(DIR)" build VENV=$(abspath $(VENV))
	$(VENV_OLDEST)/bin/pip install -q --force-reinstall --no-deps "$(DIR)"/target/wheels/*.whl
	@name=$$(echo "$(NAME)" | sed 's/^pyspark_//'); echo; \
	echo "Read it from PySpark (PYSPARK_PYTHON=$(abspath $(VENV))/bin/python):"; \
	echo "  pip install $$(ls "$(DIR)"/target/wheels/*.whl)"; \
	echo "  spark.read.format(\"$$name\").load().show()"; \
	echo "After an edit: make -C $(DIR) build (see $(DIR)/README.md)"

# The starter, made the way a user makes it (inside target/, so it must stand alone there too),
# sharing this build's compiled crates.
starter-check:
	rm -rf target/starter-check
	CARGO_TARGET_DIR=$(abspath target) $(MAKE) --no-print-directory new-source NAME=starter_check DIR=target/starter-check

# Both PySpark releases' suites side by side (tests/run_suites.py: neither alone keeps two cores
# busy), each printed whole when it ends. pytest exits non-zero when it collects no tests, so an
# empty run fails too.
python-test: postgres wheel bench-wheel sink-wheel tail-wheel arrowfiles-wheel sqldb-wheel rest-wheel fixtures-wheel starter-check
	$(VENV)/bin/python tests/run_suites.py tests/python "$(PYSPARK_LATEST)=$(VENV)/bin/python" "$(PYSPARK_OLDEST)=$(VENV_OLDEST)/bin/python"

# Real deployments on 127.0.0.1, started and stopped by the tests (tests/deploy): a standalone
# cluster, Spark Connect servers, and Spark processes whose Python lacks the wheels. On the
# oldest PySpark, the client-facing modules (Connect, packaging); the standalone cluster behaved
# the same on both in every run, and CI's time is short.
test-deploy: wheel bench-wheel sink-wheel tail-wheel arrowfiles-wheel sqldb-wheel rest-wheel fixtures-wheel $(VENV_WORKER)/.installed
	WORKER_PYTHON=$(abspath $(VENV_WORKER))/bin/python $(VENV)/bin/python tests/run_suites.py tests/deploy \
		"$(PYSPARK_LATEST)=$(VENV)/bin/python" "$(PYSPARK_OLDEST)=$(VENV_OLDEST)/bin/python:test_connect.py test_packaging.py"

# Spark's JDBC reader for the database half of the benchmark: Debian's PostgreSQL driver jar.
jdbc-driver:
	@test -f /usr/share/java/postgresql.jar || { \
		echo "installing the PostgreSQL JDBC driver (libpostgresql-jdbc-java)"; \
		SUDO=$$(command -v sudo || true); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends libpostgresql-jdbc-java; }

# Rust vs pure-Python sources vs the pipe limit, in one Spark session (BENCH_QUICK=1: < 2 min).
bench: setup postgres jdbc-driver wheel bench-wheel sink-wheel tail-wheel arrowfiles-wheel sqldb-wheel
	$(call spark_env,$(VENV)) $(VENV)/bin/python bench/bench.py

# The times the README states, measured and written into it (`loop`; `demo` and `test` each
# run in a fresh clone: BUILD_TIMES="loop demo test").
BUILD_TIMES ?= loop
build-times: setup
	$(PYTHON) bench/build_times.py $(BUILD_TIMES)

clean:
	rm -rf $(VENV) $(VENV_OLDEST) $(VENV_WORKER) $(WHEEL_DIR)
