import NNSearchKernel

extension RegressionTree {
    /// Grows a tree on `set`, sampling row i `counts[i]` times (a bootstrap sample; nil: every row once).
    ///
    /// `random` draws the feature order at each node and the side of unseen categories. A sample
    /// of no rows gives a single leaf predicting 0.
    package init(fitting set: TrainingSet, counts: [Int]? = nil, parameters: Parameters = .init(), random: inout Random) {
        let counts = counts ?? Array(repeating: 1, count: set.count)
        precondition(counts.count == set.count && counts.allSatisfy { $0 >= 0 }, "one count per row, none negative")
        var reals: [Double] = [], ids: [Int] = []
        let layout = TreeGrower.Layout(set: set, counts: counts, reals: &reals, ids: &ids)
        guard layout.m > 0 else {
            nodes = [.leaf(value: 0, samples: 0)]
            return
        }
        var generator = random
        // The grower reads and writes through pointers into these two buffers, valid only in here.
        nodes = reals.withUnsafeMutableBufferPointer { reals in
            ids.withUnsafeMutableBufferPointer { ids in
                var grower = TreeGrower(set: set, layout: layout, reals: reals.baseAddress!, ids: ids.baseAddress!,
                                        parameters: parameters, random: generator)
                _ = grower.grow(start: 0, end: grower.m, depth: 0)
                generator = grower.random
                return grower.nodes
            }
        }
        random = generator
        var reached = 0
        for case let .leaf(_, samples) in nodes { reached += samples }
        precondition(reached == counts.reduce(0, +), "every sample reaches exactly one leaf")
    }
}

/// The working state of one tree's growth: the sample's rows, partitioned node by node.
///
/// Its pointers are valid only inside `RegressionTree.init(fitting:counts:parameters:random:)`.
///
/// The sample's m distinct rows get local ids 0..<m; every buffer is flat and indexed by local id.
/// Growth runs where this module is built without optimization (debug), so the hot loops read and
/// write through plain pointers (an array subscript or a `withUnsafe…` call costs a function call
/// and a generic metadata lookup there) and step with `while` (a range iterator's `next` is a call).
struct TreeGrower {
    /// The shape of the two flat buffers a tree grows in.
    ///
    /// `reals`: features × m values, then m targets, m counts, and 3 × `codes` of scratch (sum,
    /// weight, mean by code). `ids`: `runs` × m ids, then m of scratch, m flags (1: goes left), and
    /// `codes` of scratch (codes by mean).
    struct Layout {
        /// Distinct rows in the sample.
        let m: Int
        /// Runs of local ids, m each: one per continuous feature, then the node members.
        let runs: Int
        /// The largest categorical count.
        let codes: Int
        /// For each feature, its run (-1 for a categorical feature).
        var slot: [Int] = []

        /// The layout for the sample of `counts`, filling `reals` and `ids` (empty on entry).
        init(set: RegressionTree.TrainingSet, counts: [Int], reals: inout [Double], ids: inout [Int]) {
            // Plain loops filling preallocated arrays: map, filter and append cost several times
            // more in a debug build.
            var rows: [Int] = []
            for row in 0..<set.count where counts[row] > 0 { rows.append(row) }
            let m = rows.count, features = set.features.count
            var local = Array(repeating: -1, count: set.count)
            for i in 0..<m { local[rows[i]] = i }
            var codes = 0, runs = 1
            for feature in set.features {
                if case let .categorical(count) = feature { codes = max(codes, count) } else { runs += 1 }
            }
            reals = Array(repeating: 0, count: (features + 2) * m + 3 * codes)
            ids = Array(repeating: 0, count: (runs + 2) * m + codes)
            let columns = set.columns, targets = set.targets, sortedRows = set.sortedRows
            var run = 0
            for f in 0..<features {
                let column = columns[f], base = f * m
                for i in 0..<m { reals[base + i] = column[rows[i]] }
                guard set.features[f] == .continuous else {
                    slot.append(-1)
                    continue
                }
                slot.append(run)
                var p = run * m
                for row in sortedRows[f] where local[row] >= 0 {
                    ids[p] = local[row]
                    p += 1
                }
                run += 1
            }
            for i in 0..<m {
                reals[features * m + i] = targets[rows[i]]
                reals[(features + 1) * m + i] = Double(counts[rows[i]])
                ids[run * m + i] = i
            }
            self.m = m
            self.runs = runs
            self.codes = codes
        }
    }

    /// The best split found so far at a node.
    struct Candidate {
        var feature: Int
        var gain: Double
        /// Continuous: the position in the feature's run after which the cut falls.
        var position = 0
        /// Categorical: the codes seen in the node in ascending mean order, and how many go left.
        var order: [Int] = []
        var leftCodes = 0
    }

    let features: [RegressionTree.Feature]
    let parameters: RegressionTree.Parameters
    let m: Int
    /// Each feature's run in `order` (-1 for a categorical feature).
    let slot: [Int]
    /// Features that can split at all (categorical features with one code cannot), in the order last drawn.
    var candidates: [Int]
    let perNode: Int
    var random: Random
    var nodes: [RegressionTree.Node] = []

    /// `x[f*m + i]`: feature f of local row i; `y[i]` its target and `w[i]` its count.
    let x: UnsafeMutablePointer<Double>
    let y: UnsafeMutablePointer<Double>
    let w: UnsafeMutablePointer<Double>
    /// By code, for the categorical feature being evaluated: target sum, weight and mean (cleared after use).
    let codeSum: UnsafeMutablePointer<Double>
    let codeWeight: UnsafeMutablePointer<Double>
    let codeMean: UnsafeMutablePointer<Double>
    /// Runs of local ids, m each: a continuous feature's run holds them in ascending value order
    /// (ties by row), the last (`members`) in id order. A node owns positions start..<end of every run.
    let order: UnsafeMutablePointer<Int>
    let runs: Int
    let members: UnsafeMutablePointer<Int>
    let scratch: UnsafeMutablePointer<Int>
    /// By local id: 1 when the split being applied sends it left.
    let goesLeft: UnsafeMutablePointer<Int>
    /// The seen codes of the categorical feature being evaluated, by ascending mean.
    let codeOrder: UnsafeMutablePointer<Int>

    init(set: RegressionTree.TrainingSet, layout: Layout, reals: UnsafeMutablePointer<Double>, ids: UnsafeMutablePointer<Int>,
         parameters: RegressionTree.Parameters, random: Random) {
        features = set.features
        self.parameters = parameters
        self.random = random
        m = layout.m
        slot = layout.slot
        candidates = set.features.indices.filter { f in
            if case let .categorical(count) = set.features[f] { return count >= 2 }
            return true
        }
        perNode = parameters.featuresPerNode(splittable: candidates.count)
        let f = set.features.count, codes = layout.codes
        x = reals
        y = reals + f * m
        w = reals + (f + 1) * m
        codeSum = reals + (f + 2) * m
        codeWeight = codeSum + codes
        codeMean = codeWeight + codes
        runs = layout.runs
        order = ids
        members = ids + (runs - 1) * m
        scratch = ids + runs * m
        goesLeft = scratch + m
        codeOrder = goesLeft + m
    }

    /// Grows the subtree of the node at positions start..<end and returns its root's index in `nodes`.
    mutating func grow(start: Int, end: Int, depth: Int) -> Int {
        var weight = 0.0, sum = 0.0
        var lowest = Double.infinity, highest = -Double.infinity
        var p = start
        while p < end {
            let i = members[p]
            weight += w[i]
            sum += w[i] * y[i]
            lowest = min(lowest, y[i])
            highest = max(highest, y[i])
            p += 1
        }
        // A pure node is a leaf: no split can lower its error. It predicts its target exactly (a
        // mean of equal values may be off by rounding), so a constant target stays one leaf.
        let pure = lowest == highest
        let mean = pure ? lowest : sum / weight
        let index = nodes.count
        nodes.append(.leaf(value: mean, samples: Int(weight)))
        guard depth < parameters.maxDepth, weight >= Double(2 * parameters.minSamplesLeaf), !pure,
              let best = bestSplit(start: start, end: end, weight: weight, mean: mean)
        else { return index }
        let rule = rule(for: best)
        let middle = partition(start: start, end: end, feature: best.feature, rule: rule)
        precondition(start < middle && middle < end, "a split leaves samples on both sides")
        let left = grow(start: start, end: middle, depth: depth + 1)
        let right = grow(start: middle, end: end, depth: depth + 1)
        nodes[index] = .split(feature: best.feature, rule: rule, left: left, right: right)
        return index
    }

    /// The split of the node at start..<end that most lowers the squared error, among the features drawn.
    mutating func bestSplit(start: Int, end: Int, weight: Double, mean: Double) -> Candidate? {
        var best: Candidate? = nil
        for k in candidates.indices {
            if k >= perNode && best != nil { break }
            // A partial Fisher–Yates shuffle: candidates[k] is drawn from those not tried at this node.
            candidates.swapAt(k, k + random.next(below: candidates.count - k))
            let feature = candidates[k]
            let found = slot[feature] >= 0
                ? bestThreshold(feature: feature, start: start, end: end, weight: weight, mean: mean)
                : bestSubset(feature: feature, start: start, end: end, weight: weight, mean: mean)
            if let found, found.gain > (best?.gain ?? 0) { best = found }
        }
        return best
    }

    /// The best threshold on a continuous feature: a cut between two distinct values of the node's run.
    ///
    /// With targets centred on the node mean, a cut whose left side weighs W_L and sums to S_L lowers
    /// the squared error by S_L² · W / (W_L · (W − W_L)) (the right side sums to −S_L).
    func bestThreshold(feature: Int, start: Int, end: Int, weight: Double, mean: Double) -> Candidate? {
        let x = x + feature * m, run = order + slot[feature] * m
        let minLeaf = Double(parameters.minSamplesLeaf)
        var bestGain = 0.0, bestPosition = -1
        var leftWeight = 0.0, leftSum = 0.0
        var i = run[start]
        var p = start
        while p < end - 1 {
            let next = run[p + 1]
            leftWeight += w[i]
            leftSum += w[i] * (y[i] - mean)
            if x[i] < x[next], leftWeight >= minLeaf, weight - leftWeight >= minLeaf {
                let gain = leftSum * leftSum * weight / (leftWeight * (weight - leftWeight))
                if gain > bestGain {
                    bestGain = gain
                    bestPosition = p
                }
            }
            i = next
            p += 1
        }
        return bestPosition < 0 ? nil : Candidate(feature: feature, gain: bestGain, position: bestPosition)
    }

    /// The best subset of a categorical feature's codes: the best cut of the seen codes ordered by
    /// mean (gain as in `bestThreshold`).
    func bestSubset(feature: Int, start: Int, end: Int, weight: Double, mean: Double) -> Candidate? {
        guard case let .categorical(count) = features[feature] else { preconditionFailure("a categorical feature") }
        let x = x + feature * m
        var p = start
        while p < end {
            let i = members[p], code = Int(x[i])
            codeSum[code] += w[i] * (y[i] - mean)
            codeWeight[code] += w[i]
            p += 1
        }
        var seen = 0
        for code in 0..<count where codeWeight[code] > 0 {
            codeMean[code] = codeSum[code] / codeWeight[code]
            codeOrder[seen] = code
            seen += 1
        }
        if seen <= 32 {
            // Insertion sort: categories are few, and it is stable like `ascendingOrder` (ties by code).
            for k in 1..<max(seen, 1) {
                let code = codeOrder[k]
                var j = k
                while j > 0 && codeMean[code] < codeMean[codeOrder[j - 1]] {
                    codeOrder[j] = codeOrder[j - 1]
                    j -= 1
                }
                codeOrder[j] = code
            }
        } else {
            let codes = (0..<seen).map { codeOrder[$0] }
            for (k, position) in ascendingOrder(codes.map { codeMean[$0] }).enumerated() { codeOrder[k] = codes[position] }
        }
        let minLeaf = Double(parameters.minSamplesLeaf)
        var bestGain = 0.0, bestCut = 0
        var leftWeight = 0.0, leftSum = 0.0
        for k in 0..<max(seen - 1, 0) {
            leftWeight += codeWeight[codeOrder[k]]
            leftSum += codeSum[codeOrder[k]]
            guard leftWeight >= minLeaf, weight - leftWeight >= minLeaf else { continue }
            let gain = leftSum * leftSum * weight / (leftWeight * (weight - leftWeight))
            if gain > bestGain {
                bestGain = gain
                bestCut = k + 1
            }
        }
        for k in 0..<seen {
            codeSum[codeOrder[k]] = 0
            codeWeight[codeOrder[k]] = 0
        }
        guard bestCut > 0 else { return nil }
        var order: [Int] = []
        order.reserveCapacity(seen)
        for k in 0..<seen { order.append(codeOrder[k]) }
        return Candidate(feature: feature, gain: bestGain, order: order, leftCodes: bestCut)
    }

    /// The rule of a chosen split: a threshold halfway between the two values it separates, or the
    /// seen codes below the cut plus each unseen code with probability 1/2.
    mutating func rule(for best: Candidate) -> RegressionTree.Rule {
        if slot[best.feature] >= 0 {
            let x = x + best.feature * m, run = order + slot[best.feature] * m
            let below = x[run[best.position]], above = x[run[best.position + 1]]
            // Halfway, unless rounding lands it on the value above (adjacent doubles): then the value below.
            let half = below + (above - below) / 2
            return .threshold(half < above ? half : below)
        }
        guard case let .categorical(count) = features[best.feature] else { preconditionFailure("a categorical feature") }
        var left = Array(repeating: false, count: count)
        var seen = Array(repeating: false, count: count)
        for k in 0..<best.order.count {
            left[best.order[k]] = k < best.leftCodes
            seen[best.order[k]] = true
        }
        for code in 0..<count where !seen[code] { left[code] = random.next() & 1 == 1 }
        return .subset(left: left)
    }

    /// Moves the local ids that `rule` sends left to the front of the node's positions in every run,
    /// keeping each run's order, and returns where the right child's positions begin.
    func partition(start: Int, end: Int, feature: Int, rule: RegressionTree.Rule) -> Int {
        let x = x + feature * m
        var leftCount = 0
        var p = start
        switch rule {
        case let .threshold(t):
            while p < end {
                let i = members[p]
                goesLeft[i] = x[i] <= t ? 1 : 0
                leftCount += goesLeft[i]
                p += 1
            }
        case let .subset(left):
            while p < end {
                let i = members[p]
                goesLeft[i] = left[Int(x[i])] ? 1 : 0
                leftCount += goesLeft[i]
                p += 1
            }
        }
        for s in 0..<runs {
            let run = order + s * m
            var l = start, r = 0
            p = start
            while p < end {
                let i = run[p]
                if goesLeft[i] == 1 {
                    run[l] = i
                    l += 1
                } else {
                    scratch[r] = i
                    r += 1
                }
                p += 1
            }
            precondition(l == start + leftCount, "every run holds the node's ids")
            for k in 0..<r { run[l + k] = scratch[k] }
        }
        return start + leftCount
    }
}
