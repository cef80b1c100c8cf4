import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// Trials trained side by side, one per lane (`Lockstep`), against each trained alone: every epoch's
/// figures, the parameters, the gradients and the optimizer's state bit for bit, whatever the group.
final class LockstepTests: XCTestCase {
    /// Groups of 1 to vecWidth trials of one shape with their own seeds, rates, momentum, weight decay
    /// and schedules, for every loss, activation and optimizer, depths 1–4 and batches of 1 row, 3
    /// (the input gradient by the transposed weight's chain; 1 and 2 rows take `dot1`'s tree) and 16
    /// (with a last batch of 2 rows: 50 training rows).
    func testGroupsTrainEachTrialAsItTrainsAlone() {
        let w = vecWidth
        let datasets: [(String, TrainingData)] = [
            ("softmax, sum_mod", TrainingFixtures.generated(.sumMod, rows: 60)),
            ("binary, heart_rate", TrainingFixtures.generated(.heartRate, rows: 60)),
            ("regression, 3 features", TrainingFixtures.regression(rows: 60, features: 3)),
            ("softmax, \(w) features", TrainingFixtures.classification(rows: 60, features: w, classes: w)),
        ]
        var groups = 0
        for (name, data) in datasets {
            for depth in 1...4 {
                for width in [1, 2, 5, w] {
                  for batch in [1, 3, 16] {
                    let activation = Activation.allCases[(depth + width + batch) % 4]
                    let optimizer = OptimizerKind.allCases[(depth * 3 + width + batch) % 4]
                    let size = 1 + (depth * 7 + width * 3 + batch) % w
                    let trials = (0..<size).map { t -> (Hyperparameters, UInt64) in
                        var h = Hyperparameters()
                        h.depth = depth; h.width = width; h.batchSize = batch; h.epochs = 2 + t % 3
                        h.activation = activation; h.optimizer = optimizer
                        h.nesterov = depth % 2 == 0
                        h.lr = (optimizer == .adam || optimizer == .adamw ? 0.003 : 0.03) * Double(t + 1)
                        h.momentum = 0.5 + 0.05 * Double(t)
                        h.weightDecay = t % 2 == 0 ? 0.01 * Double(t) : nil
                        h.schedule = t % 3 == 0 ? .cosine : .constant
                        return (h, UInt64(100 + t * 7))
                    }
                    compare(trials, data: { _ in data }, label: "\(name), depth \(depth) width \(width) batch \(batch) \(activation) \(optimizer), \(size) trials")
                    groups += 1
                  }
                }
            }
        }
        XCTAssertEqual(groups, 192)
    }

    /// Features of −0, 1e30, −∞ and NaN and rates up to 10⁴ (many trials diverge, at different epochs),
    /// each lane on data of its own: a lane's result is still its own.
    func testExtremeAndDivergingLanesMatch() {
        var trained = 0, diverged = 0
        let specials: [Float] = [-0.0, 1e30, -.infinity, .nan]
        for kind in 0..<3 {
            for depth in [1, 3] {
                for width in [2, vecWidth] {
                  for batch in [1, 3] {
                    for activation in Activation.allCases {
                        for optimizer in OptimizerKind.allCases {
                            let trials = (0..<vecWidth).map { t -> (Hyperparameters, UInt64) in
                                var h = Hyperparameters()
                                h.depth = depth; h.width = width; h.batchSize = batch; h.epochs = 3
                                h.lr = t % 2 == 0 ? 0.1 : 1e4
                                h.activation = activation; h.optimizer = optimizer
                                return (h, UInt64(t))
                            }
                            let records = compare(trials, data: { TrainingFixtures.extremes(specials[$0 % 4], kind: kind) },
                                                  label: "loss \(kind), depth \(depth) width \(width) batch \(batch) \(activation) \(optimizer)")
                            trained += records.count
                            diverged += records.filter { $0.last?.diverged == true }.count
                        }
                    }
                  }
                }
            }
        }
        XCTAssertGreaterThan(diverged, trained / 4, "the extremes should make many trials diverge")
        XCTAssertLessThan(diverged, trained, "and some should not")
    }

    /// Epochs of more rows than the row order is copied at a time (256) and a validation split of
    /// more than one evaluation chunk (256 rows): two epochs of 3,000 training and 600 validation rows.
    func testEpochsLongerThanAChunkMatch() {
        let data = TrainingFixtures.generated(.sumBin, rows: 3600)
        XCTAssertEqual(data.validation.rows, 600)
        for optimizer in [OptimizerKind.momentum, .adam] {
            let trials = (0..<5).map { t -> (Hyperparameters, UInt64) in
                var h = Hyperparameters()
                h.depth = 1; h.width = 3; h.batchSize = 1; h.epochs = 2; h.optimizer = optimizer; h.lr = 0.002 * Double(t + 1)
                return (h, UInt64(40 + t))
            }
            compare(trials, data: { _ in data }, label: "\(optimizer), 3,000 rows")
        }
    }

    /// A gradient that overflows while every input is finite (regression targets near Float's largest:
    /// 2 · (z − y) is −∞) makes the transposed weight's chain NaN in the pad units, which a solo step
    /// carries into the pads of the layer below: the group takes every element from that step. One
    /// step of 3 rows per epoch, so the state is compared right after it.
    func testAGradientThatOverflowsTakesEveryElement() {
        func part(_ n: Int) -> TrainingData.Part {
            TrainingData.Part(rows: n, features: (0..<n * 2).map { Float($0 % 5) / 5 - 0.4 }, labels: [],
                              values: [Float](repeating: 3e38, count: n))
        }
        let data = TrainingData(featureCount: 2, lossKind: .meanSquaredError, train: part(3), validation: part(2))
        for optimizer in OptimizerKind.allCases {
            // relu zeroes a pad unit's gradient (its output is 0); the others carry the NaN.
            for activation in Activation.allCases {
                let trials = (0..<3).map { t -> (Hyperparameters, UInt64) in
                    var h = Hyperparameters()
                    h.depth = 1; h.width = 4; h.batchSize = 3; h.epochs = 1; h.lr = 0.01
                    h.optimizer = optimizer; h.activation = activation
                    return (h, UInt64(t))
                }
                let records = compare(trials, data: { _ in data }, label: "\(optimizer) \(activation), targets of 3e38")
                XCTAssertTrue(records.allSatisfy { $0.last?.diverged == true }, "\(optimizer) \(activation): the loss overflows")
            }
        }
    }

    /// A pad element that is not +0 (here poked to NaN or −0; a solo trial carries it into its real
    /// gradients through the input gradient's tree) makes a group take every element, pads included.
    func testPadsThatAreNotZeroAreCarriedAsAloneTheyAre() {
        let data = TrainingFixtures.generated(.sumMod, rows: 60)
        for (optimizer, poke) in [(OptimizerKind.momentum, Float.nan), (.adam, -0.0), (.sgd, 1)] {
            let trials = (0..<3).map { t -> (Hyperparameters, UInt64) in
                var h = Hyperparameters()
                h.depth = 2; h.width = 2; h.batchSize = 1; h.epochs = 2; h.optimizer = optimizer; h.lr = 0.01
                return (h, UInt64(t))
            }
            // The last layer's first weight row, at its first pad column; in lane 1 only.
            compare(trials, data: { _ in data }, label: "\(optimizer), a pad of \(poke)", prepare: { t, runner in
                if t == 1 { runner.model.weight(2)[3] = poke }
            })
        }
    }

    /// Only narrow nets at batches of up to `Lockstep.maxBatch` rows share lanes; the key separates what lanes cannot share.
    func testKeysGroupOnlyWhatCanShareLanes() {
        let data = TrainingFixtures.generated(.sumBin, rows: 40)
        var h = Hyperparameters()
        h.depth = 1; h.width = 2; h.batchSize = 1; h.optimizer = .momentum
        let key = Lockstep.key(TrialRunner(hyperparameters: h, seed: 1, data: data))
        XCTAssertNotNil(key)
        var other = h; other.lr = 0.5; other.momentum = 0.7; other.weightDecay = 0.1; other.schedule = .cosine; other.epochs = 3
        XCTAssertEqual(Lockstep.key(TrialRunner(hyperparameters: other, seed: 9, data: data)), key, "rates and seeds may differ")
        for change in [{ (h: inout Hyperparameters) in h.batchSize = 2 }, { $0.batchSize = Lockstep.maxBatch + 1 },
                       { $0.width = vecWidth + 1 }, { $0.normalize = .batchnorm },
                       { $0.dropout = 0.1 }, { $0.width = 3 }, { $0.depth = 2 }, { $0.activation = .tanh },
                       { $0.optimizer = .adam }, { $0.nesterov = true }] {
            var changed = h
            change(&changed)
            XCTAssertNotEqual(Lockstep.key(TrialRunner(hyperparameters: changed, seed: 1, data: data)), key, "\(changed)")
        }
        var sgd = h; sgd.optimizer = .sgd
        var sgdNesterov = sgd; sgdNesterov.nesterov = true
        XCTAssertEqual(Lockstep.key(TrialRunner(hyperparameters: sgd, seed: 1, data: data)),
                       Lockstep.key(TrialRunner(hyperparameters: sgdNesterov, seed: 1, data: data)), "nesterov is momentum's alone")
        XCTAssertNotEqual(Lockstep.key(TrialRunner(hyperparameters: h, seed: 1, data: TrainingFixtures.generated(.sumBin, rows: 46))), key,
                          "another number of training rows")
    }

    /// Trains `trials` alone and as one group (each lane on `data(lane)`, made ready by `prepare`),
    /// epoch by epoch with the finished ones leaving the group, and compares; returns each trial's records.
    @discardableResult
    private func compare(_ trials: [(Hyperparameters, UInt64)], data: (Int) -> TrainingData, label: String,
                         prepare: (Int, TrialRunner) -> Void = { _, _ in },
                         file: StaticString = #filePath, line: UInt = #line) -> [[EpochRecord]] {
        func runners() -> [TrialRunner] {
            trials.enumerated().map { t, trial in
                let runner = TrialRunner(hyperparameters: trial.0, seed: trial.1, data: data(t))
                prepare(t, runner)
                return runner
            }
        }
        let alone = runners(), group = runners()
        XCTAssertTrue(group.allSatisfy { Lockstep.key($0) != nil && Lockstep.key($0) == Lockstep.key(group[0]) }, label, file: file, line: line)
        for runner in alone { runner.run() }
        while case let active = group.filter({ !$0.isFinished }), !active.isEmpty { Lockstep.runEpoch(active) }
        for (t, (a, b)) in zip(alone, group).enumerated() {
            let what = "\(label), lane \(t)"
            XCTAssertEqual(a.records.count, b.records.count, what, file: file, line: line)
            for (x, y) in zip(a.records, b.records) {
                XCTAssertEqual(TrainingFixtures.bits(x), TrainingFixtures.bits(y), "\(what): epoch \(x.epoch)", file: file, line: line)
            }
            TrainingFixtures.assertSameBits(a.model.parameters, b.model.parameters, "parameters, " + what, file: file, line: line)
            TrainingFixtures.assertSameBits(a.model.gradients, b.model.gradients, "gradients, " + what, file: file, line: line)
            TrainingFixtures.assertSameBits(a.optimizer.first, b.optimizer.first, "optimizer state, " + what, file: file, line: line)
            TrainingFixtures.assertSameBits(a.optimizer.second, b.optimizer.second, "Adam's second moment, " + what, file: file, line: line)
            XCTAssertEqual(a.optimizer.step, b.optimizer.step, what, file: file, line: line)
            XCTAssertEqual(a.order, b.order, "the shuffles, " + what, file: file, line: line)
        }
        return group.map(\.records)
    }
}
