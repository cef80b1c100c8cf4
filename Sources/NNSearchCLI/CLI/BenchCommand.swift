import NNSearchKernel

/// `nnsearch bench`: the kernel's speed on one thread, then the search's speed and overhead.
enum BenchCommand {
    static let usage = "nnsearch bench [--repeats N] [--kernel | --search]"

    static func run(_ arguments: [String], output: @escaping (String) -> Void) throws -> Int32 {
        let args = try Arguments(arguments, command: "bench", options: ["repeats"], flags: ["kernel", "search"])
        try args.expectPositionals(0, 0, usage: usage)
        let repeats = try args.integer("repeats", in: 1...1000, command: "bench") ?? 11
        output("nnsearch bench: one thread, median of \(repeats) runs, \(kernelBuild)\n")
        if !args.flags.contains("search") {
            Benchmark.runKernel(repeats: repeats) { output($0 + "\n") }
        }
        if !args.flags.contains("kernel") {
            try Benchmark.runSearch(repeats: repeats) { output($0 + "\n") }
        }
        return 0
    }

    /// Which kernel build this binary is (it decides the vector width and FMA use).
    static var kernelBuild: String { KernelBuild.description }
}
