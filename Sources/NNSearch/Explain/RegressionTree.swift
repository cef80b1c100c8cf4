import NNSearchKernel

/// A CART regression tree (Breiman, Friedman, Olshen, Stone 1984) grown on one sample of a training set.
///
/// Each split minimizes the sum of squared errors of the two children. A continuous feature splits
/// by a threshold (`x <= threshold` goes left), placed halfway between the two neighbouring sample
/// values it separates (fANOVA's forest draws it uniformly between them; halfway makes the tree a
/// function of its sample and feature draws alone). A categorical feature splits by a subset of its codes: the codes seen in the
/// node are ordered by their mean target and the best cut in that order is taken, which is the best
/// of all subsets for squared error (Breiman et al. 1984, §9.4; Fisher 1958), so the arbitrary
/// numbering of categories never matters. A code not seen in the node goes to a side drawn from the
/// tree's generator, so the split still sends every code somewhere (fANOVA needs the leaves to tile
/// the whole box, and assigning unseen categories at random is what its forest does too).
///
/// At each node the features are tried in an order drawn from the generator, and the search stops
/// once `maxFeatures` of them have been tried and one of them had a valid split (as scikit-learn
/// does: a node never becomes a leaf only because the drawn features could not split it).
///
/// Growth is O(n·F) per tree level: every continuous feature is sorted once per training set, and
/// each split partitions the node's sorted runs stably instead of sorting again
/// (`RegressionTree+Growing.swift`).
package struct RegressionTree: Sendable {
    /// How a feature's values are split.
    package enum Feature: Sendable, Equatable {
        /// Ordered values, split by a threshold.
        case continuous
        /// Codes 0..<count, split by a subset of codes.
        case categorical(count: Int)
    }

    /// Limits on growth; the defaults are fANOVA's (Hutter et al. 2014; the `fanova` package).
    package struct Parameters: Sendable, Equatable {
        /// Fewest samples (bootstrap copies counted) in a leaf. 1 grows the tree until its leaves
        /// are pure, as fANOVA does: the forest's averaging, not pruning, controls the variance.
        package var minSamplesLeaf: Int
        /// The most splits on a path from the root. 64 is fANOVA's guard against pathological depth,
        /// not a regularizer: a balanced tree of 2^64 leaves is out of reach.
        package var maxDepth: Int
        /// Features drawn at each node; nil takes 70% of the splittable features, rounded down but at
        /// least one (fANOVA's default: `n_dims * 7 // 10`).
        package var maxFeatures: Int?

        package init(minSamplesLeaf: Int = 1, maxDepth: Int = 64, maxFeatures: Int? = nil) {
            precondition(minSamplesLeaf >= 1 && maxDepth >= 0 && (maxFeatures ?? 1) >= 1)
            self.minSamplesLeaf = minSamplesLeaf
            self.maxDepth = maxDepth
            self.maxFeatures = maxFeatures
        }

        /// Features drawn at each node when `splittable` features can split.
        func featuresPerNode(splittable: Int) -> Int {
            min(splittable, max(1, maxFeatures ?? splittable * 7 / 10))
        }
    }

    /// Which child a value goes to.
    package enum Rule: Sendable, Equatable {
        /// `x <= threshold` goes left.
        case threshold(Double)
        /// Code `c` goes left when `left[c]`; every code of the feature has an entry.
        case subset(left: [Bool])

        /// Whether `x` goes to the left child (a code outside the feature's range goes right).
        @inline(__always)
        package func goesLeft(_ x: Double) -> Bool {
            switch self {
            case let .threshold(t):
                return x <= t
            case let .subset(left):
                guard x >= 0, x < Double(left.count) else { return false }
                return left[Int(x)]
            }
        }
    }

    /// A node of the tree; children always come after their parent in `nodes`.
    package enum Node: Sendable, Equatable {
        /// Predicts `value`, the mean target of the `samples` samples that reached it.
        case leaf(value: Double, samples: Int)
        /// Sends a point to `nodes[left]` or `nodes[right]` by its value of `feature`.
        case split(feature: Int, rule: Rule, left: Int, right: Int)
    }

    /// Rows prepared once for every tree grown on them: columns and each continuous feature's sort order.
    package struct TrainingSet: Sendable {
        package let features: [Feature]
        package let targets: [Double]
        /// `columns[f][i]` is row i's value of feature f.
        let columns: [[Double]]
        /// For a continuous feature, the rows in ascending order of its value (ties by row); empty otherwise.
        let sortedRows: [[Int]]

        /// `rows[i][f]` is row i's value of feature f (a code 0..<count for a categorical feature);
        /// every value and target must be finite.
        package init(features: [Feature], rows: [[Double]], targets: [Double]) {
            precondition(rows.count == targets.count, "one target per row")
            precondition(targets.allSatisfy(\.isFinite), "targets must be finite")
            let columns = features.indices.map { f in rows.map { $0[f] } }
            for (f, feature) in features.enumerated() {
                switch feature {
                case .continuous:
                    precondition(columns[f].allSatisfy(\.isFinite), "feature \(f) has a value that is not finite")
                case let .categorical(count):
                    precondition(columns[f].allSatisfy { $0 >= 0 && $0 < Double(count) && $0 == $0.rounded() },
                                 "feature \(f) has a value that is not a code 0..<\(count)")
                }
            }
            self.features = features
            self.targets = targets
            self.columns = columns
            sortedRows = features.indices.map { f in features[f] == .continuous ? ascendingOrder(columns[f]) : [] }
        }

        package var count: Int { targets.count }
    }

    /// The nodes; `nodes[0]` is the root.
    package let nodes: [Node]

    /// The index in `nodes` of the leaf that `x` (one value per feature) falls in.
    package func leaf(for x: [Double]) -> Int {
        var index = 0
        while case let .split(feature, rule, left, right) = nodes[index] {
            index = rule.goesLeft(x[feature]) ? left : right
        }
        return index
    }

    /// The tree's prediction for `x` (one value per feature).
    package func predict(_ x: [Double]) -> Double {
        guard case let .leaf(value, _) = nodes[leaf(for: x)] else { preconditionFailure("leaf(for:) returns a leaf") }
        return value
    }
}
