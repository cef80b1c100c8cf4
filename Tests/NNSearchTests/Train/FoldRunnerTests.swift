import XCTest
@testable import NNSearch
@testable import NNSearchKernel

final class FoldRunnerTests: XCTestCase {
    /// sum_bin, 240 rows, dealt into `folds` × `repeats` rounds.
    private func searchData(folds: Int, repeats: Int = 1) throws -> SearchData {
        let json = #"{"version": 1, "data": {"generator": "sum_bin", "rows": 240, "seed": 5}, "validation": {"folds": \#(folds), "repeats": \#(repeats)}}"#
        return try SearchData(spec: try SearchSpec.parse(try parseJSON(json, file: "t"), file: "t.json", baseDirectory: "/"))
    }

    private func hyperparameters(epochs: Int = 3) -> Hyperparameters {
        var h = Hyperparameters()
        h.depth = 1; h.width = 8; h.epochs = epochs; h.batchSize = 16; h.normalize = .standardize
        h.optimizer = .adam; h.lr = 0.01; h.dropout = 0.1; h.schedule = .step(every: 2, gamma: 0.5)
        return h
    }

    private func foldRunner(_ h: Hyperparameters, _ data: SearchData, seed: UInt64 = 7) -> FoldRunner {
        FoldRunner(hyperparameters: h, seed: seed, rounds: data.rounds) { data.data(for: h.normalize, round: $0) }
    }

    // MARK: - Figures

    func testStandardDeviationByHand() {
        // The textbook case: mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32, 32/8 = 4.
        XCTAssertEqual(FoldRunner.standardDeviation([2, 4, 4, 4, 5, 5, 7, 9]), 2)
        // Three folds at 90, 80 and 100 %: √((0 + 0.01 + 0.01) / 3) = 0.0816496580927726; a 3-term
        // sum and a division and a root, each within half an ulp: well within 8 ulps.
        let s = FoldRunner.standardDeviation([0.9, 0.8, 1.0])
        XCTAssertEqual(s, (0.02 / 3).squareRoot(), accuracy: 8 * s.ulp)
        XCTAssertEqual(FoldRunner.standardDeviation([0.5]), 0, "one round has no spread")
        XCTAssertTrue(FoldRunner.standardDeviation([]).isNaN)
    }

    /// The trial's curve is each epoch's mean over rounds trained independently with the same
    /// hyperparameters and seed; the spread is the population standard deviation of their last epoch.
    func testCurveAndSpreadAreTheMeanAndStandardDeviationOfIndependentRounds() throws {
        let data = try searchData(folds: 3)
        let h = hyperparameters()
        let runner = foldRunner(h, data)
        while !runner.isFinished { runner.trainEpoch() }
        XCTAssertEqual(runner.epochsDone, 9)
        XCTAssertFalse(runner.diverged)
        let rounds = (0..<3).map { TrialRunner(hyperparameters: h, seed: 7, data: data.data(for: .standardize, round: $0)).run() }
        XCTAssertEqual(runner.finished, Array(rounds[0..<2]))
        XCTAssertEqual(runner.current.records, rounds[2])
        let curve = runner.curve
        XCTAssertEqual(curve.count, 3)
        for e in 0..<3 {
            let (a, b, c) = (rounds[0][e], rounds[1][e], rounds[2][e])
            // The same sums in the same order as by hand: exact.
            XCTAssertEqual(curve[e], EpochRecord(epoch: e + 1, lr: a.lr, trainLoss: (a.trainLoss + b.trainLoss + c.trainLoss) / 3,
                                                 valLoss: (a.valLoss + b.valLoss + c.valLoss) / 3,
                                                 trainMetric: (a.trainMetric + b.trainMetric + c.trainMetric) / 3,
                                                 valMetric: (a.valMetric + b.valMetric + c.valMetric) / 3))
        }
        XCTAssertNotEqual(rounds[0].last!.valMetric, rounds[1].last!.valMetric, "the folds differ")
        let finals = rounds.map { $0.last! }
        let m = curve[2].valMetric, l = curve[2].valLoss
        let spread = try XCTUnwrap(runner.spread)
        XCTAssertEqual(spread.valMetric, (finals.map { ($0.valMetric - m) * ($0.valMetric - m) }.reduce(0, +) / 3).squareRoot(),
                       accuracy: 4 * spread.valMetric.ulp)
        XCTAssertEqual(spread.valLoss, (finals.map { ($0.valLoss - l) * ($0.valLoss - l) }.reduce(0, +) / 3).squareRoot(),
                       accuracy: 4 * spread.valLoss.ulp)
    }

    /// A row written with the spread and read back: the columns, their place and their values.
    func testRowsCarryTheSpreadRightAfterTheMetricColumns() throws {
        let plan = TrialPlan(spec: try SearchSpec.parse(try parseJSON(#"{"version": 1, "data": {"generator": "sum_bin"}, "space": {"lr": [0.1]}}"#, file: "t"),
                                                        file: "t.json", baseDirectory: "/"))
        let record = EpochRecord(epoch: 2, lr: 0.1, trainLoss: 0.5, valLoss: 0.25, trainMetric: 0.75, valMetric: 0.875)
        let result = TrialResult(trial: plan.trial(0), status: .completed, records: [record, record], seconds: 1.5,
                                 spread: FoldSpread(valMetric: 0.125, valLoss: 0.0625))
        let columns = ResultColumns(space: ["lr"], task: .classification, metric: .valAccuracy, chance: nil, crossValidated: true)
        XCTAssertEqual(columns.header, ["trial", "status", "diagnosis", "lr", "epochs", "train_loss", "val_loss", "train_accuracy",
                                        "val_accuracy", "val_accuracy_std", "val_loss_std", "seconds"])
        let fields = columns.fields(result)
        XCTAssertEqual(fields, ["0", "completed", "ok", "0.1", "2", "0.5", "0.25", "0.75", "0.875", "0.125", "0.0625", "1.5"])
        let outcome = try XCTUnwrap(columns.outcome(row: fields.joined(separator: ","), plan: plan, time: 0))
        XCTAssertEqual(outcome.valMetric, 0.875)
        XCTAssertEqual(outcome.valMetricStd, 0.125)
        XCTAssertEqual(outcome.valLossStd, 0.0625)
        XCTAssertEqual(outcome.seconds, 1.5)
        XCTAssertEqual(outcome.metric, 0.875)
        // A single split's columns are unchanged, and its rows read back without a spread.
        let single = ResultColumns(space: ["lr"], task: .regression, metric: .valLoss, chance: nil)
        XCTAssertEqual(single.header.suffix(3), ["train_r2", "val_r2", "seconds"])
        XCTAssertEqual(ResultColumns(space: [], task: .regression, metric: .valLoss, chance: nil, crossValidated: true).header.suffix(3),
                       ["val_r2_std", "val_loss_std", "seconds"])
        let plain = try XCTUnwrap(single.outcome(row: single.fields(TrialResult(trial: plan.trial(0), status: .completed, records: [record], seconds: 1))
                                                    .joined(separator: ","), plan: plan, time: 0))
        XCTAssertTrue(plain.valMetricStd.isNaN)
    }

    /// A round that diverges ends the trial there: diverged, the curve stops at that epoch (its
    /// last figures non-finite), no spread.
    func testADivergingRoundEndsTheTrialThere() throws {
        let rows = 40
        func part(scale: Float, rows: Int) -> TrainingData.Part {
            TrainingData.Part(rows: rows, features: (0..<(rows * 2)).map { Float($0 % 7) * scale - 3 * scale },
                              labels: (0..<rows).map { Int32($0 % 2) }, values: [])
        }
        // Round 1's inputs are 1e18 times larger: with this learning rate its weights overflow.
        let rounds: [TrainingData] = [1, 1e18, 1].map {
            TrainingData(featureCount: 2, lossKind: .binaryCrossEntropy, train: part(scale: $0, rows: rows), validation: part(scale: $0, rows: 10))
        }
        var h = Hyperparameters()
        h.depth = 1; h.width = 4; h.epochs = 5; h.optimizer = .sgd; h.lr = 10; h.batchSize = 8
        let runner = FoldRunner(hyperparameters: h, seed: 1, rounds: 3) { rounds[$0] }
        while !runner.isFinished { runner.trainEpoch() }
        XCTAssertTrue(runner.diverged)
        XCTAssertEqual(runner.round, 1, "stopped in round 1; round 2 never ran")
        XCTAssertEqual(runner.finished.count, 1)
        let at = runner.current.records.count
        XCTAssertEqual(runner.epochsDone, 5 + at)
        let curve = runner.curve
        XCTAssertEqual(curve.count, at)
        XCTAssertTrue(curve.last!.diverged)
        XCTAssertEqual(curve.first!.valMetric, (runner.finished[0][0].valMetric + runner.current.records[0].valMetric) / 2)
        XCTAssertTrue(runner.spread!.valMetric.isNaN && runner.spread!.valLoss.isNaN)
    }

    // MARK: - Checkpoints

    /// Stopping after any epoch of any round, checkpointing and continuing in a new runner gives
    /// the same rounds, curve and spread as never stopping.
    func testRestoredAfterAnyEpochOfAnyRoundContinuesBitIdentically() throws {
        let data = try searchData(folds: 2, repeats: 2)
        let h = hyperparameters()
        let reference = foldRunner(h, data)
        while !reference.isFinished { reference.trainEpoch() }
        for stopAfter in 1..<12 {
            let first = foldRunner(h, data)
            for _ in 0..<stopAfter { first.trainEpoch() }
            let saved = first.checkpoint(identity: "t")
            let summary = try TrainingCheckpoint.peek(saved)
            XCTAssertEqual(summary, TrainingCheckpoint.Summary(identity: "t", epochs: stopAfter, round: stopAfter / 3, rounds: 4))
            let second = foldRunner(h, data)
            try second.restore(saved, identity: "t")
            XCTAssertEqual(second.epochsDone, stopAfter)
            while !second.isFinished { second.trainEpoch() }
            XCTAssertEqual(second.finished, reference.finished, "stopped after \(stopAfter)")
            XCTAssertEqual(second.curve.map(\.valLoss.bitPattern), reference.curve.map(\.valLoss.bitPattern), "stopped after \(stopAfter)")
            XCTAssertEqual(second.curve, reference.curve)
            XCTAssertEqual(second.spread, reference.spread)
        }
    }

    func testCheckpointsOfTheOtherKindOrDamagedAreRefusedClearly() throws {
        let data = try searchData(folds: 2)
        let h = hyperparameters()
        let folds = foldRunner(h, data)
        for _ in 0..<4 { folds.trainEpoch() }
        let foldBytes = folds.checkpoint(identity: "trial 1")
        let single = TrialRunner(hyperparameters: h, seed: 7, data: data.data(for: .standardize, round: 0))
        single.runEpoch()
        let singleBytes = single.checkpoint(identity: "trial 1")
        XCTAssertEqual(try TrainingCheckpoint.peek(singleBytes), TrainingCheckpoint.Summary(identity: "trial 1", epochs: 1, round: 0, rounds: 1))

        func refusal(_ body: () throws -> Void) -> String {
            do { try body(); return "accepted" } catch { return "\(error)" }
        }
        XCTAssertEqual(refusal { try foldRunner(h, data).restore(singleBytes, identity: "trial 1") },
                       "it holds a single split's trial, not a cross-validation's folds")
        XCTAssertEqual(refusal { try TrialRunner(hyperparameters: h, seed: 7, data: data.data(for: .standardize, round: 0)).restore(foldBytes, identity: "trial 1") },
                       "it holds a cross-validation's folds, not a single split's trial")
        XCTAssertEqual(refusal { try foldRunner(h, data).restore(foldBytes, identity: "trial 2") },
                       "it belongs to another configuration (trial 1)")
        XCTAssertEqual(refusal { try foldRunner(h, data).restore(foldBytes.prefix(foldBytes.count - 3), identity: "trial 1") },
                       "it is truncated (\(foldBytes.count - 27) of \(foldBytes.count - 24) bytes)")
        var flipped = foldBytes
        flipped[flipped.count - 1] ^= 1
        XCTAssertEqual(refusal { try foldRunner(h, data).restore(flipped, identity: "trial 1") }, "its checksum does not match")
        let threeFolds = try searchData(folds: 3)
        XCTAssertEqual(refusal { try self.foldRunner(h, threeFolds).restore(foldBytes, identity: "trial 1") },
                       "it holds 2 rounds of 3 epochs, not 3 of 3")
        XCTAssertThrowsError(try TrainingCheckpoint.peek(foldBytes.prefix(30)))
    }
}
