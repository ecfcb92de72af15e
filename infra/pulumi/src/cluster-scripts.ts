/**
 * The shell the Cluster's local commands run (`/bin/sh -c`), with their inputs in the environment (and kind's
 * config on stdin). Each is safe to run again: that is what lets an interrupted `pulumi up` continue and
 * `pulumi destroy` finish.
 */

/**
 * kind: create unless it exists (a re-run after an interruption continues), then print the kubeconfig. Progress
 * goes to stderr, the only stream logged; stdout carries the kubeconfig and is a secret output.
 */
export const kindCreate = `set -eu
if ! kind get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER"; then
  echo "creating kind cluster $KIND_CLUSTER from $KIND_NODE_IMAGE (about a minute)" >&2
  kind create cluster --name "$KIND_CLUSTER" --config - --wait 180s >&2
else
  echo "kind cluster $KIND_CLUSTER exists; reusing it" >&2
fi
kind get kubeconfig --name "$KIND_CLUSTER"`;

/** Idempotent: deleting a cluster that is already gone succeeds. */
export const kindDelete = 'kind delete cluster --name "$KIND_CLUSTER" >&2';

/** k3s: install the pinned release when asked and not yet there, wait for the API, print the kubeconfig. */
export const k3sCreate = `set -eu
if [ "$K3S_INSTALL" = "true" ] && ! k3s --version 2>/dev/null | grep -qF "$K3S_VERSION"; then
  echo "installing k3s $K3S_VERSION" >&2
  curl -sfL "$K3S_INSTALL_URL" | INSTALL_K3S_VERSION="$K3S_VERSION" sh -s - server $K3S_FLAGS >&2
fi
if ! k3s --version 2>/dev/null | grep -qF "$K3S_VERSION"; then
  echo "warning: running k3s is not the pinned $K3S_VERSION ($(k3s --version 2>/dev/null | head -n1))" >&2
fi
for attempt in $(seq 1 90); do
  if [ -r "$K3S_KUBECONFIG" ] && k3s kubectl --kubeconfig "$K3S_KUBECONFIG" get --raw=/readyz >/dev/null 2>&1; then break; fi
  [ "$attempt" = 90 ] && { echo "k3s API not ready after 180 s; see: sudo journalctl -u k3s" >&2; exit 1; }
  sleep 2
done
cat "$K3S_KUBECONFIG"`;

/** Only a k3s this program installed is uninstalled; a pre-installed one is the owner's. */
export const k3sDelete = `if [ "$K3S_INSTALL" = "true" ] && [ -x /usr/local/bin/k3s-uninstall.sh ]; then
  /usr/local/bin/k3s-uninstall.sh >&2
fi`;
