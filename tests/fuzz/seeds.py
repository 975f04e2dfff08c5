#!/usr/bin/env python3
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# tests/fuzz/seeds.py — write the hand-made seed inputs of the fuzz
# harnesses, one directory per harness, under OUTDIR (default: a fresh
# ./seeds). The committed corpora (tests/fuzz/corpus/<harness>/) are these
# seeds merged with what fuzzing found, minimised by libFuzzer -merge=1
# (docs/fuzzing.md). Every vector names its source; none is copied from
# ../shared/corpus (real-world files stay outside the repository).
import os
import re
import subprocess
import sys
import tempfile

OUT = sys.argv[1] if len(sys.argv) > 1 else "seeds"
TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def unit_literals(name):
    """C string literals of tests/unit/NAME, adjacent ones joined."""
    path = os.path.join(TOP, "tests", "unit", name)
    if not os.path.exists(path):
        return []
    src = open(path, encoding="utf-8").read()
    out = []
    for m in re.finditer(r'(?:"(?:[^"\\\n]|\\.)*"\s*)+', src):
        parts = re.findall(r'"((?:[^"\\\n]|\\.)*)"', m.group(0))
        out.append("".join(parts).encode().decode("unicode_escape"))
    return out


def unit_hex(name, minlen=2):
    """Hex literals of a unit test (at least minlen bytes)."""
    res = []
    for lit in unit_literals(name):
        h = lit.replace(" ", "").replace(":", "")
        if len(h) >= 2 * minlen and len(h) % 2 == 0 and \
                re.fullmatch(r"[0-9A-Fa-f]+", h):
            res.append(bytes.fromhex(h))
    return res


def frame(*pieces):
    """The 2-byte length framing of fuzz_split_next() (tests/fuzz/fuzz.h)."""
    out = b""
    for p in pieces:
        if isinstance(p, str):
            p = bytes.fromhex(p.replace(" ", ""))
        out += len(p).to_bytes(2, "big") + p
    return out


def put(harness, name, data):
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = bytes.fromhex(data.replace(" ", ""))
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def tlv(tag, value):
    """BER-TLV with minimal length (ISO/IEC 7816-4 §5.2)."""
    n = len(value)
    if n < 0x80:
        ln = bytes([n])
    elif n <= 0xFF:
        ln = bytes([0x81, n])
    else:
        ln = bytes([0x82, n >> 8, n & 0xFF])
    t = tag.to_bytes((tag.bit_length() + 7) // 8, "big")
    return t + ln + value


# ICAO 9303-5 Appendix A TD1 specimen and ICAO 9303-4 Appendix A TD3
# specimen ("ANNA MARIA ERIKSSON"), 9303-6 Appendix A TD2 specimen.
MRZ_TD1 = (b"I<UTOD231458907<<<<<<<<<<<<<<<"
           b"7408122F1204159UTO<<<<<<<<<<<6"
           b"ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
MRZ_TD2 = (b"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<"
           b"D231458907UTO7408122F1204159<<<<<<<6")
MRZ_TD3 = (b"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
           b"L898902C36UTO7408122F1204159ZE184226B<<<<<10")
# check_bytes.c (tlv_nested_and_find): TD1 specimen used there.
MRZ_TD1_B = (b"I<UTOD23145890<7349<<<<<<<<<<<"
             b"3407127M9507122UTO<<<<<<<<<<<2"
             b"STEVENSON<<PETER<JOHN<<<<<<<<<")

assert len(MRZ_TD1) == 90 and len(MRZ_TD2) == 72 and len(MRZ_TD3) == 88
assert len(MRZ_TD1_B) == 90

# EF.COM, ICAO 9303-10 §4.6.1: LDS 1.7, Unicode 4.0.0, DG1 DG2 DG14 DG15.
EF_COM = tlv(0x60, tlv(0x5F01, b"0107") + tlv(0x5F36, b"040000") +
             tlv(0x5C, bytes([0x61, 0x75, 0x6E, 0x6F])))
DG1_TD1 = tlv(0x61, tlv(0x5F1F, MRZ_TD1))
DG1_TD3 = tlv(0x61, tlv(0x5F1F, MRZ_TD3))


def seeds_tlv():
    # tests/unit/check_bytes.c tlv_vectors (ISO/IEC 7816-4 §5.2 rules).
    for i, h in enumerate([
            "5F1F03414243", "7F6100", "5F1F8103414243", "60820003010203",
            "6081800102", "5F0100", "8001AA8102BBCC", "5F8F0101AA",
            "04830100000000"]):
        put("tlv", "unit-%02d" % i, h)
    put("tlv", "ef-com", EF_COM)
    put("tlv", "dg1-td1", DG1_TD1)
    put("tlv", "dg1-td1-check-bytes", tlv(0x61, tlv(0x5F1F, MRZ_TD1_B)))
    # Nested: DG2-like biometric template, ICAO 9303-10 §4.7.2
    # (7F61 { 02 count, 7F60 { A1 header, 5F2E data } }).
    bit = tlv(0x7F60, tlv(0xA1, tlv(0x80, b"\x01\x01") + tlv(0x87, b"\x01\x01")) +
              tlv(0x5F2E, b"FAC\x00" + bytes(12)))
    put("tlv", "dg2-nested", tlv(0x75, tlv(0x7F61, tlv(0x02, b"\x01") + bit)))
    # SM response objects, ICAO 9303-11 §9.8: 87 01‖cipher, 99, 8E.
    put("tlv", "sm-response", tlv(0x87, b"\x01" + bytes(8)) +
        tlv(0x99, b"\x90\x00") + tlv(0x8E, bytes(8)))
    # Long-form lengths at each width (lenient reads them all).
    put("tlv", "long-forms", tlv(0x04, bytes(200)) +
        bytes.fromhex("0482000101" "048300000100" "04840000000100"))


def seeds_apdu():
    # tests/unit/check_bytes.c apdu vectors (ISO/IEC 7816-4 §5.1 cases).
    for name, h in [
            ("case1", "00840000"), ("case2s", "0084000008"),
            ("case2s-256", "00B0000000"), ("case2e", "00B00000000101"),
            ("case2e-65536", "00B00000000000"), ("case3s", "00A40000020000"),
            ("case4s", "00A4000002000000"),
            ("case4e", "00A400000000020000" "0001"),
            ("case3e-300", "00A40000" "00012C" + "AB" * 300),
            # ICAO 9303-11 §9.8: SELECT eMRTD application, READ BINARY.
            ("select-emrtd", "00A4040C07A0000002471001"),
            ("read-binary-sfi", "00B0810000"),
            ("bad-lc", "00A400000200")]:
        put("apdu", name, h)


def seeds_hex():
    for name, s in [
            ("atr", "3B DB 96 00 80 B1 FE 45 1F 83 00 31 C0 64 C7 FC 10 00 01 90 00 74"),
            ("colons", "3B:DB:97:00"), ("tabs", "\t3b\n8f\r"),
            ("odd", "3"), ("split", "3 B"), ("prefix", "0x3B"),
            ("long", "00" * 40), ("empty", "")]:
        put("hex", name, s.encode())


def seeds_atr():
    # Every complete ATR of tests/unit/check_atr.c (ISO/IEC 7816-3 §8,
    # PC/SC Part 3 examples cited there), valid or not.
    n = 0
    for b in unit_hex("check_atr.c", 1):
        if b[0] in (0x3B, 0x3F) and len(b) <= 40:
            put("atr", "unit-%02d" % n, b)
            n += 1


# A list in pcsc-tools' format, written here (not taken from the real list).
ATRLIST = b"""# smartcard list for fuzzing (own entries)
3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A
\tPC/SC Part 3 storage card (MIFARE Classic 1K pseudo-ATR)

3B DB 9[67] 00 8. 31 FE .*
\tSome eID card
\thttp://example.invalid/

3B [^0] 00
\tBracket class

3B (8A|88) 80
\tUnsupported construct
"""


def seeds_atrlist():
    put("atrlist", "list-storage", frame(ATRLIST,
        "3B8F8001804F0CA000000306030001000000006A"))
    put("atrlist", "list-eid", frame(ATRLIST,
        "3BDB960080B1FE451F830031C064C7FC100001900074"))
    put("atrlist", "list-class", frame(ATRLIST, "3B0100"))
    put("atrlist", "nomatch", frame(ATRLIST, "3F00"))


def seeds_mrz():
    put("mrz", "td1", MRZ_TD1[:30] + b"\n" + MRZ_TD1[30:60] + b"\n" + MRZ_TD1[60:])
    put("mrz", "td2", MRZ_TD2[:36] + b"\n" + MRZ_TD2[36:])
    put("mrz", "td3", MRZ_TD3[:44] + b"\n" + MRZ_TD3[44:])
    put("mrz", "td3-crlf", MRZ_TD3[:44] + b"\r\n" + MRZ_TD3[44:] + b"\n")
    # tests/unit/check_icao.c: every MRZ text there (specimens and their
    # broken variants).
    n = 0
    for lit in unit_literals("check_icao.c"):
        if "<" in lit and len(lit) >= 30:
            put("mrz", "unit-%02d" % n, lit.encode())
            n += 1


def seeds_sm():
    # Byte 0: mode | AES (4) | 3DES SSC index << 3 (tests/fuzz/fuzz_sm.c).
    # ICAO 9303-11 Appendix D.4 responses (../shared/vectors §1.4), each at
    # the SSC it was computed with.
    put("sm", "d4a-rsp", "00" "990290008E08FA855A5D4C50A8ED9000")
    put("sm", "d4b-rsp", "08" "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000")
    put("sm", "d4c-rsp", "10" "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF"
        "224A990290008E08C8B2787EAEA07D749000")
    put("sm", "d4a-cmd", "00" "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800")
    put("sm", "bare-error", "00" "6A82")
    # mode 1: SW ‖ body, MAC added by the harness
    put("sm", "macfix-99", "01" "9000" "99029000")
    put("sm", "macfix-87", "01" "9000" "8709016375432908C044F6" "99029000")
    put("sm", "macfix-85-aes", "05" "9000" "8510" + "00" * 16 + "99029000")
    # mode 2: SW ‖ flags ‖ plaintext with its padding
    put("sm", "plain-des", "02" "9000" "00" "60145F0180000000")
    put("sm", "plain-aes-odd", "06" "6282" "01" "0102030480" + "00" * 11)
    put("sm", "plain-badpad", "02" "9000" "00" "60145F0100000000")
    # mode 3: CLA INS P1 P2, flags, Nc(2), Ne(2), data
    put("sm", "rt-select", "03" "00A4020C" "00" "0002" "0000" "011E")
    put("sm", "rt-read-aes", "07" "00B00000" "00" "0000" "0004")
    put("sm", "rt-ext", "03" "00D60000" "01" "012C" "0100" + "AB" * 300)
    put("sm", "rt-last-ssc", "1B" "00B00000" "00" "0000" "0004")


def seeds_card():
    # Byte 0 caps (1 extended, 2 small limits, 4 no chaining), byte 1 the
    # first command of fuzz_card.c's table, then the card's answers.
    put("card", "select-ok", b"\x00\x00" + frame("9000"))
    put("card", "read-61xx", b"\x00\x01" + frame("6110", "00" * 16 + "9000"))
    put("card", "read-6cxx", b"\x00\x01" + frame("6C08", "11" * 8 + "9000"))
    put("card", "read-ext", b"\x01\x02" + frame("22" * 300 + "9000"))
    put("card", "getchallenge", b"\x00\x03" + frame("0102030405060708" "9000"))
    put("card", "chained", b"\x00\x04" + frame("9000", "6A80"))
    put("card", "chain-stop", b"\x0a\x04" + frame("6A80"))
    put("card", "case1-63c2", b"\x00\x05" + frame("63C2"))
    put("card", "raw-61", b"\x00\x06" + frame("6100", "33" * 256 + "6102", "4444" "9000"))
    put("card", "removed", b"\x00\x01" + frame("00"))
    put("card", "empty-rsp", b"\x00\x01" + frame(""))
    put("card", "sequence", b"\x00\x00" + frame("9000", "6104", "01020304" "9000",
        "6C04", "05060708" "9000", "6982", "02"))


# PACEInfo id-PACE-ECDH-GM-AES-CBC-CMAC-128, version 2, parameterId 13
# (BSI TR-03110-3 §A.1.1.1; ICAO 9303-11 §9.2.1).
PACE_INFO = bytes.fromhex("3012060A04007F0007020204020202010202010D")


def seeds_secinfo():
    # tests/unit/check_secinfo.c: its EF.CardAccess / DG14 vectors.
    n = 0
    for b in unit_hex("check_secinfo.c", 4):
        if b[0] in (0x31, 0x6E, 0x30):
            put("secinfo", "unit-%02d" % n, b)
            n += 1
    # PACEInfo id-PACE-ECDH-GM-AES-CBC-CMAC-128, version 2, parameterId 13
    # (BSI TR-03110-3 §A.1.1.1; ICAO 9303-11 §9.2.1), as SET and as DG14.
    pace = PACE_INFO
    put("secinfo", "cardaccess-pace", b"\x31" + bytes([len(pace)]) + pace)
    set_ = b"\x31" + bytes([len(pace)]) + pace
    put("secinfo", "dg14-pace", b"\x6E" + bytes([len(set_)]) + set_)
    # ChipAuthenticationPublicKeyInfo (id-PK-ECDH, TR-03110-3 §A.1.1.2)
    # with our own P-256 key, and ChipAuthenticationInfo id-CA-ECDH-AES-
    # CBC-CMAC-128 version 1, as DG14 (ICAO 9303-11 §9.2.6).
    with tempfile.TemporaryDirectory() as d:
        k = os.path.join(d, "k")
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", k)
        openssl("ec", "-in", k, "-pubout", "-outform", "DER", "-out", k + ".pub")
        spki = open(k + ".pub", "rb").read()
    pk = der(0x30, der(0x06, bytes.fromhex("04007F000702020102")) + spki)
    ca = der(0x30, der(0x06, bytes.fromhex("04007F00070202030202")) + der(0x02, b"\x01"))
    put("secinfo", "dg14-ca", der(0x6E, der(0x31, pk + ca)))


# A tiny baseline JPEG header: SOI, APP0 JFIF, SOF0 20×16, SOS, EOI
# (ISO/IEC 10918-1 B.2; the same shape as tests/unit/check_lds.c uses).
JPEG = bytes.fromhex("FFD8" "FFE000104A46494600010100000100010000"
                     "FFC0001108" "0010" "0014" "03012200021101031101"
                     "FFDA000C03010002110311003F00" "D2CF20" "FFD9")


def face_19794(img):
    """ISO/IEC 19794-5:2005 record with one JPEG facial image, 20×16."""
    info = (bytes.fromhex("0000") +        # no feature points
            bytes.fromhex("01" "01" "000000" "0000" "000000" "000000") +
            bytes.fromhex("01" "00" "0014" "0010" "01" "00" "0000"))
    block = (len(info) + 4 + len(img)).to_bytes(4, "big") + info[:]
    body = block + img
    return b"FAC\x00010\x00" + (14 + len(body)).to_bytes(4, "big") + \
        b"\x00\x01" + body


def seeds_lds():
    # ICAO 9303-10 §4.6–4.7 files built here, and the LDS vectors of
    # tests/unit/check_lds.c.
    put("lds", "ef-com", EF_COM)
    put("lds", "dg1-td1", DG1_TD1)
    put("lds", "dg1-td3", DG1_TD3)
    put("lds", "dg1-td2", tlv(0x61, tlv(0x5F1F, MRZ_TD2)))
    bit = tlv(0x7F60, tlv(0xA1, tlv(0x80, b"\x01\x01") + tlv(0x87, b"\x01\x01") +
                           tlv(0x88, b"\x00\x08")) + tlv(0x5F2E, face_19794(JPEG)))
    put("lds", "dg2-19794", tlv(0x75, tlv(0x7F61, tlv(0x02, b"\x01") + bit)))
    bit39 = tlv(0x7F60, tlv(0xA1, tlv(0x80, b"\x01\x01")) +
                tlv(0x7F2E, tlv(0xA1, tlv(0x80, JPEG))))
    put("lds", "dg2-39794", tlv(0x75, tlv(0x7F61, tlv(0x02, b"\x01") + bit39)))
    put("lds", "dg7", tlv(0x67, tlv(0x02, b"\x01") + tlv(0x5F43, JPEG)))
    put("lds", "dg11", tlv(0x6B, tlv(0x5C, bytes.fromhex("5F0E5F2B5F11")) +
                           tlv(0x5F0E, b"ERIKSSON<<ANNA<MARIA") +
                           tlv(0x5F2B, b"19740812") + tlv(0x5F11, b"ZENITH,UTO")))
    put("lds", "dg12", tlv(0x6C, tlv(0x5C, bytes.fromhex("5F195F26")) +
                           tlv(0x5F19, b"UTOPIA") + tlv(0x5F26, b"20120415")))
    for i, b in enumerate(unit_hex("check_lds.c", 4)):
        if b[0] in (0x60, 0x61, 0x67, 0x6B, 0x6C, 0x6F, 0x75, 0x7F):
            put("lds", "unit-%02d" % i, b)
    with tempfile.TemporaryDirectory() as d:
        k = os.path.join(d, "k")
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", k)
        openssl("ec", "-in", k, "-pubout", "-outform", "DER", "-out", k + ".pub")
        put("lds", "dg15-ec", tlv(0x6F, open(k + ".pub", "rb").read()))
        openssl("genrsa", "-out", k + "r", "1024")
        openssl("rsa", "-in", k + "r", "-pubout", "-outform", "DER", "-out", k + "r.pub")
        put("lds", "dg15-rsa", tlv(0x6F, open(k + "r.pub", "rb").read()))


def chunks(f, first=256, size=256):
    """A card's READ BINARY answers for file f: the first READ BINARY (by
    SFI, asking for the whole ceiling: emrtd.c), then chunks."""
    out = [f[:first] + b"\x90\x00"]
    for i in range(first, len(f), size):
        out.append(f[i:i + size] + b"\x90\x00")
    return out


def seeds_emrtd():
    # Byte 0 caps (1 extended), byte 1 the file of fuzz_emrtd.c's table
    # (0 EF.SOD, 1 EF.COM, 2 DG1, 3 DG2, ...), then the card's answers.
    put("emrtd", "com", b"\x00\x01" + frame(*chunks(EF_COM)))
    put("emrtd", "dg1", b"\x00\x02" + frame(*chunks(DG1_TD3)))
    put("emrtd", "dg1-ext", b"\x01\x02" + frame(*chunks(DG1_TD1, 65280, 65280)))
    put("emrtd", "dg1-header-only", b"\x00\x02" + frame(*chunks(DG1_TD3, 8)))
    big = tlv(0x75, tlv(0x7F61, tlv(0x02, b"\x01") + bytes(900)))
    put("emrtd", "dg2-chunks", b"\x00\x03" + frame(*chunks(big)))
    put("emrtd", "dg2-6700", b"\x00\x03" + frame("6700", *chunks(big, 224, 224)))
    put("emrtd", "dg2-short", b"\x00\x03" + frame(big[:130] + b"\x90\x00",
                                                 *chunks(big[130:], 128, 128)))
    put("emrtd", "sod-6982", b"\x00\x00" + frame("6982"))
    put("emrtd", "com-6a82", b"\x00\x01" + frame("6A82"))
    put("emrtd", "com-6c", b"\x00\x01" + frame("6C04", EF_COM[:4] + b"\x90\x00"))
    put("emrtd", "removed", b"\x00\x01" + frame("00"))


def openssl(*args, **kw):
    subprocess.run(("openssl",) + args, check=True, capture_output=True, **kw)


def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def der(tag, v):
    return bytes([tag]) + der_len(len(v)) + v


def seeds_sod():
    # Our own test PKI and EF.SOD (ICAO 9303-10 §4.6.2, signed with the
    # openssl CLI): CSCA → DS, EC P-256, LDSSecurityObject v0 with
    # SHA-256 hashes of the DG1 and EF.COM above; the same as
    # EF.CardSecurity (eContentType id-SecurityObject, TR-03110-3 §A.1.2.5)
    # and a CSCA master list eContent (ICAO 9303-12 §9).
    import hashlib
    with tempfile.TemporaryDirectory() as d:
        j = lambda f: os.path.join(d, f)
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", j("csca.key"))
        openssl("req", "-new", "-x509", "-key", j("csca.key"), "-subj",
                "/C=UT/O=nidcard fuzz/CN=Fuzz CSCA", "-days", "3650",
                "-out", j("csca.pem"))
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", j("ds.key"))
        openssl("req", "-new", "-key", j("ds.key"), "-subj",
                "/C=UT/O=nidcard fuzz/CN=Fuzz DS", "-out", j("ds.csr"))
        openssl("x509", "-req", "-in", j("ds.csr"), "-CA", j("csca.pem"),
                "-CAkey", j("csca.key"), "-CAcreateserial", "-days", "3650",
                "-out", j("ds.pem"))
        sha256 = der(0x30, der(0x06, bytes.fromhex("608648016503040201")) + b"\x05\x00")
        hashes = b"".join(der(0x30, der(0x02, bytes([n])) + der(0x04, hashlib.sha256(dg).digest()))
                          for n, dg in ((1, DG1_TD1), (2, EF_COM)))
        lds = der(0x30, der(0x02, b"\x00") + sha256 + der(0x30, hashes))
        open(j("sod.in"), "wb").write(lds)
        open(j("cardsecurity.in"), "wb").write(der(0x31, PACE_INFO))
        put("sod", "lds-v0", lds)
        for name, oid in (("sod", "2.23.136.1.1.1"), ("cardsecurity", "0.4.0.127.0.7.3.2.1")):
            openssl("cms", "-sign", "-binary", "-nodetach", "-outform", "DER",
                    "-econtent_type", oid, "-in", j(name + ".in"), "-signer", j("ds.pem"),
                    "-inkey", j("ds.key"), "-md", "sha256", "-nosmimecap",
                    "-out", j(name + ".der"))
            ci = open(j(name + ".der"), "rb").read()
            put("sod", name, der(0x77, ci) if name == "sod" else ci)
            if name == "cardsecurity":
                put("secinfo", name, ci)
        openssl("x509", "-in", j("csca.pem"), "-outform", "DER", "-out", j("csca.der"))
        csca = open(j("csca.der"), "rb").read()
        put("sod", "masterlist-content", der(0x30, der(0x02, b"\x00") + der(0x31, csca)))
    # tests/unit/check_sod.c: its small structures.
    for i, b in enumerate(unit_hex("check_sod.c", 4)):
        put("sod", "unit-%02d" % i, b)


def seeds_masterlist():
    # fuzz_masterlist.c: byte 0 = 1 or 2, then a CscaMasterList eContent
    # (ICAO 9303-12 §9) that the harness signs; or a whole master-list
    # file (mode 0: DER begins with 0x30), signed here with a throw-away
    # PKI made by the openssl CLI (CSCA → list signer, EC P-256 and
    # RSA-2048 CSCAs in the certList, one of them a link certificate).
    with tempfile.TemporaryDirectory() as d:
        j = lambda f: os.path.join(d, f)
        certs = []
        for name, alg in (("csca1", "ec"), ("csca2", "rsa")):
            if alg == "ec":
                openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout",
                        "-out", j(name + ".key"))
            else:
                openssl("genrsa", "-out", j(name + ".key"), "2048")
            openssl("req", "-new", "-x509", "-key", j(name + ".key"), "-subj",
                    "/C=UT/O=nidcard fuzz/CN=Fuzz " + name.upper(), "-days",
                    "3650", "-out", j(name + ".pem"))
            openssl("x509", "-in", j(name + ".pem"), "-outform", "DER",
                    "-out", j(name + ".der"))
            certs.append(open(j(name + ".der"), "rb").read())
        # A link certificate: csca2's key, signed by csca1.
        openssl("req", "-new", "-key", j("csca2.key"), "-subj",
                "/C=UT/O=nidcard fuzz/CN=Fuzz CSCA2", "-out", j("link.csr"))
        openssl("x509", "-req", "-in", j("link.csr"), "-CA", j("csca1.pem"),
                "-CAkey", j("csca1.key"), "-CAcreateserial", "-days", "3650",
                "-outform", "DER", "-out", j("link.der"))
        certs.append(open(j("link.der"), "rb").read())
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", j("mls.key"))
        openssl("req", "-new", "-key", j("mls.key"), "-subj",
                "/C=UT/O=nidcard fuzz/CN=Fuzz ML signer", "-out", j("mls.csr"))
        openssl("x509", "-req", "-in", j("mls.csr"), "-CA", j("csca1.pem"),
                "-CAkey", j("csca1.key"), "-CAcreateserial", "-days", "3650",
                "-out", j("mls.pem"))
        lists = {
            "one": der(0x30, der(0x02, b"\x00") + der(0x31, certs[0])),
            "three": der(0x30, der(0x02, b"\x00") + der(0x31, b"".join(certs))),
            "empty": der(0x30, der(0x02, b"\x00") + der(0x31, b"")),
            "dup": der(0x30, der(0x02, b"\x00") + der(0x31, certs[0] + certs[0])),
            "v1": der(0x30, der(0x02, b"\x01") + der(0x31, certs[0])),
        }
        for name, content in lists.items():
            put("masterlist", "signed-" + name, b"\x01" + content)
            put("masterlist", "rogue-" + name, b"\x02" + content)
        for name in ("one", "three"):
            open(j("ml.in"), "wb").write(lists[name])
            openssl("cms", "-sign", "-binary", "-nodetach", "-outform", "DER",
                    "-econtent_type", "2.23.136.1.1.2", "-in", j("ml.in"),
                    "-signer", j("mls.pem"), "-inkey", j("mls.key"), "-md",
                    "sha256", "-nosmimecap", "-out", j("ml.der"))
            put("masterlist", "file-" + name, open(j("ml.der"), "rb").read())


def seeds_crl():
    # fuzz_crl.c: byte 0 = 1 (signed here by the harness's CSCA) or 2
    # (rogue key), then a TBSCertList (RFC 5280 §5.1) naming the issuer of
    # tests/unit/testpki.h (C=UT, O=nidcard test, CN=Fuzz CSCA) and the
    # harness's DS serial 0x1234; or a whole CRL / certificate file (DER
    # or PEM) made with the openssl CLI.
    def name(cn):
        rdn = lambda oid, tag, v: der(0x31, der(0x30, der(0x06, oid) + der(tag, v)))
        return der(0x30, rdn(b"\x55\x04\x06", 0x13, b"UT") +
                   rdn(b"\x55\x04\x0a", 0x0c, b"nidcard test") +
                   rdn(b"\x55\x04\x03", 0x0c, cn))
    alg = bytes.fromhex("300a06082a8648ce3d040302")
    utc = lambda t: der(0x17, t)
    entry = lambda serial, ext=b"": der(0x30, der(0x02, serial) +
                                        utc(b"200101000000Z") + ext)
    reason = der(0x30, der(0x30, der(0x06, b"\x55\x1d\x15") +
                           der(0x04, der(0x0a, b"\x01"))))
    crlnum = der(0xA0, der(0x30, der(0x30, der(0x06, b"\x55\x1d\x14") +
                                      der(0x04, der(0x02, b"\x07")))))

    def tbs(revoked, tu=b"200101000000Z", nu=b"491231000000Z", cn=b"Fuzz CSCA",
            ext=b""):
        body = der(0x02, b"\x01") + alg + name(cn) + utc(tu)
        if nu is not None:
            body += utc(nu)
        if revoked is not None:
            body += der(0x30, b"".join(revoked))
        return der(0x30, body + ext)
    cases = {
        "empty": tbs(None),
        "revoked-ds": tbs([entry(b"\x12\x34")]),
        "revoked-other": tbs([entry(b"\x05"), entry(b"\x12\x35", reason)]),
        "revoked-ds-reason": tbs([entry(b"\x05"), entry(b"\x12\x34", reason)],
                                 ext=crlnum),
        "stale": tbs([], nu=b"210101000000Z"),
        "future": tbs([], tu=b"480101000000Z"),
        "no-next": tbs(None, nu=None),
        "generalized": der(0x30, der(0x02, b"\x01") + alg + name(b"Fuzz CSCA") +
                           der(0x18, b"20200101000000Z") +
                           der(0x18, b"20491231000000Z")),
        "other-issuer": tbs([entry(b"\x12\x34")], cn=b"Other CSCA"),
    }
    for n, b in cases.items():
        put("crl", "csca-" + n, b"\x01" + b)
    put("crl", "rogue-revoked-ds", b"\x02" + cases["revoked-ds"])
    with tempfile.TemporaryDirectory() as d:
        j = lambda f: os.path.join(d, f)
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", j("ca.key"))
        openssl("req", "-new", "-x509", "-key", j("ca.key"), "-subj",
                "/C=UT/O=nidcard test/CN=Fuzz CSCA", "-days", "3650",
                "-out", j("ca.pem"))
        open(j("index.txt"), "w").close()
        open(j("crlnumber"), "w").write("01\n")
        open(j("ca.cnf"), "w").write(
            "[ca]\ndefault_ca=c\n[c]\ndatabase=%s\ncrlnumber=%s\n"
            "default_md=sha256\ndefault_crl_days=30\n" % (j("index.txt"), j("crlnumber")))
        openssl("ca", "-config", j("ca.cnf"), "-gencrl", "-keyfile", j("ca.key"),
                "-cert", j("ca.pem"), "-out", j("crl.pem"))
        openssl("crl", "-in", j("crl.pem"), "-outform", "DER", "-out", j("crl.der"))
        openssl("x509", "-in", j("ca.pem"), "-outform", "DER", "-out", j("ca.der"))
        pem = open(j("crl.pem"), "rb").read()
        put("crl", "file-der", open(j("crl.der"), "rb").read())
        put("crl", "file-pem", pem)
        put("crl", "file-pem-twice", pem + pem)
        put("crl", "file-cert-der", open(j("ca.der"), "rb").read())
        put("crl", "file-cert-pem", open(j("ca.pem"), "rb").read())


def seeds_zdocument():
    # fuzz_emrtd.c document mode (byte 0 bit 1): a card answering EF.COM,
    # EF.SOD, then the data groups EF.COM lists, in READ BINARY chunks.
    # The EF.SOD is signed here (throw-away openssl PKI) over the DGs the
    # card then delivers, so that passive authentication checks real hash
    # matches; one DG is altered in a second seed (a mismatch).
    import hashlib
    com = tlv(0x60, tlv(0x5F01, b"0107") + tlv(0x5F36, b"040000") +
              tlv(0x5C, bytes([0x61, 0x75, 0x6B, 0x6C, 0x6F])))
    jpeg = bytes.fromhex("FFD8FFE000104A46494600010100000100010000"
                         "FFC0001108" "0010" "0014" "03012200021101031101"
                         "FFDA000C03010002110311003F00" "D2CF20" "FFD9")
    bit = tlv(0x7F60, tlv(0xA1, tlv(0x80, b"\x01\x01") + tlv(0x87, b"\x01\x01") +
                           tlv(0x88, b"\x00\x08")) + tlv(0x5F2E, face_19794(jpeg)))
    dg2 = tlv(0x75, tlv(0x7F61, tlv(0x02, b"\x01") + bit))
    dg11 = tlv(0x6B, tlv(0x5C, bytes.fromhex("5F0E5F2B")) +
               tlv(0x5F0E, b"ERIKSSON<<ANNA<MARIA") + tlv(0x5F2B, b"19740812"))
    dg12 = tlv(0x6C, tlv(0x5C, bytes.fromhex("5F19")) + tlv(0x5F19, b"UTOPIA"))
    with tempfile.TemporaryDirectory() as d:
        j = lambda f: os.path.join(d, f)
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", j("k"))
        openssl("ec", "-in", j("k"), "-pubout", "-outform", "DER", "-out", j("k.pub"))
        dg15 = tlv(0x6F, open(j("k.pub"), "rb").read())
        openssl("req", "-new", "-x509", "-key", j("k"), "-subj",
                "/C=UT/O=nidcard fuzz/CN=Fuzz DS", "-days", "3650", "-out", j("ds.pem"))
        dgs = ((1, DG1_TD3), (2, dg2), (11, dg11), (12, dg12), (15, dg15))
        sha256 = der(0x30, der(0x06, bytes.fromhex("608648016503040201")))
        hashes = b"".join(der(0x30, der(0x02, bytes([n])) +
                              der(0x04, hashlib.sha256(v).digest())) for n, v in dgs)
        open(j("lds"), "wb").write(der(0x30, der(0x02, b"\x00") + sha256 +
                                       der(0x30, hashes)))
        openssl("cms", "-sign", "-binary", "-nodetach", "-outform", "DER",
                "-econtent_type", "2.23.136.1.1.1", "-in", j("lds"), "-signer",
                j("ds.pem"), "-inkey", j("k"), "-md", "sha256", "-nosmimecap",
                "-out", j("sod"))
        sod = der(0x77, open(j("sod"), "rb").read())
    answers = chunks(com) + chunks(sod)
    for n, v in dgs:
        answers += chunks(v)
    put("emrtd", "document", b"\x02\x00" + frame(*answers))
    put("emrtd", "document-ext-crl", b"\x03\x01" + frame(
        *(chunks(com, 65280, 65280) + chunks(sod, 65280, 65280) +
          sum((chunks(v, 65280, 65280) for n, v in dgs), []))))
    bad = chunks(com) + chunks(sod) + chunks(DG1_TD1) + ["6982"] + chunks(dg11)
    put("emrtd", "document-mismatch", b"\x02\x00" + frame(*bad))
    put("emrtd", "document-no-com", b"\x02\x00" + frame("6A82", *chunks(sod),
                                                        *chunks(DG1_TD3)))


def seeds_manifest():
    # fuzz_manifest.c: CSV text (manifest.h); the vectors of
    # tests/unit/check_manifest.c and a few written here.
    for i, lit in enumerate(unit_literals("check_manifest.c")):
        if lit.startswith("\ufeff") or "document_number" in lit or "\n" in lit:
            put("manifest", "unit-%02d" % i, lit.encode("latin-1", "replace"))
    put("manifest", "td3", b"document_number,surname,given_names,birth_date\r\n"
        b"L898902C3,Eriksson,Anna Maria,1974-08-12\r\n"
        b"\"D23145890\",\"ERIKSSON\",\"ANNA \"\"M\"\"\",740812\r\n")
    put("manifest", "bom", b"\xef\xbb\xbfdocument_number,birth_date\nL898902C3,\n")


def seeds_aa():
    # fuzz_aa.c: byte 0 the mode (0/1 a representative J signed by the
    # harness, 2 a well-formed J built by it, 3 an ECDSA answer, 4 the
    # card's answers to INTERNAL AUTHENTICATE). Structures after ISO/IEC
    # 9796-2 scheme 1 (ICAO 9303-11 §6.1.2.2) and BSI TR-03111 §5.2.1.
    k = 128
    j = b"\x6a" + bytes(range(1, k - 21)) + bytes(20) + b"\xbc"
    assert len(j) == k
    put("aa", "j-bc", b"\x00" + j)
    put("aa", "j-bc-negated", b"\x01" + j)
    put("aa", "j-pad", b"\x00\x6b\xbb\xba" + j[4:])
    put("aa", "j-full", b"\x00\x4a" + j[1:])
    put("aa", "j-hhcc", b"\x00" + j[:-2] + b"\x34\xcc")
    for t in range(6):
        put("aa", "build-%d" % t, bytes([2, t, 3 * t]) + b"M1 chosen by the chip")
    r = bytes(range(1, 33))
    put("aa", "ecdsa-plain", b"\x03" + r + r[::-1])
    put("aa", "ecdsa-der", b"\x03" + der(0x30, der(0x02, b"\x00\xff" + r[1:]) +
                                            der(0x02, r)))
    put("aa", "ecdsa-zero", b"\x03" + bytes(64))
    put("aa", "run-rsa", b"\x04\x00\x00" + frame(bytes(range(128)) + b"\x90\x00"))
    put("aa", "run-rsa-6982", b"\x04\x00\x00" + frame("6982"))
    put("aa", "run-rsa-61", b"\x04\x00\x00" + frame(bytes(100) + b"\x61\x1c",
                                                    bytes(28) + b"\x90\x00"))
    put("aa", "run-ec", b"\x04\x01\x01" + frame(r + r + b"\x90\x00"))
    put("aa", "run-ec-removed", b"\x04\x01\x00" + frame("00"))


def unit_defines(name):
    """#define NAME "hex" ... of a unit test, adjacent literals and macros
    joined (for the ICAO 9303-11 Appendix G vectors of check_pace.c)."""
    path = os.path.join(TOP, "tests", "unit", name)
    src = open(path, encoding="utf-8").read().replace("\\\n", " ")
    out = {}
    for m in re.finditer(r'^#define (\w+) ((?:"[0-9A-Fa-f]*"|\w+|\s)+)$', src, re.M):
        val = ""
        for tok in re.findall(r'"([0-9A-Fa-f]*)"|(\w+)', m.group(2)):
            val += tok[0] if tok[1] == "" else out.get(tok[1], "")
        out[m.group(1)] = val
    return out


def seeds_pace():
    # fuzz_pace.c: byte 0 (bit 0: Appendix G.2 else G.1, bit 1: extended
    # length), then the chip's answers of the ICAO 9303-11 Appendix G.1 /
    # G.2 exchanges (vectors of tests/unit/check_pace.c): MSE:Set AT,
    # GA 1 (80 z), GA 2 (82 PK_map,IC), GA 3 (84 PK_IC), GA 4 (86 T_IC).
    d = unit_defines("check_pace.c")
    for g, b0 in (("G1", 0), ("G2", 1)):
        ga = lambda tag, v: tlv(0x7C, tlv(tag, bytes.fromhex(v))) + b"\x90\x00"
        answers = ["9000", ga(0x80, d[g + "_Z"]), ga(0x82, d[g + "_PK_MAP_IC"]),
                   ga(0x84, d[g + "_PK_IC"]), ga(0x86, d[g + "_TIC"])]
        put("pace", g.lower(), bytes([b0]) + frame(*answers))
        put("pace", g.lower() + "-ext", bytes([b0 | 2]) + frame(*answers))
        put("pace", g.lower() + "-wrong-token", bytes([b0]) + frame(
            *answers[:4], ga(0x86, "00" * 8)))
        put("pace", g.lower() + "-6300", bytes([b0]) + frame(*answers[:4], "6300"))
        put("pace", g.lower() + "-car", bytes([b0]) + frame(
            *answers[:4], tlv(0x7C, tlv(0x86, bytes.fromhex(d[g + "_TIC"])) +
                               tlv(0x87, b"DECVCAeID00102") +
                               tlv(0x88, b"DECVCAeID00103")) + b"\x90\x00"))
    put("pace", "g1-removed", b"\x00" + frame("9000", "00"))


for f in list(globals()):
    if f.startswith("seeds_"):
        globals()[f]()
