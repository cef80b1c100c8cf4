import NNSearchKernel

/// A random forest of regression trees (Breiman 2001), each grown on its own bootstrap sample.
///
/// Tree t takes everything random from `Random(seed: seed, stream: t)`: first the n draws of its
/// bootstrap sample, then its feature orders and unseen-category sides. So a forest depends only
/// on its inputs and seed, and tree t is the same whatever the number of trees.
package struct RandomForest: Sendable {
    package let trees: [RegressionTree]

    /// Grows `trees` trees on `set`; without `bootstrap` every tree sees every row once (then
    /// the trees differ only by their feature draws).
    package init(fitting set: RegressionTree.TrainingSet, trees: Int, seed: UInt64, bootstrap: Bool = true,
                 parameters: RegressionTree.Parameters = .init()) {
        precondition(trees >= 0, "a forest has no fewer than 0 trees")
        let n = set.count
        self.trees = (0..<trees).map { t in
            var random = Random(seed: seed, stream: UInt64(t))
            var counts = Array(repeating: bootstrap ? 0 : 1, count: n)
            if bootstrap {
                for _ in 0..<n { counts[random.next(below: n)] += 1 }
            }
            return RegressionTree(fitting: set, counts: counts, parameters: parameters, random: &random)
        }
    }

    /// The mean of the trees' predictions for `x` (0 for a forest of no trees).
    package func predict(_ x: [Double]) -> Double {
        guard !trees.isEmpty else { return 0 }
        return trees.reduce(0) { $0 + $1.predict(x) } / Double(trees.count)
    }
}
