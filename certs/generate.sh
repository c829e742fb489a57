#!/usr/bin/env bash
# Makes a private CA (kept across runs) and a fresh serving certificate for the
# webhook's Service. openssl only.
#
#   certs/generate.sh [--dir DIR] [--namespace NS] [--service NAME] [--san DNS:x|IP:y]... [--days N] [--rotate-ca] [--client-cert]
#
# Writes DIR/ca.crt, DIR/ca.key (created once; replaced with --rotate-ca),
# DIR/tls.crt, DIR/tls.key (new on every run: re-running rotates them) and
# DIR/ca-bundle.crt: the CA to trust, plus the previous CA after --rotate-ca,
# so webhooks still serving the old certificate keep verifying during a roll.
# With --client-cert, also a client CA of its own (DIR/client-ca.crt, .key;
# created once) and a client certificate for the API server signed by it
# (DIR/apiserver-client.crt, .key; new on every run): serve --client-ca-file
# takes client-ca.crt, the API server's AdmissionConfiguration kubeconfig the
# pair (docs/operations.md).
set -euo pipefail

dir="$(dirname "$0")/out"
namespace=pod-hardener
service=pod-hardener
days=365
rotate_ca=false
client_cert=false
extra_sans=()

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --namespace) namespace="$2"; shift 2 ;;
    --service) service="$2"; shift 2 ;;
    --san) extra_sans+=("$2"); shift 2 ;;
    --days) days="$2"; shift 2 ;;
    --rotate-ca) rotate_ca=true; shift ;;
    --client-cert) client_cert=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "generate.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
command -v openssl >/dev/null || { echo "generate.sh: openssl is required" >&2; exit 1; }
for san in "${extra_sans[@]}"; do
  case "$san" in DNS:*|IP:*) ;; *) echo "generate.sh: --san takes DNS:name or IP:address, not $san" >&2; exit 2 ;; esac
done

mkdir -p "$dir"
chmod 700 "$dir"
umask 077

if [ "$rotate_ca" = true ] && [ -f "$dir/ca.crt" ]; then
  cp "$dir/ca.crt" "$dir/ca-previous.crt"
  rm -f "$dir/ca.crt" "$dir/ca.key"
fi
# ensure_ca NAME CN: the CA $dir/NAME.crt + .key, made once (kept across runs).
ensure_ca() {
  if [ ! -f "$dir/$1.crt" ] || [ ! -f "$dir/$1.key" ]; then
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/$1.key" 2>/dev/null
    openssl req -x509 -new -key "$dir/$1.key" -sha256 -days 3650 -subj "/CN=$2" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -out "$dir/$1.crt"
    echo "generate.sh: new CA in $dir/$1.crt" >&2
  fi
}

# sign_leaf NAME CN CA: a new key and certificate $work/NAME.key + .crt, signed by
# $dir/CA.crt, with the extensions of $work/NAME.cnf.
sign_leaf() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/$1.key" 2>/dev/null
  openssl req -new -key "$work/$1.key" -subj "/CN=$2" -out "$work/$1.csr"
  openssl x509 -req -in "$work/$1.csr" -CA "$dir/$3.crt" -CAkey "$dir/$3.key" -CAcreateserial -CAserial "$work/$3.srl" \
    -days "$days" -sha256 -extfile "$work/$1.cnf" -out "$work/$1.crt" 2>/dev/null
}

ensure_ca ca pod-hardener-ca

sans="DNS:$service,DNS:$service.$namespace,DNS:$service.$namespace.svc,DNS:$service.$namespace.svc.cluster.local"
for san in "${extra_sans[@]}"; do sans="$sans,$san"; done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/tls.cnf" <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=$sans
EXT
sign_leaf tls "$service.$namespace.svc" ca
# Replace the pair in one step each, so a reader never sees a key without its certificate for long.
mv "$work/tls.key" "$dir/tls.key"
mv "$work/tls.crt" "$dir/tls.crt"

cat "$dir/ca.crt" > "$dir/ca-bundle.crt"
[ -f "$dir/ca-previous.crt" ] && cat "$dir/ca-previous.crt" >> "$dir/ca-bundle.crt"
echo "generate.sh: serving certificate $dir/tls.crt for $sans" >&2

if [ "$client_cert" = true ]; then
  # A CA of its own: whoever holds a certificate from it may call the webhook, so it signs nothing else.
  ensure_ca client-ca pod-hardener-client-ca
  cat > "$work/client.cnf" <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
EXT
  sign_leaf client kube-apiserver-webhook-client client-ca
  mv "$work/client.key" "$dir/apiserver-client.key"
  mv "$work/client.crt" "$dir/apiserver-client.crt"
  echo "generate.sh: API server client certificate $dir/apiserver-client.crt (CA $dir/client-ca.crt)" >&2
fi
