import Foundation

/// Trains trials of one tiny shape side by side, one trial per lane (`LockstepNet`), each exactly as
/// it trains alone.
///
/// A batch-1 step of the seed's 2→2→3 net is a chain of a few hundred cycles for a few dozen
/// multiply-adds; eight such trials in the lanes of one chain cost little more than one. What may
/// share lanes is decided by the trials' shapes alone (`Key`), and each lane's arithmetic is its
/// trial's own, so a trial's result never depends on the others in its group, their number, or
/// whether it had any. The state stays in each `TrialRunner`: an epoch copies it into the lanes,
/// trains, and copies it back, so checkpoints, evaluation and records are the solo ones.
package enum Lockstep {
    /// What trials must share to train in one group: the net's shape and activation, the loss, the
    /// optimizer's rule, the batch size, and the numbers of training and validation rows (their data may differ;
    /// rates, momentum, weight decay, schedules and seeds may too).
    package struct Key: Hashable, Sendable {
        let dims: [Int]
        let activation: Activation
        let loss: LossKind
        let optimizer: OptimizerKind
        let nesterov: Bool
        let batch: Int
        let trainRows: Int
        let validationRows: Int
    }

    /// The group a trial of `h` on `data` may train in, or nil when it trains alone: a net
    /// `NarrowNet` runs (every dimension ≤ vecWidth, no batch norm, no dropout) at a batch of at most
    /// `maxBatch` rows.
    package static func key(_ h: Hyperparameters, data: TrainingData) -> Key? {
        let dims = [data.featureCount] + Array(repeating: h.width, count: h.depth) + [data.lossKind.outputs]
        let batch = min(h.batchSize, data.train.rows)
        guard batch <= maxBatch, NarrowNet.fits(dims: dims, batchNorm: h.normalize == .batchnorm, dropout: h.dropout),
              max(data.train.rows, data.validation.rows) <= Int(Int32.max) else { return nil }  // rows as 32-bit lanes
        return Key(dims: dims, activation: h.activation, loss: data.lossKind, optimizer: h.optimizer,
                   nesterov: h.optimizer == .momentum && h.nesterov, batch: batch,
                   trainRows: data.train.rows, validationRows: data.validation.rows)
    }

    /// The group `runner` may train in: `key(_:data:)` of its trial, when it runs the narrow passes.
    package static func key(_ runner: TrialRunner) -> Key? {
        runner.narrow == nil ? nil : key(runner.hyperparameters, data: runner.data)
    }

    /// Trials per group: one per lane.
    package static let lanes = vecWidth

    /// The largest batch that trains in lockstep: past it a narrow net's step is no longer a short
    /// chain of dependent operations, and the lanes' buffers grow with it.
    package static let maxBatch = 64

    /// Runs the next epoch of each of `runners` (at most `lanes`, one key, none finished), exactly as
    /// `runEpoch` would run it alone; returns their records.
    @discardableResult
    package static func runEpoch(_ runners: [TrialRunner]) -> [EpochRecord] {
        guard let head = runners.first, let key = key(head) else { return runners.map { $0.runEpoch() } }
        precondition(runners.count <= lanes && runners.allSatisfy { Lockstep.key($0) == key && !$0.isFinished },
                     "a lockstep group is at most one trial per lane, of one key, none finished")
        if runners.count == 1 { return [head.runEpoch()] }
        let net = LockstepNet(layout: head.model.layout, activation: key.activation, lossKind: head.data.lossKind,
                              optimizer: key.optimizer, nesterov: key.nesterov, batch: key.batch)
        let rates = runners.map { $0.beginEpoch() }
        for (t, r) in runners.enumerated() { load(r, into: net, lane: t) }
        let (losses, correct) = train(net, runners, rates: rates)
        let validation = evaluate(net, runners)
        let steps = (key.trainRows + key.batch - 1) / key.batch
        return runners.enumerated().map { t, r in
            store(net, lane: t, into: r, steps: steps)
            return r.finishEpoch(lossSum: losses[t], correct: correct[t], validation: validation[t])
        }
    }

    /// The epoch's steps of every lane, a batch of rows each; returns each lane's loss sum (each
    /// batch's sum from zero added in turn, as `runEpoch` adds them) and its rows predicted right.
    /// Lanes past the runners' count repeat the first runner's rows on zero parameters; nothing of
    /// theirs is kept.
    private static func train(_ net: LockstepNet, _ runners: [TrialRunner], rates lrs: [Double]) -> ([Double], [Int]) {
        let n = runners.count, rows = runners[0].data.train.rows, batch = net.batch
        var rates = LaneRates()
        for (t, r) in runners.enumerated() {
            rates.lr[t] = Float(lrs[t])
            rates.weightDecay[t] = r.optimizer.weightDecay
            rates.momentum[t] = r.optimizer.momentum
            rates.decay[t] = UpdateRule.decoupledDecay(lr: lrs[t], weightDecay: r.optimizer.weightDecay)
        }
        net.startEpoch(rates: rates)
        let adam = net.optimizer == .adam || net.optimizer == .adamw
        let steps = runners.map(\.optimizer.step)
        // The next `chunk` rows of each lane's order: order[k · vecWidth + t] is lane t's row at
        // position s0 + k (a chunk at a time: a copy of every lane's whole order would be a third
        // more memory per trial). A whole number of batches.
        let chunk = max(1, 256 / batch) * batch
        let order = UnsafeMutablePointer<Int32>.allocate(capacity: chunk * vecWidth)
        defer { order.deallocate() }
        var lossSums = DoubleVec()
        var correct = VecInts()
        withLanePointers(runners, part: { $0.train }) { lanes in
            var start = 0, step = 0
            while start < rows {
                if start % chunk == 0 {
                    for t in 0..<vecWidth {
                        runners[t < n ? t : 0].order.withUnsafeBufferPointer { o in
                            for j in 0..<min(chunk, rows &- start) { order[j &* vecWidth &+ t] = Int32(truncatingIfNeeded: o[start &+ j]) }
                        }
                    }
                }
                let count = min(batch, rows &- start)
                for b in 0..<count {
                    lanes.setRow(b, UnsafeRawPointer(order + (start % chunk &+ b) &* vecWidth).loadUnaligned(as: VecInts.self), of: net)
                }
                if adam { adamRates(&rates, steps: steps, lrs: lrs, after: step) }
                let (total, right) = net.step(rows: count, rates: rates)
                lossSums += total
                correct &+= right
                start &+= count
                step &+= 1
            }
        }
        return ((0..<n).map { lossSums[$0] }, (0..<n).map { Int(correct[$0]) })
    }

    /// Each lane's validation loss and accuracy (or R²), as `TrialRunner.evaluate` computes them: the
    /// rows in order, each chunk of `TrialRunner.evaluationRows` summed from zero, then added up.
    private static func evaluate(_ net: LockstepNet, _ runners: [TrialRunner]) -> [(loss: Double, metric: Double)] {
        let part = runners[0].data.validation, rows = part.rows
        var lossSums = DoubleVec(), chunk = DoubleVec()
        var correct = VecInts()
        withLanePointers(runners, part: { $0.validation }) { lanes in
            for r in 0..<rows {
                lanes.setRow(0, VecInts(repeating: Int32(truncatingIfNeeded: r)), of: net)
                let (loss, right) = net.evaluate()
                for t in 0..<vecWidth { chunk[t] += Double(loss[t]) }
                correct &+= VecInts(repeating: 1).replacing(with: 0, where: .!right)
                if (r &+ 1) % TrialRunner.evaluationRows == 0 || r &+ 1 == rows {
                    lossSums += chunk
                    chunk = DoubleVec()
                }
            }
        }
        // A regression's squared errors' sum is its loss sum (the same additions in the same order).
        return runners.enumerated().map { t, runner in
            TrialRunner.figures(runner.data.validation, classification: runner.data.isClassification,
                                lossSum: lossSums[t], squaredError: lossSums[t], correct: Int(correct[t]))
        }
    }

    /// Adam's step size and bias correction for each lane's next step (its `s + 1`-th this epoch), as
    /// `Optimizer.update` computes them (`UpdateRule`); lanes at the same step share one computation.
    @inline(__always)
    private static func adamRates(_ rates: inout LaneRates, steps: [Int], lrs: [Double], after s: Int) {
        var t0 = -1, corrections = (correction1: 0.0, invRootCorrection2: Float(0))
        for (lane, done) in steps.enumerated() {
            let t = done &+ s &+ 1
            if t != t0 {
                t0 = t
                corrections = UpdateRule.adamCorrections(step: t)
            }
            rates.stepSize[lane] = UpdateRule.adamStepSize(lr: lrs[lane], correction1: corrections.correction1)
            rates.invRootCorrection2[lane] = corrections.invRootCorrection2
        }
    }

    /// Each lane's features, labels and values of one part of its data (lanes past the runners' count
    /// get the first runner's), valid inside `body`.
    private static func withLanePointers(_ runners: [TrialRunner], part: (TrainingData) -> TrainingData.Part,
                                         _ body: (LaneRows) -> Void) {
        let lanes = LaneRows(features: runners[0].data.featureCount, classification: runners[0].data.isClassification)
        defer { lanes.deallocate() }
        // An empty array's buffer may have no address: such a column (labels or values) is never read.
        let none = UnsafeRawPointer(bitPattern: 64)!
        func nest(_ i: Int) {
            guard i < runners.count else {
                for t in runners.count..<vecWidth { lanes.x[t] = lanes.x[0]; lanes.y[t] = lanes.y[0]; lanes.v[t] = lanes.v[0] }
                return body(lanes)
            }
            let p = part(runners[i].data)
            p.features.withUnsafeBufferPointer { xs in
                p.labels.withUnsafeBufferPointer { ys in
                    p.values.withUnsafeBufferPointer { vs in
                        lanes.x[i] = xs.baseAddress ?? none.assumingMemoryBound(to: Float.self)
                        lanes.y[i] = ys.baseAddress ?? none.assumingMemoryBound(to: Int32.self)
                        lanes.v[i] = vs.baseAddress ?? none.assumingMemoryBound(to: Float.self)
                        nest(i + 1)
                    }
                }
            }
        }
        nest(0)
    }

    /// Copies a runner's parameters, gradients and optimizer state into `lane`.
    private static func load(_ r: TrialRunner, into net: LockstepNet, lane: Int) {
        let count = net.parameterCount
        LockstepNet.load(net.params, lane: lane, from: r.model.parameters.pointer, count: count)
        LockstepNet.load(net.grads, lane: lane, from: r.model.gradients.pointer, count: count)
        if r.optimizer.first.count > 0 { LockstepNet.load(net.first, lane: lane, from: r.optimizer.first.pointer, count: count) }
        if r.optimizer.second.count > 0 { LockstepNet.load(net.second, lane: lane, from: r.optimizer.second.pointer, count: count) }
    }

    /// Copies `lane` back into its runner, which took `steps` updates.
    private static func store(_ net: LockstepNet, lane: Int, into r: TrialRunner, steps: Int) {
        let count = net.parameterCount
        LockstepNet.store(net.params, lane: lane, to: r.model.parameters.pointer, count: count)
        LockstepNet.store(net.grads, lane: lane, to: r.model.gradients.pointer, count: count)
        if r.optimizer.first.count > 0 { LockstepNet.store(net.first, lane: lane, to: r.optimizer.first.pointer, count: count) }
        if r.optimizer.second.count > 0 { LockstepNet.store(net.second, lane: lane, to: r.optimizer.second.pointer, count: count) }
        r.optimizer.step += steps
    }
}

/// Where each lane's rows are: its features, labels or values.
struct LaneRows {
    let features: Int
    let classification: Bool
    let x = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: vecWidth)
    let y = UnsafeMutablePointer<UnsafePointer<Int32>>.allocate(capacity: vecWidth)
    let v = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: vecWidth)

    init(features: Int, classification: Bool) {
        self.features = features
        self.classification = classification
    }

    func deallocate() {
        x.deallocate()
        y.deallocate()
        v.deallocate()
    }

    /// Sets row b of `net`'s batch to row `rows[t]` of each lane t: its features and its label or value.
    @inline(__always)
    func setRow(_ b: Int, _ rows: VecInts, of net: LockstepNet) {
        let f = features
        for p in 0..<f {
            var column = Vec()
            for t in 0..<vecWidth { column[t] = x[t][Int(rows[t]) &* f &+ p] }
            net.setInput(row: b, p, column)
        }
        var labels = VecInts(), values = Vec()
        if classification {
            for t in 0..<vecWidth { labels[t] = y[t][Int(rows[t])] }
        } else {
            for t in 0..<vecWidth { values[t] = v[t][Int(rows[t])] }
        }
        net.setTarget(row: b, labels: labels, values: values)
    }
}
