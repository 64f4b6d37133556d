# Shared by the bench/ scripts (sourced, not run): skipping without a corpus, installing a
# Debian package a script needs, and building the release binary into the shared target.

# Exits 0 with a notice when the corpus named by $1 is absent.
need_corpus() {
  if [ ! -e "$1" ]; then
    echo "$(basename "$0"): $1 is absent; nothing to measure (skipped)"
    exit 0
  fi
}

# Installs Debian package $2 when command $1 is missing.
need_command() {
  if ! command -v "$1" >/dev/null; then
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get install -y "$2" >/dev/null
  fi
}

# Builds polsearch with --release and sets $bin to it.
build_release() {
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/polsearch-target}"
  cargo build --release --quiet
  bin="$CARGO_TARGET_DIR/release/polsearch"
}
