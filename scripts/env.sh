# Shared settings of the scripts (sourced, not run).
# The build cache lives outside the clone, so fresh clones and CI reuse it.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/consent-chain/target}"
export PATH="$HOME/.cargo/bin:$PATH"
# One profile and one feature set for the node, the tests and the benchmarks: nothing compiles twice.
CARGO_FLAGS=(--release --locked --workspace --features runtime-benchmarks)
NODE_BIN="$CARGO_TARGET_DIR/release/consent-node"

say() { printf '\033[1m==> %s %s\033[0m\n' "$(date +%T)" "$*"; }
export WASM_BUILD_WORKSPACE_HINT="$ROOT"
# frame-benchmarking-cli builds a second runtime wasm of its own (with cumulus and XCM) for
# `benchmark storage --is-validate-block-mode`, a parachain measurement this chain never makes.
export SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1
# The node's C and C++ (binaryen inside substrate-wasm-builder, jemalloc, SQLite) compiled by clang,
# which scripts/setup installs: binaryen, the largest unit of a cold build, takes 8 min 49 s with
# clang, 12 min 16 s with g++. (scripts/build-runtime keeps the production runtime's toolchain.)
export CC_x86_64_unknown_linux_gnu="${CC_x86_64_unknown_linux_gnu:-clang}"
export CXX_x86_64_unknown_linux_gnu="${CXX_x86_64_unknown_linux_gnu:-clang++}"
# The node links Debian's OpenSSL (libssl3, kept patched by apt; the images have it) instead of
# building OpenSSL from source for litep2p's WebRTC (openssl-sys `vendored`): 3 min of a cold build.
export OPENSSL_NO_VENDOR="${OPENSSL_NO_VENDOR:-1}"
# The fuzz targets (fuzz/): cargo-fuzz on a pinned nightly, with a build cache of their own.
FUZZ_TOOLCHAIN=nightly-2026-05-20
CARGO_FUZZ_VERSION=0.13.2
FUZZ_TARGET_DIR="$HOME/.cache/consent-chain/fuzz-target"
