#!/usr/bin/env bash
# The arm64 test (`make test-arm64`): cross-compiles the kernel, optimizer
# and model numerics tests for arm64 and runs them under qemu-user (Debian's
# qemu-user, installed when qemu-aarch64 is missing). Each package's tests
# compare their outputs with the hashes recorded on amd64 in its
# testdata/numerics.golden, so a pass means arm64's pure-Go numbers are
# amd64's bit for bit (docs/performance.md).
set -euo pipefail
# `make test` runs this beside its other checks: every line is prefixed,
# and the exit waits for the last prefixed line.
exec > >(sed -u 's/^/arm64: /') 2>&1
prefix=$!
work=$(mktemp -d /tmp/neuroplastic-arm64.XXXXXX)
trap 'rm -rf "$work"; exec >&- 2>&-; wait "$prefix"' EXIT

top=$(cd "$(dirname "$0")/../../.." && pwd)
GO=${GO:-go}
start=$(date +%s)

if ! command -v qemu-aarch64 >/dev/null; then
	if [ "$(id -u)" != 0 ]; then
		echo "qemu-aarch64 missing and not root to install qemu-user" >&2
		exit 1
	fi
	echo "installing qemu-user"
	apt-get -o DPkg::Lock::Timeout=600 update -qq
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq qemu-user >/dev/null
fi

# package, the tests to run (empty: all of them), then more test flags.
run() {
	local pkg=$1 tests=$2
	shift 2
	echo "$pkg"
	(cd "$top" && GOARCH=arm64 CGO_ENABLED=0 "$GO" test -c -o "$work/pkg.test" "./$pkg")
	(cd "$top/$pkg" && qemu-aarch64 "$work/pkg.test" -test.count=1 -test.timeout=10m ${tests:+-test.run "$tests"} "$@")
}
# The kernel's short mode trims repetitions (arm64 has one variant), not
# the hashes; the models' would skip resnet18.
run models/kernel '' -test.short
run optim ''
run models 'TestTrainingNumerics'
echo "passed in $(($(date +%s) - start)) s"
