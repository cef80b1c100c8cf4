import Foundation

extension CommandLine {
    /// Runs the `nnsearch` command line and returns the process exit status.
    public static func runMain() -> Int32 {
        if CommandLine.arguments.dropFirst().first == "gemmbench" {
            for (m, n, k, t) in [(256, 512, 512, false), (512, 512, 256, true), (32, 64, 64, false), (64, 64, 32, true)] {
                print(m, n, k, t, benchMatmul(m: m, n: n, k: k, transposedA: t))
            }
            return 0
        }
        if CommandLine.arguments.dropFirst().first == "smallbench" {
            var small = Hyperparameters()
            small.depth = 2; small.width = 64; small.batchSize = 32; small.optimizer = .adam; small.lr = 0.001
            let (t, _) = Benchmark.stepTime(small, data: Benchmark.sumBinData(rows: 1600), block: 20000, repeats: 11)
            print(t * 1e6)
            return 0
        }
        if CommandLine.arguments.dropFirst().first == "bench" {
            Benchmark.runKernel(repeats: 11) { print($0) }
            var h = Hyperparameters(); h.depth = 2; h.width = 64; h.epochs = 20; h.lr = 0.01
            let r = TrialRunner(hyperparameters: h, seed: 3, data: Benchmark.sumBinData(rows: 1600))
            for e in r.run() { print(e) }
            return 0
        }
        FileHandle.standardError.write("nnsearch: not implemented yet\n".data(using: .utf8)!)
        return 70
    }
}
