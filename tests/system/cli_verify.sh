#!/bin/bash
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# cli_verify.sh — `nidcard verify` on the real-world corpus
# (../shared/corpus/realworld-sod, data from gmrtd/gmrtd@7f23b50a; see its
# README): exit codes 0 / 1 / 3 / 2, the nidcard.verify/1 document, a dump
# folder, --card-security, master lists refused without their CSCA and
# accepted with --masterlist-unverified (and said so). No card, no PC/SC.
# Without ../shared the test is SKIPPED (exit 77) with a visible message.
. "$(dirname "$0")/lib.sh"
require nidcard jq

C="${NID_SHARED:-$SYS_SRC/../shared}/corpus/realworld-sod"
if [ ! -r "$C/expected.tsv" ]; then
	echo "SKIP cli_verify: $C absent"
	exit 77
fi
jqt() { jq -e "$1" "$T/out" >/dev/null; }

TRUST=(--csca "$C/csca/DE_ROOT_CA_CSCA07.cer" --csca "$C/csca/NL_ROOT_CA.cer"
    --masterlist "$C/masterlists/DE_ML_2026-05-28-08-28-45.ml"
    --masterlist "$C/masterlists/NL_ML_2026-07-22.ml"
    --csca "$C/csca/IDN_2010_SERIES_CSCA_CERT"
    --csca "$C/csca/GB_CSCA_2010_passive_auth_test.cer" --at 2026-11-25)

nid verify "$C/sod/AT.sod" "${TRUST[@]}" --dg 14="$C/dg/AT/DG14.bin"
expect_rc 0 "AT with DG14"
check "one line per level" grep -qE '^  ds\.chain +pass +DS signed by CSCA CN=CSCA-AUSTRIA.*sha256:A14E95EBF0B5AA4E' "$T/out"
check "CSCA source shown" grep -q '^  from     master list DE_ML_2026-05-28-08-28-45.ml, signed by' "$T/out"
check "explicit EC parameters shown" grep -q '^  key      EC brainpoolP256r1 (explicit parameters), 256 bits' "$T/out"
check "verdict" grep -qx 'verdict: PASS' "$T/out"

nid verify "$C/sod/AT.sod" "${TRUST[@]}"
expect_rc 3 "AT without data groups (data.hashes unknown)"

nid verify "$C/sod/MY.sod" "${TRUST[@]}" --dg 14="$C/dg/MY/DG14.bin" --json
expect_rc 0 "MY (SignerInfo issuer in another RDN order)"
check "schema" jqt '.schema == "nidcard.verify/1" and .verdict == "pass"'
check "CSCA db191ae6176483f7" jqt '.csca.sha256 | startswith("DB191AE6176483F7")'
check "checks in order" jqt '[.checks[].id] == ["data.hashes","sod.signature","ds.chain","ds.validity","ds.revocation"]'
check "revocation not required" jqt '.checks[4].result == "unknown" and .checks[4].required == false'
check "lds" jqt '.lds.version == 0 and .lds.hash_alg == "SHA256" and ([.lds.dgs[] | select(.status == "match") | .n] == [14])'

nid verify "$C/negative/DE_sod_lastbyte_C7_to_C8.sod" "${TRUST[@]}" --json
expect_rc 1 "DE SOD with a flipped signature byte"
check "fails at sod.signature, chain ok" jqt '.checks[1].result == "fail" and .checks[2].result == "pass" and .verdict == "fail"'

nid verify "$C/sod/DE.sod" "${TRUST[@]}" --dg 14="$C/dg/DE/DG14.bin" \
    --card-security "$C/negative/DE_cardsecurity_lastbyte_99_to_98.bin" --json
expect_rc 1 "DE with a corrupted EF.CardSecurity"
check "cardsecurity.signature fails" jqt '.checks[5].id == "cardsecurity.signature" and .checks[5].result == "fail"'

nid verify "$C/sod/UK_imported.sod" "${TRUST[@]}" --dg 13="$C/negative/UK_imported_injected_DG13.bin" --json
expect_rc 1 "UK_imported with an injected DG13"
check "injection reported" jqt '.checks[0].result == "fail" and (.lds.dgs[] | select(.n == 13) | .status) == "not-listed"'
check "expired DS and CSCA reported" jqt '.checks[3].result == "fail" and (.checks[3].reason | test("DS expired 2022-12-01; CSCA expired 2026-07-24"))'

nid verify "$C/sod/AT.sod" "${TRUST[@]}" --dg 14="$C/negative/AT_DG14_lastbyte_plus1.bin"
expect_rc 1 "AT with a modified DG14"
check "mismatch named" grep -qE '^  data\.hashes +fail +DG14 hash mismatch' "$T/out"

mkdir "$T/dump"
cp "$C/sod/FR.sod" "$T/dump/EF.SOD"
cp "$C/dg/FR/DG12.bin" "$T/dump/DG12"
cp "$C/dg/FR/DG14.bin" "$T/dump/DG14.bin"
nid verify "$T/dump" "${TRUST[@]}" --json
expect_rc 0 "dump folder (EF.SOD, DG12, DG14.bin)"
check "both DGs match" jqt '[.lds.dgs[] | select(.status == "match") | .n] == [12,14]'

nid verify "$C/cardsecurity/FI.bin" "${TRUST[@]}"
expect_rc 3 "EF.CardSecurity alone: signature valid, no data-group hashes"

nid verify "$C/sod/ID.sod" --masterlist "$C/masterlists/NL_ML_2026-07-22.ml"
expect_rc 2 "master list without the CSCA of its signer is refused"
check "says why" grep -q 'not signed by a CSCA given with --csca' "$T/err"

nid verify "$C/sod/UK_imported.sod" --masterlist "$C/masterlists/NL_ML_2026-07-22.ml" \
    --masterlist-unverified --at 2020-01-01 --json
expect_rc 3 "unverified master list accepted, stated"
check "stated in JSON" jqt '.trust.unverified_masterlists == true and .csca.unverified_source == true'
check "warning on stderr" grep -q 'accepted UNVERIFIED' "$T/err"

nid verify "$C/sod/AT.sod" "${TRUST[@]}" --crl-policy hard --dg 14="$C/dg/AT/DG14.bin"
expect_rc 1 "hard CRL policy without a CRL"
nid verify "$C/sod/AT.sod" "${TRUST[@]}" --crl-policy soft --dg 14="$C/dg/AT/DG14.bin"
expect_rc 3 "soft CRL policy without a CRL"

nid verify "$C/sod/AT.sod" --at 2026-13-01
expect_rc 2 "bad --at"
nid verify
expect_rc 2 "no PATH"
nid verify --help
expect_rc 0 "--help"
check "usage on stdout" grep -q '^Usage: .*verify PATH' "$T/out"
