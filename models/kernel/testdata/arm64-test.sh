#!/usr/bin/env bash
# The arm64 test (`make test-arm64`): cross-compiles the kernel, optimizer
# and model numerics tests for arm64 and runs them under qemu-user (Debian's
# qemu-user, installed when qemu-aarch64 is missing). Each package's tests
# compare their outputs with the hashes recorded on amd64 in its
# testdata/numerics.golden, so a pass means arm64's pure-Go numbers are
# amd64's bit for bit (docs/performance.md).
set -euo pipefail

top=$(cd "$(dirname "$0")/../../.." && pwd)
GO=${GO:-go}
log() { echo "arm64 test: $*"; }
start=$(date +%s)

if ! command -v qemu-aarch64 >/dev/null; then
	if [ "$(id -u)" != 0 ]; then
		echo "arm64 test: qemu-aarch64 missing and not root to install qemu-user" >&2
		exit 1
	fi
	log "installing qemu-user"
	apt-get -o DPkg::Lock::Timeout=600 update -qq
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq qemu-user >/dev/null
fi

work=$(mktemp -d /tmp/neuroplastic-arm64.XXXXXX)
trap 'rm -rf "$work"' EXIT

# package, then the tests to run (empty: all of them).
run() {
	local pkg=$1 tests=$2
	log "$pkg"
	(cd "$top" && GOARCH=arm64 CGO_ENABLED=0 "$GO" test -c -o "$work/pkg.test" "./$pkg")
	(cd "$top/$pkg" && qemu-aarch64 "$work/pkg.test" -test.count=1 -test.timeout=10m ${tests:+-test.run "$tests"})
}
run models/kernel ''
run optim ''
run models 'TestTrainingNumerics'
log "passed in $(($(date +%s) - start)) s"
