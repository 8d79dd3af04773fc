#!/usr/bin/env bash
# Fetches llama.cpp's prebuilt linux-x64 libraries (the npm package @node-llama-cpp/linux-x64@3.22.1, llama.cpp
# v0.5.0) for ./mixtral engine-trace llama.cpp and the engine tests. They are never committed.
# Usage: engines/fetch-llama-cpp.sh [DIR]   (default: $MIXTRAL_LLAMA_CPP's package root, or ~/.cache/mixtral/...)
set -euo pipefail
pkg="@node-llama-cpp/linux-x64@3.22.1"
dest="${1:-$HOME/.cache/mixtral/node-llama-cpp-linux-x64-3.22.1}"
if [ -f "$dest/bins/linux-x64/libllama.v0.5.0.so" ]; then
  echo "llama.cpp libraries already in $dest/bins/linux-x64"
  exit 0
fi
command -v npm >/dev/null || { echo "fetch-llama-cpp: npm is needed (apt-get install npm)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$pkg" >/dev/null)
mkdir -p "$dest"
tar -xzf "$tmp"/*.tgz -C "$dest" --strip-components=1
echo "llama.cpp libraries in $dest/bins/linux-x64"
