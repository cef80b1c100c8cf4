import Foundation
import NNSearch
import NNSearchKernel

/// The `nnsearch bench` figures: one thread, medians of repeated timings.
enum Benchmark {
    /// Median of `repeats` timings of `body`, in seconds.
    static func median(repeats: Int, _ body: () -> Void) -> Double {
        var times = [Double]()
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        times.sort()
        return times[times.count / 2]
    }

    /// Training data of `rows` rows drawn like the seed problems (2 uniform features, 3 classes).
    static func sumBinData(rows: Int) -> TrainingData {
        let data = DataGenerator.sumBin.generate(rows: rows + rows / 5, seed: 0)
        return TrainingData(train: data.subset(Array(0..<rows)), validation: data.subset(Array(rows..<(rows + rows / 5))))
    }

    /// Median seconds per optimizer step for one shape (steps timed in blocks of `block`).
    static func stepTime(_ h: Hyperparameters, data: TrainingData, block: Int, repeats: Int) -> (seconds: Double, runner: TrialRunner) {
        let runner = TrialRunner(hyperparameters: h, seed: 1, data: data)
        let rows = runner.batchSize
        let batches = data.train.rows / rows
        var b = 0
        for _ in 0..<block { _ = runner.trainStep(rows: rows, from: (b % batches) * rows, lr: h.lr); b += 1 }  // warm up
        let t = median(repeats: repeats) {
            for _ in 0..<block { _ = runner.trainStep(rows: rows, from: (b % batches) * rows, lr: h.lr); b += 1 }
        }
        return (t / Double(block), runner)
    }

    /// Runs the three kernel benchmarks of the trainer issue and the per-shape table, and prints their
    /// figures; with `anchors`, PyTorch's for the same three in the same run.
    static func runKernel(repeats: Int, anchors: Anchors?, print: (String) -> Void) {
        var small = Hyperparameters()
        small.depth = 2; small.width = 64; small.batchSize = 32; small.optimizer = .adam; small.lr = 0.001
        let (smallStep, smallRunner) = stepTime(small, data: sumBinData(rows: 1600), block: 200, repeats: repeats)
        let smallFlops = smallRunner.model.layout.trainingFlops(rows: 32)
        print("mlp 2-64-64-3 batch 32 adam: \(fmt(smallStep * 1e6, 2)) us/step, \(fmt(smallFlops / smallStep / 1e9, 1)) GFLOP/s (goal <= 10 us/step: \(fmt(smallFlops / 10e-6 / 1e9, 1)) GFLOP/s)")
        if let torch = anchors?.torchStep(["bin", "2", "64", "adam", "0.001", "32", "20"], print: print) {
            print("  PyTorch, one thread, same run (torch_trial.py bin 2 64 adam 0.001 32 20): \(fmt(torch, 1)) us/step: nnsearch \(fmt(torch / (smallStep * 1e6), 0))x faster")
        }

        // The same net with each activation: tanh, sigmoid and SELU take the kernel's own vector tanh and e^x.
        var byActivation: [String] = []
        for activation in [Activation.relu, .tanh, .sigmoid, .selu] {
            var h = small
            h.activation = activation
            let (step, _) = stepTime(h, data: sumBinData(rows: 1600), block: 200, repeats: repeats)
            byActivation.append("\(activation.rawValue) \(fmt(step * 1e6, 2))")
        }
        print("mlp 2-64-64-3 batch 32 adam by activation, us/step: " + byActivation.joined(separator: ", "))

        var seed = Hyperparameters()
        seed.depth = 1; seed.width = 2; seed.batchSize = 1; seed.optimizer = .momentum; seed.momentum = 0.9
        seed.lr = 0.001; seed.epochs = 50
        let seedData = sumBinData(rows: 2000)
        var alone: [EpochRecord] = []
        let seedSeconds = median(repeats: max(3, repeats / 4)) {
            alone = TrialRunner(hyperparameters: seed, seed: 1, data: seedData).run()
        }
        print("seed trial 2-2-3 batch 1 sgd+momentum, 50 epochs x 2000 rows (100000 steps): \(fmt(seedSeconds, 4)) s total, \(fmt(seedSeconds / 1e5 * 1e9, 0)) ns/step (goal <= 60 ns/step)")
        // The same trial with seeds 1, 2, … in the lanes of one lockstep group, as a search trains such trials.
        var together: [TrialRunner] = []
        let groupSeconds = median(repeats: max(3, repeats / 4)) {
            together = (0..<Lockstep.lanes).map { TrialRunner(hyperparameters: seed, seed: UInt64($0 + 1), data: seedData) }
            while !together[0].isFinished { Lockstep.runEpoch(together) }
        }
        let perTrialStep = groupSeconds / 1e5 / Double(Lockstep.lanes) * 1e9
        print("  \(Lockstep.lanes) such trials (seeds 1-\(Lockstep.lanes)) in lockstep, one per lane: \(fmt(groupSeconds, 4)) s total, \(fmt(perTrialStep, 1)) ns per trial-step (goal <= 60 ns/step); seed 1's \(together[0].records == alone ? "results are its results alone" : "RESULTS DIFFER FROM ITS RESULTS ALONE")")
        // The seed's own script, 5 epochs (10,000 steps): its 50 take minutes.
        if let torch = anchors?.run("seed_exact.py", ["bin", "5"], print: print).flatMap({ $0["us_per_step"] }).flatMap(Double.init) {
            print("  PyTorch, same run (seed_exact.py bin 5, the seed's own loop): \(fmt(torch * 1e3, 0)) ns/step: nnsearch \(fmt(torch * 1e3 / (seedSeconds / 1e5 * 1e9), 0))x faster")
        }

        var big = Hyperparameters()
        big.depth = 4; big.width = 512; big.batchSize = 256; big.optimizer = .adam; big.lr = 0.0001
        let (bigStep, bigRunner) = stepTime(big, data: sumBinData(rows: 2048), block: 5, repeats: repeats)
        let bigFlops = bigRunner.model.layout.trainingFlops(rows: 256)
        print("mlp 2-512x4-3 batch 256 adam: \(fmt(bigStep * 1e3, 3)) ms/step, \(fmt(bigFlops / bigStep / 1e9, 1)) GFLOP/s")
        if let torch = anchors?.torchStep(["bin", "4", "512", "adam", "0.0001", "256", "3"], print: print) {
            print("  PyTorch, one thread, same run (torch_trial.py bin 4 512 adam 0.0001 256 3): \(fmt(torch / 1e3, 3)) ms/step: nnsearch \(fmt(torch / (bigStep * 1e6), 1))x faster")
        }
        runKernelShapes(repeats: repeats, anchors: anchors, print: print)
    }

    /// Every shape of the 40-trial search's space (`optuna_search.py`: depth 1–4, width 8–128, batch
    /// 16 and 64; sum_bin's 2 inputs and 3 classes; Adam) on one thread: µs per step and GFLOP/s next to
    /// the kernel's own GEMM rate on a 512² square, the ceiling issue 13 measures them against; with
    /// `anchors`, numpy's (OpenBLAS) single-thread SGEMM on 512² and 1024² squares next to it
    /// (`Tests/anchors/sgemm.py`, from the repository's top folder), and each shape's share of the
    /// better of the two as a second, stricter ceiling.
    static func runKernelShapes(repeats: Int, anchors: Anchors?, print: (String) -> Void) {
        let ceiling = gemmRate(size: 512, repeats: max(3, repeats))
        print("kernel GEMM 512x512x512, one thread: \(fmt(ceiling, 1)) GFLOP/s (the ceiling below)")
        // OpenBLAS's best of the two squares, when the anchors run: a second, stricter ceiling.
        var blasCeiling: Double? = nil
        if let anchors {
            let blas = Anchors(python: anchors.python, folder: "Tests/anchors")
            if FileManager.default.fileExists(atPath: blas.folder + "/sgemm.py") {
                for size in [512, 1024] {
                    if let fields = blas.run("sgemm.py", [String(size)], print: print), let rate = fields["gflops"].flatMap(Double.init) {
                        print("  numpy SGEMM \(size)x\(size)x\(size), one thread, same run (Tests/anchors/sgemm.py, \(fields["blas"] ?? "?")): \(fmt(rate, 1)) GFLOP/s")
                        blasCeiling = max(blasCeiling ?? 0, rate)
                    }
                }
            } else {
                print("  numpy SGEMM: no Tests/anchors/sgemm.py here (run bench from the repository's top folder)")
            }
        }
        print("shape (2-width^depth-3)  batch   us/step  GFLOP/s  of GEMM" + (blasCeiling == nil ? "" : "  of BLAS"))
        let data = sumBinData(rows: 1024)
        var rates: [Double] = []
        for depth in 1...4 {
            for width in [8, 32, 64, 128] {
                for batch in [16, 64] {
                    var h = Hyperparameters()
                    h.depth = depth; h.width = width; h.batchSize = batch; h.optimizer = .adam; h.lr = 0.001
                    let (step, runner) = stepTime(h, data: data, block: 4096 / batch * 4, repeats: repeats)
                    let rate = runner.model.layout.trainingFlops(rows: batch) / step / 1e9
                    rates.append(rate)
                    let name = "2-\(width)x\(depth)-3"
                    print(name.padding(toLength: 25, withPad: " ", startingAt: 0) + String(format: "%5d %9.2f %8.1f %7.0f%%", batch, step * 1e6, rate, 100 * rate / ceiling)
                          + (blasCeiling.map { String(format: " %8.0f%%", 100 * rate / $0) } ?? ""))
                }
            }
        }
        rates.sort()
        for (name, top) in [("GEMM", ceiling), ("BLAS", blasCeiling)] {
            guard let top else { continue }
            print("shapes at >= 70% of \(name): \(rates.filter { $0 >= 0.7 * top }.count) of \(rates.count); median \(fmt(100 * rates[rates.count / 2] / top, 0))%, lowest \(fmt(100 * rates[0] / top, 0))%")
        }
        runLockstepShapes(data: data, repeats: repeats, print: print)
    }

    /// The shapes that train in lockstep (width 8: every layer within a vector), whole epochs (steps
    /// and validation) of one trial alone against `Lockstep.lanes` trials side by side: time per
    /// trial-step, and the lanes' GFLOP/s (every trial's arithmetic over the time).
    static func runLockstepShapes(data: TrainingData, repeats: Int, print: (String) -> Void) {
        let lanes = Lockstep.lanes, epochs = 10
        print("width-8 shapes, \(epochs) whole epochs: one trial alone against \(lanes) in lockstep, us per trial-step (GFLOP/s)")
        for depth in 1...4 {
            for batch in [16, 64] {
                var h = Hyperparameters()
                h.depth = depth; h.width = 8; h.batchSize = batch; h.optimizer = .adam; h.lr = 0.001; h.epochs = epochs
                let steps = Double(epochs * ((data.train.rows + batch - 1) / batch))
                let alone = median(repeats: max(3, repeats)) { _ = TrialRunner(hyperparameters: h, seed: 1, data: data).run() } / steps
                let together = median(repeats: max(3, repeats)) {
                    let runners = (0..<lanes).map { TrialRunner(hyperparameters: h, seed: UInt64($0 + 1), data: data) }
                    while !runners[0].isFinished { Lockstep.runEpoch(runners) }
                } / steps / Double(lanes)
                let flops = MLPLayout(dims: [2] + Array(repeating: 8, count: depth) + [3], batchNorm: false).trainingFlops(rows: batch)
                print("2-8x\(depth)-3".padding(toLength: 25, withPad: " ", startingAt: 0)
                      + String(format: "%5d %9.2f (%4.1f) %9.2f (%4.1f)  %.2fx", batch, alone * 1e6, flops / alone / 1e9,
                               together * 1e6, flops / together / 1e9, alone / together))
            }
        }
    }

    static func fmt(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
}
