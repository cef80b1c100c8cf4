/// Rows of numeric features with one target each, held in memory and shared read-only.
package struct Dataset: Sendable {
    /// What is predicted.
    enum Targets: Sendable, Equatable {
        /// Class indices 0..<names.count; `names[i]` is how class i was written in the source.
        case classes(labels: [Int32], names: [String])
        /// Real-valued targets (regression).
        case values([Float])
    }

    /// Names of the feature columns, in order.
    var featureNames: [String]
    /// Row-major features: `features[row * featureCount + column]`.
    var features: [Float]
    var targets: Targets

    var featureCount: Int { featureNames.count }
    var rowCount: Int { featureCount == 0 ? 0 : features.count / featureCount }

    /// Number of classes, or nil for regression.
    var classCount: Int? {
        if case .classes(_, let names) = targets { return names.count }
        return nil
    }

    /// The name of the only class when every row has the same one (nil for regression or several classes).
    var singleClass: String? {
        guard case .classes(let labels, let names) = targets, let first = labels.first,
              labels.allSatisfy({ $0 == first }) else { return nil }
        return names[Int(first)]
    }

    /// The rows at `indices`, in that order.
    package func subset(_ indices: [Int]) -> Dataset {
        var f = [Float]()
        f.reserveCapacity(indices.count * featureCount)
        for i in indices { f.append(contentsOf: features[(i * featureCount)..<((i + 1) * featureCount)]) }
        let t: Targets
        switch targets {
        case .classes(let labels, let names): t = .classes(labels: indices.map { labels[$0] }, names: names)
        case .values(let v): t = .values(indices.map { v[$0] })
        }
        return Dataset(featureNames: featureNames, features: f, targets: t)
    }
}
