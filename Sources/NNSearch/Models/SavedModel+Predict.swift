import NNSearchKernel

/// What a model says about some rows.
package struct Predictions: Equatable, Sendable {
    package var rows: Int
    /// Classification: each row's predicted class index (into the model's class labels).
    package var classes: [Int]
    /// Classification: rows × classes probabilities, row-major.
    package var probabilities: [Float]
    /// Regression: each row's predicted value, in the target's units.
    package var values: [Float]
}

extension SavedModel {
    /// Runs the model on `rows` rows of column values (row-major, in `columns` order, as read from
    /// a file): standardization, then the kernel's own evaluation forward pass, then the output
    /// function. Bit-identical to what the trial computed on the same rows.
    package func predict(_ values: [Float], rows: Int) -> Predictions {
        var x = values
        standardization?.apply(to: &x)
        let predictor = MLPPredictor(MLP(weights: network))
        let z = predictor.logits(x, rows: rows)
        let kind = lossKind
        let outputs = kind.outputs
        switch target {
        case .classes(_, let labels):
            var classes = [Int](repeating: 0, count: rows)
            var p = [Float](repeating: 0, count: rows * labels.count)
            z.withUnsafeBufferPointer { zp in
                p.withUnsafeMutableBufferPointer { pp in
                    for r in 0..<rows {
                        classes[r] = predictedClass(kind, logits: zp.baseAddress! + r * outputs)
                        classProbabilities(kind, logits: zp.baseAddress! + r * outputs, into: pp.baseAddress! + r * labels.count)
                    }
                }
            }
            return Predictions(rows: rows, classes: classes, probabilities: p, values: [])
        case .value(_, let scale):
            let values = scale.map { s in z.map { Float(Double($0) * s.std + s.mean) } } ?? z
            return Predictions(rows: rows, classes: [], probabilities: [], values: values)
        }
    }

    /// The predictions as `predict` writes them: `row,label,p_<class>...` (row = 1-based data row of
    /// the input) for a classifier, `row,prediction` for a regressor; numbers in shortest round-trip form.
    package func predictionCSV(_ p: Predictions) -> String {
        var out = ""
        switch target {
        case .classes(_, let labels):
            out += csvLine(["row", "label"] + labels.map { "p_" + $0 })
            let k = labels.count
            for r in 0..<p.rows {
                out += csvLine([String(r + 1), labels[p.classes[r]]] + (0..<k).map { formatNumber(p.probabilities[r * k + $0]) })
            }
        case .value:
            out += csvLine(["row", "prediction"])
            for r in 0..<p.rows { out += String(r + 1) + "," + formatNumber(p.values[r]) + "\n" }
        }
        return out
    }
}
