#!/bin/bash
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# pin_safety.sh — no nidcard command spends a PIN try behind the user's
# back (project issue "Hostile input": PIN safety).
#
# Part 1, the source: the only code that may send VERIFY (INS 20,
# ISO/IEC 7816-4 §11.5.6) is `nidcard apdu` passing the user's bytes
# through. Checked by listing (a) every function that sends raw bytes
# (nid_transport_transmit, nid_card_transmit_bytes) and who calls it —
# an allowlist: the library's one encoder (card.c), secure messaging
# (sm.c) and cmd_apdu.c; (b) every place an INS byte is set in src/lib
# and src/cli (`.ins =`, `->ins =`, `hdr[1] =`, `gr[1] =`, `#define
# INS_*`, the INS argument of pace_send): a literal must not be 0x20,
# anything else must be an allowlisted copy of an INS that was already
# checked. A new sender or a new non-literal INS makes this test fail
# until it is reviewed and added to an allowlist below.
#
# Part 2, the card: a copy of tests/data/cards/icao-pace with two PINs
# added (81: 3 of 3 tries left, 82: 1 of 3 left) and tests/data/cards/plain
# (PINs 81 3/3, 82 not activated, 83 blocked) on a private rig. Every
# command that does not verify a PIN runs against them — readers (text,
# --json), atr, dump (PACE, BAC, wrong CAN = exit 5, plain card = exit 6),
# verify on the dump, mrz, apdu with SELECT / READ BINARY / GET CHALLENGE,
# every --help — and after each one both cards' state files
# (nidcard.sim-state/1, docs/card-image.md "The state file") must show the
# same PIN counters, states and verified flags as at the start and no
# APDU with INS 20. Last, a wrong VERIFY typed by the user through
# `nidcard apdu` must drop PIN 81's counter by exactly one: the counters
# are really observed.
. "$(dirname "$0")/lib.sh"
require pcscd vpcd jq rig nidcard sim

# ---- Part 1: the source ----------------------------------------------
SRC="$SYS_SRC/src"

# (a) Raw byte senders and their callers.
senders=$(grep -lE '\b(nid_transport_transmit|nid_card_transmit_bytes)\(' \
    "$SRC"/lib/*.c "$SRC"/cli/*.c | xargs -n1 basename | sort | tr '\n' ' ')
check "raw byte senders only in card.c cmd_apdu.c sm.c transport.c (got: $senders)" \
    test "$senders" = "card.c cmd_apdu.c sm.c transport.c "
check "in the CLI only cmd_apdu.c sends raw bytes" \
    test -z "$(grep -lE '\b(nid_transport_transmit|nid_card_transmit_bytes)\(' \
    "$SRC"/cli/*.c | grep -v '/cmd_apdu\.c$')"

# (b) Every INS the code sets. Lines "file: right-hand side".
ins_sites() {
	local f
	for f in "$SRC"/lib/*.c "$SRC"/lib/*.h "$SRC"/cli/*.c "$SRC"/cli/*.h; do
		sed -nE \
		    -e 's/.*(\.|->)ins[[:space:]]*=[[:space:]]*([^=;][^;]*);.*/\2/p' \
		    -e 's/.*\b(hdr|gr)\[1\][[:space:]]*=[[:space:]]*([^;]*);.*/\2/p' \
		    -e 's/^#define[[:space:]]+INS_[A-Za-z0-9_]+[[:space:]]+([^[:space:]]+).*/\1/p' \
		    -e 's/.*\bpace_send\(card,[^,]*,[[:space:]]*([^,]+),.*/\1/p' \
		    -e 's/.*\bca_send\(sc,[[:space:]]*([^,]+),.*/\1/p' \
		    "$f" | sed "s|^|$(basename "$f"): |"
	done
}
# Copies of an INS already set elsewhere (and checked there):
#   apdu.c "p[1]": nid_apdu_decode, parsing the bytes cmd_apdu got from
#     the user; card.c "INS_GET_RESPONSE" (its #define is checked);
#   pace.c "ins": pace_send's parameter (its callers are checked);
#   ca.c "ins": ca_send's parameter (its callers are checked);
#   sm.c "o.ins", "a->ins": wrapping/unwrapping a command built elsewhere.
ALLOW='^(apdu\.c: p\[1\]|card\.c: INS_GET_RESPONSE|pace\.c: ins|ca\.c: ins|sm\.c: o\.ins|sm\.c: a->ins)$'
ins_sites >"$T/ins"
n_ins=$(wc -l <"$T/ins")
check "found the INS assignments ($n_ins; at least SELECT, READ BINARY, GET CHALLENGE, PACE)" \
    test "$n_ins" -ge 8
bad=$(grep -vE "$ALLOW" "$T/ins" | grep -viE ': 0x[0-9a-f]{2}u?$')
check "every other INS is a hex literal${bad:+ (not: $bad)}" test -z "$bad"
verify_ins=$(grep -iE ': (0x20u?|32)$' "$T/ins")
check "no INS 0x20 (VERIFY) in src/lib or src/cli${verify_ins:+ (found: $verify_ins)}" \
    test -z "$verify_ins"
say "INS set by the code: $(grep -vE "$ALLOW" "$T/ins" | sed 's/.*: //' | sort -u | tr '\n' ' ')"

# ---- Part 2: the card ------------------------------------------------
PACE_SRC="$SYS_SRC/tests/data/cards/icao-pace"
PLAIN="$SYS_SRC/tests/data/cards/plain"
CAN=123456

# The PACE card with two PINs (docs/card-image.md "pins").
cp -R "$PACE_SRC" "$T/pinpace" || die "copy $PACE_SRC"
jq '.pins = [
	{ "ref": "81", "name": "PIN", "value": "123456",
	  "tries": 3, "max_tries": 3, "state": "activated" },
	{ "ref": "82", "name": "last-try PIN", "value": "654321",
	  "tries": 1, "max_tries": 3, "state": "activated" } ]' \
    "$PACE_SRC/card.json" >"$T/pinpace/card.json" || die "jq card.json"
"$NIDSIM" check "$T/pinpace" >"$T/check.log" 2>&1
check "nidcard-sim check accepts the image with PINs" test $? -eq 0

rig_start R 3
card_start p "$T/pinpace" "$R_PORT_0" "$R_READER_0"
card_start c "$PLAIN" "$R_PORT_1" "$R_READER_1"

# pins CARD: its PINs (ref, tries, state, verified) and its VERIFY count.
pins() {
	jq -c '{ pins: [.pins[] | { ref, tries, state, verified }],
	    verify: (.ins["20"] // 0) }' "$T/$1.state"
}
P0=$(pins p)
C0=$(pins c)
check "PACE card starts with 81: 3 tries, 82: 1 try ($P0)" \
    test "$P0" = '{"pins":[{"ref":"81","tries":3,"state":"activated","verified":false},{"ref":"82","tries":1,"state":"activated","verified":false}],"verify":0}'
check "plain card starts with 81: 3, 82: not activated, 83: blocked ($C0)" \
    test "$(jq -c '[.pins[] | [.ref, .tries, .state]]' "$T/c.state")" = \
    '[["81",3,"activated"],["82",3,"not-activated"],["83",0,"blocked"]]'

# same_pins WHAT: after a command, nothing moved on either card.
same_pins() {
	local p c
	p=$(pins p)
	c=$(pins c)
	check "$1: PINs unchanged, no VERIFY (PACE card)" test "$p" = "$P0"
	check "$1: PINs unchanged, no VERIFY (plain card)" test "$c" = "$C0"
}

# Every --help (the commands from `nidcard --help`, so a new one is
# covered as soon as it is listed).
nid --help
expect_rc 0 "nidcard --help"
cmds=$(sed -n '/^Commands:/,/^$/p' "$T/out" | awk 'NF > 1 { print $1 }')
check "commands listed: $(echo $cmds)" test -n "$cmds"
for c in $cmds; do
	nid "$c" --help
	expect_rc 0 "nidcard $c --help"
done
nid --version
expect_rc 0 "nidcard --version"
same_pins "--help of every command"

nid readers
expect_rc 0 "readers"
check "readers lists the PACE card's reader" grep -qF "$R_READER_0" "$T/out"
same_pins "readers"
nid readers --json
expect_rc 0 "readers --json"
check "readers --json: a nidcard.readers/1 document" \
    test "$(jq -r .schema "$T/out")" = nidcard.readers/1
same_pins "readers --json"

for img in "$T/pinpace" "$PLAIN"; do
	atr=$(jq -r .atr "$img/card.json")
	nid atr "$atr"
	expect_rc 0 "atr $atr"
	nid atr --json "$atr"
	expect_rc 0 "atr --json"
done
same_pins "atr"

# dump: PACE with the CAN, BAC with the MRZ data, a wrong CAN, the plain
# card (no eMRTD application).
nid dump --reader "$R_READER_0" --can "$CAN" --out "$T/dump"
expect_rc 0 "dump --can"
check "dump wrote DG1" test -s "$T/dump/DG1"
same_pins "dump with the CAN"
nid dump --reader "$R_READER_0" --can "$CAN" --out "$T/dump2" --json
expect_rc 0 "dump --can --json"
same_pins "dump --json"
nid dump --reader "$R_READER_0" --doc T22000129 --birth 640812 --expiry 311031 \
    --out "$T/dumpbac"
expect_rc 0 "dump --doc --birth --expiry"
same_pins "dump with the MRZ data"
jq -r '.icao.mrz[]' "$T/pinpace/card.json" >"$T/mrz"
nid dump --reader "$R_READER_0" --mrz-file "$T/mrz" --out "$T/dumpmrz"
expect_rc 0 "dump --mrz-file"
same_pins "dump with --mrz-file"
nid dump --reader "$R_READER_0" --can 654321 --out "$T/wrong"
expect_rc 5 "dump with a wrong CAN"
same_pins "dump with a wrong CAN"
nid dump --reader "$R_READER_1" --can "$CAN" --out "$T/plaindump"
expect_rc 6 "dump of the plain card (no eMRTD application)"
same_pins "dump of the plain card"

# verify on the dump (offline): the image has no EF.SOD, so exit 2.
nid verify "$T/dump" --at 2026-11-25
expect_rc 2 "verify on the dump"
check "verify: no EF.SOD in the dump" grep -q "no EF.SOD" "$T/err"
nid verify "$T/dump" --at 2026-11-25 --json
expect_rc 2 "verify --json on the dump"
same_pins "verify"

mapfile -t MRZ < <(jq -r '.icao.mrz[]' "$T/pinpace/card.json")
nid mrz "${MRZ[@]}"
expect_rc 0 "mrz of the card's MRZ"
nid mrz --json "${MRZ[@]}"
expect_rc 0 "mrz --json"
same_pins "mrz"

# apdu without VERIFY: SELECT (§11.2.2), READ BINARY (§11.3.3),
# GET CHALLENGE (§11.5.3) on both cards.
nid apdu --reader "$R_READER_0" 00A4000C023F00 00B09C0000 0084000008 \
    00A4040C07A0000002471001
expect_rc 0 "apdu SELECT MF, READ BINARY EF.CardAccess, GET CHALLENGE, SELECT eMRTD"
check "READ BINARY by SFI 28 answered EF.CardAccess" \
    grep -qx "< $(file_hex "$T/pinpace/ef/011C.bin")" "$T/out"
same_pins "apdu SELECT / READ BINARY / GET CHALLENGE (PACE card)"
nid apdu --reader "$R_READER_1" --json 00A4040C09F04E49444341524401 \
    00A4020C020104 00B0000000 0084000008
expect_rc 0 "apdu --json on the plain card, READ of the PIN-protected EF"
check "READ BINARY of the PIN-protected EF: 6982, no PIN asked" \
    test "$(jq -r '.exchanges[2].sw' "$T/out")" = 6982
same_pins "apdu on the plain card"

# The counters are observed: a wrong VERIFY the user typed (PIN 81,
# "111111") costs exactly one try, and is counted as INS 20.
nid apdu --reader "$R_READER_0" --json 0020008106313131313131
expect_rc 0 "apdu: a wrong VERIFY typed by the user"
check "the card answers 63C2" test "$(jq -r '.exchanges[0].sw' "$T/out")" = 63C2
check "PACE card: PIN 81 from 3 to 2 tries, PIN 82 still 1, one VERIFY" \
    test "$(pins p)" = '{"pins":[{"ref":"81","tries":2,"state":"activated","verified":false},{"ref":"82","tries":1,"state":"activated","verified":false}],"verify":1}'
check "plain card untouched" test "$(pins c)" = "$C0"
say "counters: PACE card $P0 -> $(pins p); plain card $C0 -> $(pins c)"
