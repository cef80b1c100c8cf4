import NNSearchKernel

/// `nnsearch bench`: the kernel's speed on one thread, then the search's speed and overhead; with
/// `--samplers`, TPE's quality against random search and Optuna's TPE.
enum BenchCommand {
    static let usage = "nnsearch bench [--repeats N] [--kernel | --search] | bench --samplers [--seeds N] [--first-seed S] [--budget N] [--epochs N] [--lag N]"

    static func run(_ arguments: [String], output: @escaping (String) -> Void) throws -> Int32 {
        let args = try Arguments(arguments, command: "bench", options: ["repeats", "seeds", "first-seed", "budget", "epochs", "lag"],
                                 flags: ["kernel", "search", "samplers"])
        try args.expectPositionals(0, 0, usage: usage)
        if args.flags.contains("samplers") {
            let seeds = try args.integer("seeds", in: 1...100, command: "bench") ?? 5
            // Search seeds first-seed ..< first-seed + seeds: another set of seeds checks a change tuned on 0–4.
            let firstSeed = try args.integer("first-seed", in: 0...1_000_000, command: "bench") ?? 0
            let budget = try args.integer("budget", in: 1...100, command: "bench") ?? 40
            let epochs = try args.integer("epochs", in: 1...1000, command: "bench") ?? 20
            // The TPE searches' lag: by default their 2 workers, as Optuna's 2 jobs see all but the running trials.
            let lag = try args.integer("lag", in: 0...100, command: "bench") ?? Benchmark.samplerWorkers
            try Benchmark.runSamplers(seeds: firstSeed..<firstSeed + seeds, budget: budget, epochs: epochs, lag: lag) { output($0 + "\n") }
            return 0
        }
        let repeats = try args.integer("repeats", in: 1...1000, command: "bench") ?? 11
        output("nnsearch bench: one thread, median of \(repeats) runs, \(kernelBuild)\n")
        let anchors = Anchors.find { output($0 + "\n") }
        if !args.flags.contains("search") {
            Benchmark.runKernel(repeats: repeats, anchors: anchors) { output($0 + "\n") }
        }
        if !args.flags.contains("kernel") {
            try Benchmark.runSearch(repeats: repeats, anchors: anchors) { output($0 + "\n") }
        }
        return 0
    }

    /// Which kernel build this binary is (it decides the vector width and FMA use).
    static var kernelBuild: String { KernelBuild.description }
}
