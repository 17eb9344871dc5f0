#!/usr/bin/env bash
# Makes the cluster's own certificate authority and one member certificate, as PEM files, for Orleans' mutual TLS
# (silo to silo, client to gateway): only a process holding a certificate from this CA can join the cluster or call a
# grain. Every silo and WebFront gets member.crt, member.key and ca.crt (TICKETFLOW_CLUSTER_CERT, TICKETFLOW_CLUSTER_KEY,
# TICKETFLOW_CLUSTER_CA); ca.key stays with whoever issues certificates and never goes to a process.
#
#   deploy/cluster-certs.sh DIR [NAME]     # writes DIR/ca.crt DIR/ca.key DIR/member.crt DIR/member.key (keeps an existing CA)
set -euo pipefail
dir=${1:?usage: cluster-certs.sh DIR [NAME]}
name=${2:-ticketflow-member}
mkdir -p "$dir"
umask 077
if [[ ! -s $dir/ca.key || ! -s $dir/ca.crt ]]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
        -subj "/CN=TicketFlow cluster CA" -keyout "$dir/ca.key" -out "$dir/ca.crt" \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
    -keyout "$dir/member.key" -out "$dir/member.csr" 2>/dev/null
openssl x509 -req -in "$dir/member.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 730 -out "$dir/member.crt" \
    -extfile <(printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n') 2>/dev/null
rm -f "$dir/member.csr" "$dir/ca.srl"
chmod 644 "$dir/ca.crt" "$dir/member.crt"
echo "$dir: ca.crt, member.crt, member.key (and ca.key: keep it away from the processes)"
