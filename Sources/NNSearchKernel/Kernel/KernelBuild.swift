/// Which kernel build this binary is (it decides the vector width and FMA use).
///
/// `NNSEARCH_FMA` and `NNSEARCH_AVX512` are defined for this target only (Package.swift),
/// so other targets ask here rather than testing them.
package enum KernelBuild {
    /// One line for `nnsearch bench`: `kernel: native AVX2, 8-float vectors, FMA`.
    package static let description: String = {
        #if NNSEARCH_AVX512
        return "kernel: native AVX-512, \(vecWidth)-float vectors, FMA"
        #elseif NNSEARCH_FMA
        return "kernel: native AVX2, \(vecWidth)-float vectors, FMA"
        #else
        return "kernel: portable, \(vecWidth)-float vectors, no FMA"
        #endif
    }()
}
