#!/usr/bin/env bash
# The kernel's own e^x, ln x, ln(1 + x) and tanh x (Sources/NNSearchKernel/Kernel/Exponential.swift,
# Logarithm.swift, LogarithmOnePlus.swift, HyperbolicTangent.swift) against the host's glibc expf, logf,
# log1pf and tanhf on all 2^32 floats, bit for bit, the vector forms in every lane: they reproduce
# glibc's code (`__expf_fma` and `__logf_fma`, which glibc 2.27+ runs on a CPU with FMA and AVX2, and
# glibc 2.36's fdlibm log1pf and tanhf), so results computed with the library before the kernel owned
# these functions are unchanged. `swift test` checks a sample and the hard cases; this checks every
# float (about 4 minutes on one core).
#
# Usage, from anywhere: bash Tests/libm/exhaustive.sh     Ends with `libm: ...`; exit 0 only when all agree.
set -euo pipefail
cd "$(dirname "$0")/../.."
grep -qw fma /proc/cpuinfo && grep -qw avx2 /proc/cpuinfo || { echo "libm: SKIPPED: this CPU lacks FMA or AVX2, so glibc runs its generic expf/logf, not the FMA code the kernel reproduces"; exit 0; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# The kernel target's flags (Package.swift) for an FMA machine.
swiftc -O -wmo -target-cpu native -Xcc -fno-math-errno -D NNSEARCH_FMA \
    $(grep -qw avx512f /proc/cpuinfo && echo -D NNSEARCH_AVX512) \
    Sources/NNSearchKernel/Kernel/Exponential.swift Sources/NNSearchKernel/Kernel/Logarithm.swift \
    Sources/NNSearchKernel/Kernel/LogarithmOnePlus.swift \
    Sources/NNSearchKernel/Kernel/HyperbolicTangent.swift \
    Sources/NNSearchKernel/Kernel/Vector.swift Tests/libm/main.swift -o "$work/libm"
"$work/libm"
