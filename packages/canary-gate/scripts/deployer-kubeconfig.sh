#!/usr/bin/env bash
# Writes a kubeconfig that holds only a one-hour token of the deployer ServiceAccount (TokenRequest API), for the
# deploy workflow on the self-hosted runner. The runner's own kubeconfig (outside git, see the package README)
# only needs `create` on serviceaccounts/token for homelab-deployer.
#   bash packages/canary-gate/scripts/deployer-kubeconfig.sh OUT_FILE
set -euo pipefail
out=${1:?usage: deployer-kubeconfig.sh OUT_FILE}
namespace=homelab-apps
account=homelab-deployer
token=$(kubectl create token "$account" -n "$namespace" --duration=1h)
server=$(kubectl config view --minify --raw -o jsonpath='{.clusters[0].cluster.server}')
ca=$(kubectl config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')
umask 077
cat >"$out" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: homelab
    cluster: { server: "$server", certificate-authority-data: "$ca" }
users:
  - name: $account
    user: { token: "$token" }
contexts:
  - name: deployer
    context: { cluster: homelab, user: $account, namespace: $namespace }
current-context: deployer
KUBECONFIG
echo "deployer kubeconfig written to $out (expires in 1 h)"
