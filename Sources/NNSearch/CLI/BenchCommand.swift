/// `nnsearch bench [--repeats N]`: the kernel's speed figures on one thread.
enum BenchCommand {
    static let usage = "nnsearch bench [--repeats N]"

    static func run(_ arguments: [String], output: @escaping (String) -> Void) throws -> Int32 {
        let args = try Arguments(arguments, command: "bench", options: ["repeats"], flags: [])
        try args.expectPositionals(0, 0, usage: usage)
        let repeats = try args.integer("repeats", in: 1...1000, command: "bench") ?? 11
        output("nnsearch bench: one thread, median of \(repeats) runs, \(kernelBuild)\n")
        Benchmark.runKernel(repeats: repeats) { output($0 + "\n") }
        return 0
    }

    /// Which kernel build this binary is (it decides the vector width and FMA use).
    static var kernelBuild: String {
        #if NNSEARCH_AVX512
        return "kernel: native AVX-512, \(vecWidth)-float vectors, FMA"
        #elseif NNSEARCH_FMA
        return "kernel: native AVX2, \(vecWidth)-float vectors, FMA"
        #else
        return "kernel: portable, \(vecWidth)-float vectors, no FMA"
        #endif
    }
}
