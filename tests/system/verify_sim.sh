#!/bin/bash
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# verify_sim.sh — passive authentication end to end (ICAO 9303-11 §5.1):
# `nidcard-sim pki init` makes a test PKI, `nidcard-sim issue --pki` signs
# a genuine card and one card per fault, each runs in the same virtual
# reader of one private rig, `nidcard dump` reads it over PACE with the
# CAN, and `nidcard verify DIR --csca PKI/csca.pem` must fail exactly the
# level the fault aims at (JSON), no other:
#   genuine            all pass, ds.revocation unknown (pass with --crl)
#   dg-changed         data.hashes        sod-bad-signature  sod.signature
#   --ds foreign-ds    ds.chain           --ds expired-ds    ds.validity
#   --ds revoked-ds    ds.revocation (with --crl PKI/crl.pem)
. "$(dirname "$0")/lib.sh"
require pcscd vpcd jq rig nidcard sim

PERSON="$SYS_SRC/tests/data/persons/utopia-id.json"
CAN=123456
PKI="$T/pki"

"$NIDSIM" pki init "$PKI" --ds-key ecdsa-p256 --hash sha256 >"$T/pki.log" 2>&1 ||
    die "pki init: $(cat "$T/pki.log")"
check "pki init wrote csca.pem, ds.pem, crl.pem" \
    test -s "$PKI/csca.pem" -a -s "$PKI/ds.pem" -a -s "$PKI/crl.pem"

# issue NAME ARGS...: a card image $T/img-NAME signed with the test PKI.
issue() {
	local name=$1
	shift
	"$NIDSIM" issue --person "$PERSON" --out "$T/img-$name" --can "$CAN" \
	    --pki "$PKI" "$@" >"$T/issue-$name.log" 2>&1 ||
	    die "issue $name: $(cat "$T/issue-$name.log")"
}
issue genuine
issue dg --fault dg-changed
issue sig --fault sod-bad-signature
issue foreign --ds foreign-ds
issue expired --ds expired-ds
issue revoked --ds revoked-ds
issue v1 --lds v1

rig_start R 1
# dump NAME: insert the card, dump it to $T/dump-NAME, remove it.
dump() {
	NO_STATE=1 card_start "$1" "$T/img-$1" "$R_PORT_0" "$R_READER_0"
	nid dump --reader "$R_READER_0" --can "$CAN" --out "$T/dump-$1"
	expect_rc 0 "dump of the $1 card"
	card_stop "$1" "$R_READER_0"
}
for c in genuine dg sig foreign expired revoked v1; do
	dump "$c"
done

# levels: "id=result,..." of the last --json verify in $T/out.
levels() {
	jq -r '[.checks[] | "\(.id)=\(.result)"] | join(",")' "$T/out"
}
# verify_expect NAME RC LEVELS [ARGS...]: verify the dump, exit RC, and
# exactly these level results.
verify_expect() {
	local name=$1 rc=$2 want=$3 got
	shift 3
	nid verify "$T/dump-$name" --csca "$PKI/csca.pem" --json "$@"
	expect_rc "$rc" "verify $name $*"
	got=$(levels)
	check "$name: $want (got $got)" test "$got" = "$want"
	check "$name: schema nidcard.verify/1" \
	    test "$(jq -r .schema "$T/out")" = nidcard.verify/1
}

P=data.hashes=pass
S=sod.signature=pass
verify_expect genuine 0 \
    "$P,$S,ds.chain=pass,ds.validity=pass,ds.revocation=unknown"
check "genuine: verdict pass" test "$(jq -r .verdict "$T/out")" = pass
verify_expect genuine 0 \
    "$P,$S,ds.chain=pass,ds.validity=pass,ds.revocation=pass" \
    --crl "$PKI/crl.pem"
verify_expect v1 0 \
    "$P,$S,ds.chain=pass,ds.validity=pass,ds.revocation=pass" \
    --crl "$PKI/crl.pem"
verify_expect dg 1 \
    "data.hashes=fail,$S,ds.chain=pass,ds.validity=pass,ds.revocation=pass" \
    --crl "$PKI/crl.pem"
verify_expect sig 1 \
    "$P,sod.signature=fail,ds.chain=pass,ds.validity=pass,ds.revocation=pass" \
    --crl "$PKI/crl.pem"
verify_expect foreign 1 \
    "$P,$S,ds.chain=fail,ds.validity=unknown,ds.revocation=unknown" \
    --crl "$PKI/crl.pem"
verify_expect expired 1 \
    "$P,$S,ds.chain=pass,ds.validity=fail,ds.revocation=pass" \
    --crl "$PKI/crl.pem"
verify_expect revoked 1 \
    "$P,$S,ds.chain=pass,ds.validity=pass,ds.revocation=fail" \
    --crl "$PKI/crl.pem"
