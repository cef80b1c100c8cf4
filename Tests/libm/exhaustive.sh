#!/usr/bin/env bash
# The kernel's own e^x and ln x (Sources/NNSearchKernel/Kernel/Exponential.swift, Logarithm.swift)
# against the host's glibc expf and logf on all 2^32 floats, bit for bit: they reproduce glibc's FMA
# code (`__expf_fma`, `__logf_fma`, glibc 2.27+ on a CPU with FMA), so results computed with the
# library before the kernel owned these functions are unchanged. `swift test` checks a sample of a
# million floats and the hard cases; this checks every one (about 3 minutes on one core).
#
# Usage, from anywhere: bash Tests/libm/exhaustive.sh     Ends with `libm: ...`; exit 0 only when all agree.
set -euo pipefail
cd "$(dirname "$0")/../.."
grep -qw fma /proc/cpuinfo || { echo "libm: SKIPPED: this CPU has no FMA (glibc would run its generic expf/logf)"; exit 0; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# The kernel target's flags (Package.swift) for an FMA machine.
swiftc -O -wmo -target-cpu native -Xcc -fno-math-errno -D NNSEARCH_FMA \
    $(grep -qw avx512f /proc/cpuinfo && echo -D NNSEARCH_AVX512) \
    Sources/NNSearchKernel/Kernel/Exponential.swift Sources/NNSearchKernel/Kernel/Logarithm.swift \
    Sources/NNSearchKernel/Kernel/HyperbolicTangent.swift \
    Sources/NNSearchKernel/Kernel/Vector.swift Tests/libm/main.swift -o "$work/libm"
"$work/libm"
