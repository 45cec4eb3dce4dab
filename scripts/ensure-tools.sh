#!/usr/bin/env bash
# Installs whatever the build needs, and with `test` also what the test
# suite needs, when it is missing. Idempotent: with everything in place it
# only checks versions, in about a second.
#
#   bash scripts/ensure-tools.sh build|test
set -euo pipefail
cd "$(dirname "$0")/.."

purpose=${1:-build}
TRUNK_VERSION=0.21.14
# The CLI must be exactly the wasm-bindgen version Cargo.lock links.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PWD/node_modules/.bin:$PATH"
say() { printf '==> %s\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

command -v cargo >/dev/null || fail "cargo is missing: install Rust with rustup (1.84 or later)"
command -v rustup >/dev/null || fail "rustup is missing: it is needed to add the wasm32 target"
command -v npm >/dev/null || fail "Node.js 20 or later with npm is needed"
[ -n "$WASM_BINDGEN_VERSION" ] || fail "Cargo.lock names no wasm-bindgen version"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the Rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
    say "installing trunk $TRUNK_VERSION (compiles from source: about 10 minutes, once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ] ||
    ! command -v wasm-bindgen-test-runner >/dev/null; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes, once)"
    # Not --locked: that lock file names a crate version the registry lacks.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# wasm-opt (npm binaryen) for the release build, playwright-core and
# axe-core for the end-to-end suite, PapaParse and DuckDB-Wasm as the
# browser benchmark's references; all pinned by package-lock.json.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm packages (binaryen, playwright-core, axe-core, PapaParse, DuckDB-Wasm)"
    npm ci --no-audit --no-fund --loglevel=error
fi

if [ "$purpose" = test ]; then
    # The native tests build SQLite (rusqlite, bundled) to run exported SQL.
    command -v cc >/dev/null || fail "a C compiler (gcc) is needed to build SQLite for the native tests"
    if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
        say "installing Chromium and ChromeDriver from Debian"
        sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
    fi
fi
