# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
# Shared by scripts/demo and scripts/test: install what is missing, then
# bootstrap, configure and build in build/ (out of the source tree).
set -eu
NID_TOP=$(cd "$(dirname "$0")/.." && pwd)
NID_BUILD=${NID_BUILD:-$NID_TOP/build}
NID_JOBS=${NID_JOBS:-$(nproc 2>/dev/null || echo 2)}

say() { printf '==> %s\n' "$*"; }

# Debian packages the project needs to build, test and run.
NID_PACKAGES="build-essential autoconf automake libtool pkg-config
libpcsclite-dev pcscd vsmartcard-vpcd pcsc-tools opensc
libssl-dev openssl check libjansson-dev
clang libclang-rt-14-dev libfuzzer-14-dev valgrind jq
python3 python3-jsonschema"

nid_deps() {
	missing=""
	for p in $NID_PACKAGES; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
			missing="$missing $p"
		fi
	done
	if [ -z "$missing" ]; then
		say "Debian packages: all present"
		return 0
	fi
	say "installing Debian packages:$missing"
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1; then
			SUDO=sudo
		else
			echo "scripts: need root to install:$missing (run as root or with sudo)" >&2
			exit 1
		fi
	else
		SUDO=
	fi
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
}

nid_build() {
	cd "$NID_TOP"
	if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
		say "bootstrapping (autoreconf -fi)"
		autoreconf -fi
	fi
	mkdir -p "$NID_BUILD"
	cd "$NID_BUILD"
	if [ ! -f Makefile ] || [ "$NID_TOP/configure" -nt config.status ]; then
		say "configuring in $NID_BUILD"
		eval "\"\$NID_TOP/configure\" --enable-werror -q ${NID_CONFIGURE_FLAGS:-}"
	fi
	say "building ($NID_JOBS jobs)"
	make -j"$NID_JOBS" -s
}
