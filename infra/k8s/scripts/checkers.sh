#!/usr/bin/env bash
# The manifest checkers (kube-score, Checkov; kube-linter and Polaris when reachable): see scripts/go-tools.sh.
exec bash "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/go-tools.sh" "$@"
