/// A regression tree's function over a box, decomposed exactly: its variance and each dimension's main effect.
///
/// This is the single-dimension case of fANOVA (Hutter, Hoos, Leyton-Brown 2014, "An Efficient
/// Approach for Assessing Hyperparameter Importance", ICML, §3–4). Under the uniform measure on
/// the box (uniform in each interval, each category equally likely), a tree's leaves tile the box
/// with hyper-rectangles, so its mean μ and variance V are sums over leaves, each weighted by its
/// volume fraction w = Π_d w_d. The marginal of dimension j, f_j(x_j) = E[f | x_j], is constant on
/// each cell between consecutive split points on j (each category, for a categorical dimension):
///
///     f_j(c) − μ = Σ over leaves whose side on j contains cell c of (v − μ) · Π_{d≠j} w_d
///
/// (the leaves over one cell tile the other dimensions, so their Π_{d≠j} w_d sum to 1). The main
/// effect's variance is V_j = Σ_c p_c (f_j(c) − μ)², p_c the cell's share of dimension j; V_j ≤ V
/// and V_j / V is the share of the tree's variance that dimension j explains alone.
///
/// On an interval, each leaf covers a contiguous run of cells, so its term is added at the run's
/// first cell and subtracted after its last and one running sum gives every cell; Π_{d≠j} w_d comes
/// from prefix and suffix products. So a tree of L leaves over D dimensions takes O(L·D + L log L),
/// not O(L · cells · D).
package struct TreeVariance: Sendable {
    /// One side of the box: the measure its dimension is uniform under.
    package enum Domain: Sendable, Equatable {
        /// `low...high` with `low < high`, in the space the tree's thresholds are in.
        case interval(low: Double, high: Double)
        /// Codes 0..<count, each with probability 1/count.
        case categories(count: Int)
    }

    /// The tree's mean over the box.
    package let mean: Double
    /// The tree's variance over the box (V).
    package let total: Double
    /// By dimension, the variance of its marginal (V_j); exactly 0 for a dimension the tree never splits on.
    package let mainEffects: [Double]

    /// Decomposes `tree` over the box `domains` (one per feature of the tree, of the matching kind).
    package init(tree: RegressionTree, domains: [Domain]) {
        // Plain loops over arrays hoisted into locals: this module runs unoptimized in a debug build.
        let leaves = Leaves(tree: tree, domains: domains)
        let dimensions = domains.count, leafCount = leaves.values.count
        let values = leaves.values, weight = leaves.weight, fraction = leaves.fraction
        var weightSum = 0.0, valueSum = 0.0
        for l in 0..<leafCount {
            weightSum += weight[l]
            valueSum += weight[l] * values[l]
        }
        let mean = valueSum / weightSum
        var total = 0.0
        for l in 0..<leafCount { total += weight[l] * (values[l] - mean) * (values[l] - mean) }
        self.mean = mean
        self.total = total / weightSum

        // terms[l*D + j] = (v_l − μ) · Π_{d≠j} w_d, from running products before and after j.
        var terms = Array(repeating: 0.0, count: leafCount * dimensions)
        for l in 0..<leafCount {
            let base = l * dimensions
            var before = values[l] - mean
            for d in 0..<dimensions {
                terms[base + d] = before
                before *= fraction[base + d]
            }
            var after = 1.0, d = dimensions
            while d > 0 {
                d -= 1
                terms[base + d] *= after
                after *= fraction[base + d]
            }
        }

        var effects: [Double] = []
        var cutRank = Array(repeating: 0, count: tree.nodes.count)
        let lowerCut = leaves.lowerCut, upperCut = leaves.upperCut, cut = leaves.cut, allowed = leaves.allowed
        for j in 0..<dimensions {
            let splitNodes = leaves.splitNodes[j]
            guard !splitNodes.isEmpty else {
                effects.append(0)
                continue
            }
            switch domains[j] {
            case let .interval(low, high):
                // The distinct cuts on j in ascending order, from `low` to `high`; each split node's rank among them.
                var cuts = [low]
                for node in splitNodes { cuts.append(cut[node]) }
                cuts.append(high)
                var bounds: [Double] = []
                var rank = Array(repeating: 0, count: cuts.count)
                for k in ascendingOrder(cuts) {
                    if bounds.last != cuts[k] { bounds.append(cuts[k]) }
                    rank[k] = bounds.count - 1
                }
                for k in 0..<splitNodes.count { cutRank[splitNodes[k]] = rank[k + 1] }
                let lastRank = bounds.count - 1
                var change = Array(repeating: 0.0, count: bounds.count)
                for l in 0..<leafCount {
                    let lower = lowerCut[l * dimensions + j], upper = upperCut[l * dimensions + j]
                    change[lower < 0 ? 0 : cutRank[lower]] += terms[l * dimensions + j]
                    change[upper < 0 ? lastRank : cutRank[upper]] -= terms[l * dimensions + j]
                }
                var effect = 0.0, variance = 0.0
                for c in 0..<lastRank {
                    effect += change[c]
                    variance += (bounds[c + 1] - bounds[c]) * effect * effect
                }
                effects.append(variance / (high - low))
            case let .categories(count):
                var effect = Array(repeating: 0.0, count: count)
                for l in 0..<leafCount {
                    let base = l * leaves.codes + leaves.offset[j]
                    for c in 0..<count where allowed[base + c] { effect[c] += terms[l * dimensions + j] }
                }
                var variance = 0.0
                for c in 0..<count { variance += effect[c] * effect[c] }
                effects.append(variance / Double(count))
            }
        }
        mainEffects = effects
    }
}

// MARK: - Leaves

/// A tree's leaves as cells of the box: value, volume fraction on each side, and the side itself.
private struct Leaves {
    let dimensions: Int
    /// The total of the categorical dimensions' counts, and where each one's codes start.
    let codes: Int
    let offset: [Int]
    var values: [Double]
    /// By leaf: Π_d fraction.
    var weight: [Double]
    /// By leaf × dimension: the share of the dimension the leaf covers.
    var fraction: [Double]
    /// By leaf × dimension, for intervals: the split nodes whose cuts bound the leaf below and above
    /// (-1: the domain's bound).
    var lowerCut: [Int]
    var upperCut: [Int]
    /// By node, for a split on an interval: its threshold, clamped into the node's region.
    var cut: [Double]
    /// By leaf × code (`offset[d] + c`): whether the leaf covers code c of categorical dimension d.
    var allowed: [Bool]
    /// By dimension: the nodes that split on it.
    var splitNodes: [[Int]]
    /// Leaves recorded so far.
    private var recorded = 0

    /// The region of the node being visited: its bounds and the split nodes they come from, its
    /// allowed codes, and its share of each dimension.
    private var regionLow: [Double] = []
    private var regionHigh: [Double] = []
    private var regionLowerCut: [Int]
    private var regionUpperCut: [Int]
    private var regionAllowed: [Bool]
    private var regionShare: [Double]

    init(tree: RegressionTree, domains: [TreeVariance.Domain]) {
        dimensions = domains.count
        var offset: [Int] = []
        var codes = 0
        for domain in domains {
            offset.append(codes)
            switch domain {
            case let .interval(low, high):
                precondition(low < high, "an interval domain must have low < high")
                regionLow.append(low)
                regionHigh.append(high)
            case let .categories(count):
                precondition(count >= 1, "a categorical domain must have a code")
                codes += count
                regionLow.append(0)
                regionHigh.append(0)
            }
        }
        self.codes = codes
        self.offset = offset
        var leafCount = 0
        for node in tree.nodes {
            if case .leaf = node { leafCount += 1 }
        }
        values = Array(repeating: 0, count: leafCount)
        weight = Array(repeating: 0, count: leafCount)
        fraction = Array(repeating: 0, count: leafCount * dimensions)
        lowerCut = Array(repeating: -1, count: leafCount * dimensions)
        upperCut = Array(repeating: -1, count: leafCount * dimensions)
        allowed = Array(repeating: false, count: leafCount * codes)
        regionLowerCut = Array(repeating: -1, count: dimensions)
        regionUpperCut = Array(repeating: -1, count: dimensions)
        regionAllowed = Array(repeating: true, count: codes)
        regionShare = Array(repeating: 1, count: dimensions)
        cut = Array(repeating: 0, count: tree.nodes.count)
        splitNodes = Array(repeating: [], count: dimensions)
        visit(0, tree: tree, domains: domains)
        precondition(recorded == leafCount, "every leaf is reached once")
    }

    private mutating func visit(_ index: Int, tree: RegressionTree, domains: [TreeVariance.Domain]) {
        switch tree.nodes[index] {
        case let .leaf(value, _):
            let l = recorded
            recorded += 1
            var w = 1.0
            for d in 0..<dimensions {
                w *= regionShare[d]
                fraction[l * dimensions + d] = regionShare[d]
                lowerCut[l * dimensions + d] = regionLowerCut[d]
                upperCut[l * dimensions + d] = regionUpperCut[d]
            }
            for c in 0..<codes { allowed[l * codes + c] = regionAllowed[c] }
            values[l] = value
            weight[l] = w
        case let .split(feature, rule, left, right):
            splitNodes[feature].append(index)
            let share = regionShare[feature]
            switch (rule, domains[feature]) {
            case let (.threshold(t), .interval(low, high)):
                let lower = regionLow[feature], upper = regionHigh[feature]
                let lowerCut = regionLowerCut[feature], upperCut = regionUpperCut[feature]
                // A threshold outside the region (data outside the box) leaves one child empty.
                let at = min(max(t, lower), upper)
                cut[index] = at
                regionHigh[feature] = at
                regionUpperCut[feature] = index
                regionShare[feature] = (at - lower) / (high - low)
                visit(left, tree: tree, domains: domains)
                regionHigh[feature] = upper
                regionUpperCut[feature] = upperCut
                regionLow[feature] = at
                regionLowerCut[feature] = index
                regionShare[feature] = (upper - at) / (high - low)
                visit(right, tree: tree, domains: domains)
                regionLow[feature] = lower
                regionLowerCut[feature] = lowerCut
            case let (.subset(goesLeft), .categories(count)):
                precondition(goesLeft.count == count, "a subset split names a side for every code")
                let start = offset[feature]
                var saved: [Bool] = []
                for c in 0..<count { saved.append(regionAllowed[start + c]) }
                for side in [true, false] {
                    var covered = 0
                    for c in 0..<count {
                        let allowed = saved[c] && goesLeft[c] == side
                        regionAllowed[start + c] = allowed
                        if allowed { covered += 1 }
                    }
                    regionShare[feature] = Double(covered) / Double(count)
                    visit(side ? left : right, tree: tree, domains: domains)
                }
                for c in 0..<count { regionAllowed[start + c] = saved[c] }
            default:
                preconditionFailure("feature \(feature)'s split does not fit its domain")
            }
            regionShare[feature] = share
        }
    }
}
