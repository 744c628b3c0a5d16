#!/usr/bin/env bash
# The main job, on a fresh Debian 12 machine: install what is needed, build
# kxen, and boot the stock Debian kernel as a Xen PVH guest on kxen-monitor,
# showing its console from the first kernel line to a shell that answers
# commands and powers off. Where this host's KVM cannot run Xen guests
# (no VMX/SVM or no CONFIG_KVM_XEN), it runs in the test bed (testbed/run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps
make -s -j"$(nproc)"
exec testbed/run tests/scenarios/demo.sh
