#!/usr/bin/env bash
# Installs the system tools the test suites drive for real, where a fresh machine lacks them:
# git (snapshots), zstd (compressed rollouts as the Codex CLI writes them), tmux (terminal tests
# in a real pseudo-terminal), chromium (the viewer's browser tests, driven by playwright-core, which
# downloads no browser of its own). Debian packages only; needs root (CI runs as root) or sudo.
set -euo pipefail

need=()
command -v git >/dev/null 2>&1 || need+=(git)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing ${need[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
