import Foundation

/// Trains one network epoch by epoch; all of its state lives here, so it can be checkpointed.
///
/// The result depends only on the hyperparameters, the seed and the data: every random
/// draw (initial weights, each epoch's shuffle, dropout masks) comes from one `Random`
/// seeded with `seed`, in a fixed order.
package final class TrialRunner {
    let hyperparameters: Hyperparameters
    package let data: TrainingData
    package let model: MLP
    let optimizer: Optimizer
    let workspace: Workspace
    /// The passes without the general plumbing, for a net of narrow layers (nil otherwise).
    let narrow: NarrowNet?
    package let batchSize: Int
    /// The stream for shuffles and dropout (after the weights were drawn from it).
    var rng: Random
    /// Epochs finished so far, with their figures.
    package internal(set) var records: [EpochRecord] = []
    /// Training-row order, reshuffled at the start of each epoch.
    var order: [Int]
    /// Training rows predicted right so far this epoch (classification), before each update.
    private var correctThisEpoch = 0

    /// Rows evaluated at once on the validation set.
    package static let evaluationRows = 256

    /// `narrowPasses: false` runs a narrow net through the general passes (for `NarrowNetTests`).
    package init(hyperparameters h: Hyperparameters, seed: UInt64, data: TrainingData, narrowPasses: Bool = true) {
        hyperparameters = h
        self.data = data
        rng = Random(seed: seed)
        let layout = MLPLayout(inputs: data.featureCount, depth: h.depth, width: h.width,
                               outputs: data.lossKind.outputs, batchNorm: h.normalize == .batchnorm)
        model = MLP(layout: layout, activation: h.activation, initialization: h.initialization, dropout: h.dropout, rng: &rng)
        optimizer = Optimizer(kind: h.optimizer, count: layout.parameterCount, momentum: h.momentum,
                              nesterov: h.nesterov, weightDecay: h.effectiveWeightDecay)
        batchSize = min(h.batchSize, data.train.rows)
        workspace = Workspace(layout: layout, maxRows: max(batchSize, TrialRunner.evaluationRows),
                              dropout: h.dropout > 0)
        narrow = narrowPasses ? NarrowNet(model: model, workspace: workspace) : nil
        order = Array(0..<data.train.rows)
    }

    /// True once every epoch ran or the loss diverged.
    package var isFinished: Bool { records.count == hyperparameters.epochs || records.last?.diverged == true }

    /// Trains until finished and returns every epoch's figures.
    package func run() -> [EpochRecord] {
        while !isFinished { runEpoch() }
        return records
    }

    /// Trains one epoch (shuffle, mini-batches, updates), evaluates, and records the figures.
    @discardableResult
    package func runEpoch() -> EpochRecord {
        let lr = beginEpoch()
        var lossSum = 0.0
        correctThisEpoch = 0
        if let narrow, batchSize == 1 {
            lossSum = rowSteps(narrow, lr: lr)
        } else {
            let part = data.train
            var start = 0
            while start < part.rows {
                let rows = min(batchSize, part.rows - start)
                lossSum += trainStep(rows: rows, from: start, lr: lr)
                start += rows
            }
        }
        return finishEpoch(lossSum: lossSum, correct: correctThisEpoch)
    }

    /// The start of an epoch: reshuffles the training order; returns the epoch's learning rate.
    func beginEpoch() -> Double {
        rng.shuffle(&order)
        return hyperparameters.schedule.rate(base: hyperparameters.lr, epoch: records.count, epochs: hyperparameters.epochs)
    }

    /// The end of an epoch whose steps summed `lossSum` and predicted `correct` rows right: evaluates
    /// on the validation split (unless given its figures, as `evaluate` computes them) and records the figures.
    func finishEpoch(lossSum: Double, correct: Int, validation: (loss: Double, metric: Double)? = nil) -> EpochRecord {
        let epoch = records.count
        let lr = hyperparameters.schedule.rate(base: hyperparameters.lr, epoch: epoch, epochs: hyperparameters.epochs)
        let part = data.train
        let (valLoss, valMetric) = validation ?? evaluate(data.validation)
        let trainLoss = lossSum / Double(part.rows)
        // Regression: R² from the epoch's mean squared error and the training targets' variance.
        let trainMetric = data.isClassification
            ? Double(correct) / Double(part.rows)
            : (part.totalSumOfSquares > 0 ? 1 - trainLoss * Double(part.rows) / part.totalSumOfSquares : 0)
        // Losses in the target's own units (standardized targets: × std²; R² does not change).
        let unit = data.targetStd * data.targetStd
        let record = EpochRecord(epoch: epoch + 1, lr: lr, trainLoss: trainLoss * unit,
                                 valLoss: valLoss * unit, trainMetric: trainMetric, valMetric: valMetric)
        records.append(record)
        return record
    }

    /// One forward, backward and update on `order[start..<start+rows]`; returns the batch's loss sum.
    package func trainStep(rows: Int, from start: Int, lr: Double) -> Double {
        let ws = workspace
        let part = data.train
        order.withUnsafeBufferPointer { idx in
            gather(part, indices: idx.baseAddress! + start, rows: rows, into: ws)
        }
        let logits = narrow?.forward(rows: rows) ?? model.forward(ws, rows: rows, training: true, rng: &rng)
        let outPad = padded(model.layout.dims[model.layout.layers])
        zeroFloats(ws.gradA.pointer, count: rows * outPad)
        let loss = lossForwardBackward(
            data.lossKind, logits: logits, ld: outPad, rows: rows,
            labels: ws.labels, values: ws.values, dlogits: ws.gradA.pointer, scale: 1 / Float(rows))
        if data.isClassification {
            correctThisEpoch &+= correctCount(data.lossKind, logits: logits, ld: outPad, rows: rows, labels: ws.labels)
        }
        if let narrow { narrow.backward(rows: rows) } else { model.backward(ws, rows: rows) }
        optimizer.update(model.parameters.pointer, model.gradients.pointer,
                         count: model.layout.parameterCount, lr: lr)
        return loss
    }

    /// The epoch's steps for a batch of one row through the narrow passes: `trainStep`'s calls for
    /// each row of `order` in turn, the data's pointers taken once; returns the loss sum.
    ///
    /// It repeats those calls rather than sharing one step function with `trainStep`: hoisting the
    /// loss kind, the buffers and the narrow passes out of the loop is a tenth of the seed's step
    /// (callgrind: 738 instructions against 809 through a shared step).
    private func rowSteps(_ narrow: NarrowNet, lr: Double) -> Double {
        let ws = workspace, part = data.train
        let f = data.featureCount, kind = data.lossKind, classification = data.isClassification
        let input = ws.input.pointer, dlogits = ws.gradA.pointer, labels = ws.labels, values = ws.values
        let parameters = model.parameters.pointer, gradients = model.gradients.pointer
        let count = model.layout.parameterCount
        var lossSum = 0.0
        var correct = 0
        part.features.withUnsafeBufferPointer { x in
            part.labels.withUnsafeBufferPointer { y in
                part.values.withUnsafeBufferPointer { v in
                    order.withUnsafeBufferPointer { rows in
                        for row in rows {
                            // The row's features lane by lane (a copy loop becomes a `memmove` call).
                            var h = Vec()
                            for j in 0..<f { h[j] = x[row &* f &+ j] }
                            h.store(input)
                            if classification { labels[0] = y[row] } else { values[0] = v[row] }
                            let logits = narrow.forward(rows: 1)
                            // The loss writes the real lanes; the pad lanes must be zero, as `trainStep`
                            // makes them (nothing else in a batch-1 epoch writes gradA, but one store
                            // keeps that from mattering). scale 1 / rows is exactly 1 here.
                            zeroFloats(dlogits, count: vecWidth)
                            lossSum += lossForwardBackward(kind, logits: logits, ld: vecWidth, rows: 1, labels: labels,
                                                           values: values, dlogits: dlogits, scale: 1)
                            if classification { correct &+= correctCount(kind, logits: logits, ld: vecWidth, rows: 1, labels: labels) }
                            narrow.backward(rows: 1)
                            optimizer.update(parameters, gradients, count: count, lr: lr)
                        }
                    }
                }
            }
        }
        correctThisEpoch = correct
        return lossSum
    }

    /// Mean loss and accuracy (or R²) of the current network on `part`, in evaluation mode.
    func evaluate(_ part: TrainingData.Part) -> (loss: Double, metric: Double) {
        let ws = workspace
        let outPad = padded(model.layout.dims[model.layout.layers])
        var lossSum = 0.0
        var correct = 0
        var squaredError = 0.0
        var start = 0
        var unused = Random(seed: 0)
        while start < part.rows {
            let rows = min(ws.maxRows, part.rows - start)
            gather(part, from: start, rows: rows, into: ws)
            let logits = narrow?.forward(rows: rows) ?? model.forward(ws, rows: rows, training: false, rng: &unused)
            let loss = lossForwardBackward(data.lossKind, logits: logits, ld: outPad, rows: rows,
                                           labels: ws.labels, values: ws.values, dlogits: nil, scale: 1)
            lossSum += loss
            if data.isClassification {
                correct += correctCount(data.lossKind, logits: logits, ld: outPad, rows: rows, labels: ws.labels)
            } else {
                squaredError += loss
            }
            start += rows
        }
        return Self.figures(part, classification: data.isClassification, lossSum: lossSum, squaredError: squaredError, correct: correct)
    }

    /// A split's mean loss and accuracy (or R²: 1 − squared error / the targets' sum of squares) from its sums.
    static func figures(_ part: TrainingData.Part, classification: Bool, lossSum: Double, squaredError: Double,
                        correct: Int) -> (loss: Double, metric: Double) {
        let n = Double(part.rows)
        if classification { return (lossSum / n, Double(correct) / n) }
        let total = part.totalSumOfSquares
        return (lossSum / n, total > 0 ? 1 - squaredError / total : 0)
    }

    /// Copies rows `indices[0..<rows]` of `part` into the workspace's input, labels and values.
    private func gather(_ part: TrainingData.Part, indices: UnsafePointer<Int>, rows: Int, into ws: Workspace) {
        let f = data.featureCount, ld = padded(f)
        part.features.withUnsafeBufferPointer { x in
            for r in 0..<rows {
                (ws.input.pointer + r * ld).update(from: x.baseAddress! + indices[r] * f, count: f)
            }
        }
        copyTargets(part, indices: indices, rows: rows, into: ws)
    }

    /// Copies the contiguous rows start..<start+rows of `part` into the workspace.
    private func gather(_ part: TrainingData.Part, from start: Int, rows: Int, into ws: Workspace) {
        for r in 0..<rows { ws.rowIndices[r] = start + r }
        gather(part, indices: ws.rowIndices, rows: rows, into: ws)
    }

    private func copyTargets(_ part: TrainingData.Part, indices: UnsafePointer<Int>, rows: Int, into ws: Workspace) {
        if data.isClassification {
            part.labels.withUnsafeBufferPointer { y in for r in 0..<rows { ws.labels[r] = y[indices[r]] } }
        } else {
            part.values.withUnsafeBufferPointer { y in for r in 0..<rows { ws.values[r] = y[indices[r]] } }
        }
    }
}
