#!/usr/bin/env bash
# Puts the webhook's certificates into a cluster: makes them (generate.sh),
# writes the Secret the Deployment mounts, and puts the CA bundle into the
# MutatingWebhookConfiguration. Re-running rotates the serving certificate;
# the running webhook picks the new Secret up without a restart. With
# --client-cert, also the client CA (ConfigMap pod-hardener-client-ca, key
# ca.crt, for manifests/client-auth) and the API server's client pair in DIR
# (docs/operations.md says where that goes).
#
#   certs/install.sh [--namespace NS] [--service NAME] [--secret NAME] [--webhook NAME] [--dir DIR] [--san ...] [--rotate-ca] [--client-cert]
#
# Uses the kubectl on PATH (or $KUBECTL) and its current context.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
kubectl="${KUBECTL:-kubectl}"
namespace=pod-hardener
service=pod-hardener
secret=pod-hardener-tls
webhook=pod-hardener
dir="$here/out"
generate_args=()
client_cert=false

while [ $# -gt 0 ]; do
  case "$1" in
    --namespace) namespace="$2"; shift 2 ;;
    --service) service="$2"; shift 2 ;;
    --secret) secret="$2"; shift 2 ;;
    --webhook) webhook="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --san) generate_args+=(--san "$2"); shift 2 ;;
    --rotate-ca) generate_args+=(--rotate-ca); shift ;;
    --client-cert) generate_args+=(--client-cert); client_cert=true; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

"$here/generate.sh" --dir "$dir" --namespace "$namespace" --service "$service" "${generate_args[@]}"

$kubectl -n "$namespace" create secret tls "$secret" --cert="$dir/tls.crt" --key="$dir/tls.key" --dry-run=client -o yaml \
  | $kubectl apply -f - >/dev/null
echo "install.sh: secret $namespace/$secret updated" >&2

if [ "$client_cert" = true ]; then
  $kubectl -n "$namespace" create configmap pod-hardener-client-ca --from-file=ca.crt="$dir/client-ca.crt" --dry-run=client -o yaml \
    | $kubectl apply -f - >/dev/null
  echo "install.sh: configmap $namespace/pod-hardener-client-ca updated; the API server's client pair is $dir/apiserver-client.crt and .key" >&2
fi

bundle=$(base64 < "$dir/ca-bundle.crt" | tr -d '\n')
count=$($kubectl get mutatingwebhookconfiguration "$webhook" -o jsonpath='{range .webhooks[*]}x{end}' | wc -c)
if [ "$count" -eq 0 ]; then
  echo "install.sh: mutatingwebhookconfiguration $webhook has no webhooks (apply manifests/ first)" >&2
  exit 1
fi
patch="["
for i in $(seq 0 $((count - 1))); do
  [ "$i" -gt 0 ] && patch="$patch,"
  patch="$patch{\"op\":\"add\",\"path\":\"/webhooks/$i/clientConfig/caBundle\",\"value\":\"$bundle\"}"
done
patch="$patch]"
$kubectl patch mutatingwebhookconfiguration "$webhook" --type=json -p "$patch" >/dev/null
echo "install.sh: CA bundle of mutatingwebhookconfiguration $webhook updated ($count webhook(s))" >&2
