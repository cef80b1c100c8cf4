// swift-tools-version:6.0
import PackageDescription
import Foundation

// The training kernel is optimized in every configuration (plain `swift test`
// builds debug, where SIMD loops run ~150x slower) and, by default, for the
// CPU that builds it when that CPU has AVX2+FMA. `NNSEARCH_PORTABLE=1` builds
// for the baseline x86-64 / arm64 target instead (slower, runs anywhere).
let environment = ProcessInfo.processInfo.environment
let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
let cpuFlags = Set(cpuInfo.split(separator: "\n").first { $0.hasPrefix("flags") }?
    .split(separator: " ").map(String.init) ?? [])
let portable = environment["NNSEARCH_PORTABLE"].map { $0 != "0" && !$0.isEmpty } ?? false
let native = !portable && cpuFlags.contains("avx2") && cpuFlags.contains("fma")

// `-fno-math-errno` lets the C `sqrtf` behind `Float.squareRoot()` (and SIMD's lane by lane)
// become one vector `sqrtps` instead of a call per lane that checks for negatives to set errno:
// Adam's update runs 4x faster, correctly rounded.
// Exclusivity is checked at compile time; the run-time checks (a call into the runtime for
// every access to a class's stored property) are left out of the kernel's inner loops.
var kernelFlags = ["-O", "-Xcc", "-fno-math-errno", "-enforce-exclusivity=unchecked"]
var kernelDefines: [SwiftSetting] = []
if native {
    kernelFlags += ["-target-cpu", "native"]
    kernelDefines.append(.define("NNSEARCH_FMA"))
    if cpuFlags.contains("avx512f") { kernelDefines.append(.define("NNSEARCH_AVX512")) }
}

let package = Package(
    name: "nnsearch",
    products: [
        .executable(name: "nnsearch", targets: ["NNSearchCommand"]),
    ],
    targets: [
        // The only target built with `kernelFlags` and `kernelDefines`; the others use the
        // default flags and learn which kernel build they run from `KernelBuild`.
        .target(
            name: "NNSearchKernel",
            swiftSettings: kernelDefines + [.unsafeFlags(kernelFlags)]
        ),
        .target(
            name: "NNSearch",
            dependencies: ["NNSearchKernel"]
        ),
        .target(
            name: "NNSearchCLI",
            dependencies: ["NNSearch", "NNSearchKernel"]
        ),
        .executableTarget(
            name: "NNSearchCommand",
            dependencies: ["NNSearchCLI"],
            path: "Sources/nnsearch"
        ),
        .testTarget(
            name: "NNSearchTests",
            dependencies: ["NNSearchKernel", "NNSearch", "NNSearchCLI", "NNSearchCommand"]
        ),
    ]
)
