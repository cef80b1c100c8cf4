import Foundation
import XCTest
@testable import NNSearch
@testable import NNSearchKernel

/// The regression tree, the forest, the exact per-tree decomposition and fANOVA importance.
///
/// Two kinds of tolerance. Where the answer is exact (a tree that fits a grid exactly, the tree's
/// decomposition against a brute-force sum), the bound is rounding: a sum of K terms is within
/// K·ulp of its value, and K ≤ 10,000 here, so 1e-12 relative is a generous bound. Where a forest
/// is fit to random samples, the estimate is biased and noisy (piecewise-constant trees put some
/// of an additive function's variance into interactions), so the bounds come from the spread of
/// the estimate over 30 data and forest seeds (seeds 0..<30, 500 trials, 32 trees), measured when
/// the tests were written and quoted at each test; each bound is at least 1.5× the worst deviation
/// seen, and well short of what a wrong decomposition gives (linear space for a log dimension moves
/// lr's share by 0.3; dropping the other dimensions' volume factor makes the shares sum past 1).
final class ImportanceTests: XCTestCase {
    // MARK: - Regression tree

    func testStepIsSplitHalfwayBetweenTheValuesItSeparates() {
        var random = Random(seed: 1)
        let xs = random.permutation(10).map(Double.init)
        let set = RegressionTree.TrainingSet(features: [.continuous], rows: xs.map { [$0] }, targets: xs.map { $0 <= 4 ? 2 : 7 })
        let tree = RegressionTree(fitting: set, random: &random)
        XCTAssertEqual(tree.nodes, [
            .split(feature: 0, rule: .threshold(4.5), left: 1, right: 2),
            .leaf(value: 2, samples: 5),
            .leaf(value: 7, samples: 5),
        ])
    }

    func testStepOnOneFeatureIsFoundBesideANoiseFeature() {
        // Feature 1 separates the targets perfectly between 0.3 and 1.3; feature 0 is noise.
        let rows: [[Double]] = [[0.9, 0.1], [0.2, 0.2], [0.5, 0.3], [0.1, 1.3], [0.7, 1.7], [0.4, 1.9]]
        let set = RegressionTree.TrainingSet(features: [.continuous, .continuous], rows: rows, targets: [5, 5, 5, -1, -1, -1])
        for seed in 0..<8 as Range<UInt64> {
            var random = Random(seed: seed)
            let tree = RegressionTree(fitting: set, parameters: .init(maxFeatures: 2), random: &random)
            XCTAssertEqual(tree.nodes, [
                .split(feature: 1, rule: .threshold(0.8), left: 1, right: 2),
                .leaf(value: 5, samples: 3),
                .leaf(value: -1, samples: 3),
            ], "seed \(seed)")
        }
    }

    func testCategoricalSplitGroupsCodesByTheirMeans() {
        // Codes 0 and 2 mean 3, codes 1 and 3 mean 0, whatever their numbering; code 4 is never seen.
        let codes = (0..<12).map { Double($0 % 4) }
        let set = RegressionTree.TrainingSet(features: [.categorical(count: 5)], rows: codes.map { [$0] },
                                             targets: codes.map { [3, 0, 3, 0][Int($0)] })
        var random = Random(seed: 3)
        let tree = RegressionTree(fitting: set, random: &random)
        guard tree.nodes.count == 3, case let .split(0, .subset(left), 1, 2) = tree.nodes[0] else {
            return XCTFail("one subset split at the root: \(tree.nodes)")
        }
        XCTAssertEqual(Array(left.prefix(4)), [false, true, false, true])
        XCTAssertEqual(left.count, 5, "the unseen code has a side too")
        XCTAssertEqual(tree.nodes[1], .leaf(value: 0, samples: 6))
        XCTAssertEqual(tree.nodes[2], .leaf(value: 3, samples: 6))
        XCTAssertEqual(tree.predict([4]), left[4] ? 0 : 3)
    }

    func testManyCategoriesAreOrderedByMeanToo() {
        // 40 codes (past the insertion sort's 32), shuffled values: even codes mean 0, odd codes 1.
        var random = Random(seed: 2)
        let codes = random.permutation(80).map { Double($0 % 40) }
        let set = RegressionTree.TrainingSet(features: [.categorical(count: 40)], rows: codes.map { [$0] },
                                             targets: codes.map { Double(Int($0) % 2) })
        let tree = RegressionTree(fitting: set, random: &random)
        guard tree.nodes.count == 3, case let .split(0, .subset(left), 1, 2) = tree.nodes[0] else {
            return XCTFail("one subset split at the root: \(tree.nodes)")
        }
        XCTAssertEqual(left, (0..<40).map { $0 % 2 == 0 })
    }

    func testConstantTargetIsOneLeaf() {
        var random = Random(seed: 4)
        let rows = (0..<50).map { _ in [random.nextDouble(), Double(random.next(below: 3))] }
        let set = RegressionTree.TrainingSet(features: [.continuous, .categorical(count: 3)], rows: rows,
                                             targets: Array(repeating: 0.1, count: 50))
        XCTAssertEqual(RegressionTree(fitting: set, random: &random).nodes, [.leaf(value: 0.1, samples: 50)])
    }

    func testPredictionIsTheMeanOfTheLeafsSamplesWithinTheLimits() {
        var random = Random(seed: 5)
        let rows = (0..<200).map { _ in [random.nextDouble(), random.nextNormal(), Double(random.next(below: 3))] }
        let targets = rows.map { $0[0] * 3 + ($0[2] == 1 ? 2 : 0) + random.nextNormal() }
        let set = RegressionTree.TrainingSet(features: [.continuous, .continuous, .categorical(count: 3)], rows: rows, targets: targets)
        var counts = Array(repeating: 0, count: 200)
        for _ in 0..<200 { counts[random.next(below: 200)] += 1 }
        let tree = RegressionTree(fitting: set, counts: counts, parameters: .init(minSamplesLeaf: 5, maxDepth: 4), random: &random)

        var sums: [Int: (weight: Int, sum: Double, magnitude: Double)] = [:]
        for (row, x) in rows.enumerated() where counts[row] > 0 {
            let leaf = tree.leaf(for: x)
            let c = Double(counts[row])
            sums[leaf, default: (0, 0, 0)].weight += counts[row]
            sums[leaf, default: (0, 0, 0)].sum += c * targets[row]
            sums[leaf, default: (0, 0, 0)].magnitude += c * abs(targets[row])
        }
        var leaves = 0
        for (index, node) in tree.nodes.enumerated() {
            guard case let .leaf(value, samples) = node else { continue }
            leaves += 1
            guard let s = sums[index] else { XCTFail("leaf \(index) holds no sample"); continue }
            XCTAssertEqual(samples, s.weight)
            XCTAssertGreaterThanOrEqual(samples, 5, "min samples per leaf")
            // Both means sum the same ≤ 200 products, maybe in another order: within 200 ulps of the magnitudes.
            XCTAssertEqual(value, s.sum / Double(s.weight), accuracy: 200 * Double.ulpOfOne * s.magnitude / Double(s.weight))
        }
        XCTAssertEqual(sums.count, leaves, "every sample reaches a leaf and every leaf has samples")
        XCTAssertGreaterThan(leaves, 4, "the targets vary, so the tree splits")
        XCTAssertLessThanOrEqual(depth(of: tree), 4, "max depth")
    }

    func testForestTreeDependsOnlyOnItsStream() {
        var random = Random(seed: 6)
        let rows = (0..<100).map { _ in [random.nextDouble(), random.nextDouble()] }
        let set = RegressionTree.TrainingSet(features: [.continuous, .continuous], rows: rows, targets: rows.map { $0[0] - $0[1] })
        let small = RandomForest(fitting: set, trees: 3, seed: 9), large = RandomForest(fitting: set, trees: 5, seed: 9)
        XCTAssertEqual(small.trees.map(\.nodes), Array(large.trees.prefix(3)).map(\.nodes))
        XCTAssertNotEqual(small.trees[0].nodes, small.trees[1].nodes, "each tree its own bootstrap sample")
        XCTAssertNotEqual(small.trees[0].nodes, RandomForest(fitting: set, trees: 1, seed: 10).trees[0].nodes)
    }

    func testAscendingOrderIsStable() {
        var random = Random(seed: 7)
        for n in [0, 1, 2, 3, 17, 64, 100] {
            let keys = (0..<n).map { _ in Double(random.next(below: 8)) - 3.5 }
            XCTAssertEqual(ascendingOrder(keys), keys.indices.sorted { (keys[$0], $0) < (keys[$1], $1) }, "n = \(n)")
        }
    }

    // MARK: - Exact decomposition of one tree

    func testTreeVarianceMatchesABruteForceSumOverCells() {
        // A tree over two intervals and three codes: the brute force evaluates it at the middle of
        // every cell of the grid of all its split points, weights each by its volume, and sums.
        var random = Random(seed: 8)
        let rows = (0..<150).map { _ in [2 * random.nextDouble() - 1, 10 * random.nextDouble(), Double(random.next(below: 3))] }
        let targets = rows.map { sin(3 * $0[0]) + 0.1 * $0[1] * $0[0] + [0, 1, -0.5][Int($0[2])] + 0.1 * random.nextNormal() }
        let set = RegressionTree.TrainingSet(features: [.continuous, .continuous, .categorical(count: 3)], rows: rows, targets: targets)
        let domains: [TreeVariance.Domain] = [.interval(low: -1, high: 1), .interval(low: 0, high: 10), .categories(count: 3)]
        for seed in 0..<4 as Range<UInt64> {
            var r = Random(seed: seed)
            let tree = RegressionTree(fitting: set, parameters: .init(minSamplesLeaf: 6), random: &r)
            let fast = TreeVariance(tree: tree, domains: domains)
            let slow = bruteForceVariance(tree: tree, domains: domains)
            let bound = 1e-12 * slow.total
            XCTAssertGreaterThan(slow.total, 0)
            XCTAssertEqual(fast.mean, slow.mean, accuracy: 1e-12 * (abs(slow.mean) + 1), "seed \(seed)")
            XCTAssertEqual(fast.total, slow.total, accuracy: bound, "seed \(seed)")
            for d in 0..<3 {
                XCTAssertEqual(fast.mainEffects[d], slow.mainEffects[d], accuracy: bound, "seed \(seed), dimension \(d)")
            }
            XCTAssertLessThanOrEqual(fast.mainEffects.reduce(0, +), fast.total * (1 + 1e-12))
        }
    }

    func testAdditiveFunctionOnAGridGetsItsExactShares() {
        // 10 × 10 × 5 cell centres, f = 10·x0 + 1·x1 + 0·x2. Without bootstrap and with every feature
        // tried, each tree's leaves are the (x0, x1) cells, so the trees are f on the grid: the shares
        // are those of the discrete uniform grid, 100/101 and 1/101 (same spacing), and x2 is never split.
        var rows: [[Double]] = []
        for i in 0..<10 { for j in 0..<10 { for k in 0..<5 { rows.append([(Double(i) + 0.5) / 10, (Double(j) + 0.5) / 10, (Double(k) + 0.5) / 5]) } } }
        let results = Importance.fanova(dimensions: unitCube(3), rows: rows, metric: rows.map { 10 * $0[0] + $0[1] }, trees: 4,
                                        bootstrap: false, parameters: .init(maxFeatures: 3))
        assertShares(results, [100.0 / 101, 1.0 / 101, 0], within: [1e-12, 1e-12, 0])
        for r in results { XCTAssertEqual(r.spread, 0, accuracy: 1e-12, r.name) }
    }

    func testPureInteractionOnAGridHasNoMainEffects() {
        // f = (x0 − ½)(x1 − ½) on a 10 × 10 grid symmetric about ½: every marginal is 0 exactly, so
        // only rounding (squared) is left.
        var rows: [[Double]] = []
        for i in 0..<10 { for j in 0..<10 { rows.append([(Double(i) + 0.5) / 10, (Double(j) + 0.5) / 10]) } }
        let results = Importance.fanova(dimensions: unitCube(2), rows: rows, metric: rows.map { ($0[0] - 0.5) * ($0[1] - 0.5) },
                                        trees: 4, bootstrap: false, parameters: .init(maxFeatures: 2))
        assertShares(results, [0, 0], within: [1e-12, 1e-12])
    }

    // MARK: - Forest estimates on random samples

    func testLinearFunctionSharesFollowTheSquaredCoefficients() {
        // f = 10·x0 + 1·x1 + 0·x2, x uniform on [0, 1]³: shares 100/101, 1/101, 0. Over 30 seeds
        // (500 trials, 32 trees) x0 ranged 0.961…0.980, x1 0.0061…0.0125, x2 0.0005…0.0045.
        let rows = uniformRows(500, 3, seed: 11)
        let results = Importance.fanova(dimensions: unitCube(3), rows: rows, metric: rows.map { 10 * $0[0] + $0[1] }, seed: 11)
        assertShares(results, [100.0 / 101, 1.0 / 101, 0], within: [0.05, 0.006, 0.01])
        XCTAssertGreaterThan(results[1].importance, results[2].importance, "a weak effect still beats none")
    }

    func testCategoricalThatDeterminesTheMetricExplainsNearlyAll() {
        // Five codes with arbitrary values and two continuous dimensions that do not matter. Over 30
        // seeds the code's share ranged 0.959…0.996 and the others' up to 0.009 (not 1 and 0: a node
        // that draws only the noise features splits on them, and a category missing from a small
        // region is sent to a random side).
        var random = Random(seed: 12)
        let rows = uniformRows(500, 2, seed: 12).map { [Double(random.next(below: 5))] + $0 }
        let dimensions = [ImportanceDimension(name: "optimizer", kind: .categorical(count: 5))] + unitCube(2)
        let results = Importance.fanova(dimensions: dimensions, rows: rows, metric: rows.map { [0, 5, 1, 3, 2][Int($0[0])] }, seed: 12)
        assertShares(results, [1, 0, 0], within: [0.08, 0.015, 0.015])
    }

    func testLogDimensionIsMeasuredInLogSpace() {
        // f = log10(lr) + x1 with lr log-uniform on [1e-5, 1]: in log space lr's share is
        // Var(U[-5, 0]) / (that + Var(U[0, 1])) = 25/26. Over 30 seeds lr ranged 0.936…0.956 and x1
        // 0.029…0.037. Read in linear space (uniform on [1e-5, 1], where nine tenths of the box has
        // log10(lr) > -1) the same trials give lr 0.55…0.65, which the second analysis checks: the
        // log flag changes the measure, not just the axis.
        let rows = uniformRows(500, 3, seed: 13).map { [pow(10, -5 + 5 * $0[0]), $0[1], $0[2]] }
        let metric = rows.map { log10($0[0]) + $0[1] }
        let logScale = [ImportanceDimension(name: "lr", kind: .continuous(low: 1e-5, high: 1, log: true))] + unitCube(3).dropFirst()
        let results = Importance.fanova(dimensions: logScale, rows: rows, metric: metric, seed: 13)
        assertShares(results, [25.0 / 26, 1.0 / 26, 0], within: [0.04, 0.015, 0.01])
        let linear = [ImportanceDimension(name: "lr", kind: .continuous(low: 1e-5, high: 1, log: false))] + unitCube(3).dropFirst()
        let linearShare = Importance.fanova(dimensions: linear, rows: rows, metric: metric, seed: 13)[0].importance
        XCTAssertLessThan(linearShare, results[0].importance - 0.15, "linear space: \(linearShare)")
    }

    func testPureInteractionOnRandomSamplesHasSmallMainEffects() {
        // f = (x0 − ½)(x1 − ½): no main effects. Over 30 seeds each of x0 and x1 got 0.02…0.09 and the
        // three main effects together 0.06…0.16: the rest (≥ 84%) is correctly left to the interaction.
        let rows = uniformRows(500, 3, seed: 14)
        let results = Importance.fanova(dimensions: unitCube(3), rows: rows, metric: rows.map { ($0[0] - 0.5) * ($0[1] - 0.5) }, seed: 14)
        assertShares(results, [0, 0, 0], within: [0.15, 0.15, 0.05])
        XCTAssertLessThan(results.reduce(0) { $0 + $1.importance }, 0.25)
    }

    // MARK: - Determinism and degenerate input

    func testSameInputSameBitsAndTheSeedMatters() {
        var random = Random(seed: 15)
        let rows = uniformRows(300, 3, seed: 15).map { $0 + [Double(random.next(below: 4))] }
        let metric = rows.map { $0[0] * $0[1] + $0[2] + [0, 0.3, 0.1, 0.2][Int($0[3])] }
        let dimensions = unitCube(3) + [ImportanceDimension(name: "c", kind: .categorical(count: 4))]
        let bits = { (r: [ImportanceResult]) in r.flatMap { [$0.importance.bitPattern, $0.spread.bitPattern] } }
        let first = Importance.fanova(dimensions: dimensions, rows: rows, metric: metric, seed: 3)
        XCTAssertEqual(bits(first), bits(Importance.fanova(dimensions: dimensions, rows: rows, metric: metric, seed: 3)))
        XCTAssertNotEqual(bits(first), bits(Importance.fanova(dimensions: dimensions, rows: rows, metric: metric, seed: 4)))
        XCTAssertEqual(first.map(\.name), ["x0", "x1", "x2", "c"])
        assertWellFormed(first)
    }

    func testDegenerateInputGivesZeros() {
        let dimensions = unitCube(2)
        let zeros = [ImportanceResult(name: "x0", importance: 0, spread: 0), ImportanceResult(name: "x1", importance: 0, spread: 0)]
        XCTAssertEqual(Importance.fanova(dimensions: dimensions, rows: [], metric: []), zeros, "no trials")
        XCTAssertEqual(Importance.fanova(dimensions: dimensions, rows: [[0.5, 0.5]], metric: [1]), zeros, "one trial")
        let rows = uniformRows(50, 2, seed: 16)
        XCTAssertEqual(Importance.fanova(dimensions: dimensions, rows: rows, metric: Array(repeating: 0.7, count: 50)), zeros, "constant metric")
        XCTAssertEqual(Importance.fanova(dimensions: dimensions, rows: rows, metric: rows.map { $0[0] }, trees: 0), zeros, "no trees")
        XCTAssertEqual(Importance.fanova(dimensions: [], rows: rows.map { _ in [] }, metric: rows.map { $0[0] }), [], "no dimensions")
        let nan = Importance.fanova(dimensions: dimensions, rows: rows, metric: Array(repeating: .nan, count: 50))
        XCTAssertEqual(nan, zeros, "no finite metric")
    }

    func testDimensionThatCannotVaryGetsExactlyZero() {
        let rows = uniformRows(200, 2, seed: 17).map { [$0[0], 0.25, 0, $0[1], 3] }
        let dimensions = [
            ImportanceDimension(name: "x", kind: .continuous(low: 0, high: 1, log: false)),
            ImportanceDimension(name: "one value in every trial", kind: .continuous(low: 0, high: 1, log: false)),
            ImportanceDimension(name: "one category", kind: .categorical(count: 1)),
            ImportanceDimension(name: "y", kind: .continuous(low: 0, high: 1, log: false)),
            ImportanceDimension(name: "a point", kind: .continuous(low: 3, high: 3, log: true)),
        ]
        let results = Importance.fanova(dimensions: dimensions, rows: rows, metric: rows.map { $0[0] + 2 * $0[3] })
        for d in [1, 2, 4] {
            XCTAssertEqual(results[d].importance, 0, results[d].name)
            XCTAssertEqual(results[d].spread, 0, results[d].name)
        }
        XCTAssertGreaterThan(results[3].importance, results[0].importance)
        assertWellFormed(results)
    }

    func testTrialsThatAreNotValuesOfTheSpaceAreLeftOut() {
        let rows = uniformRows(200, 2, seed: 18).map { [$0[0], Double(Int($0[1] * 3))] }
        let metric = rows.map { $0[0] + $0[1] }
        let dimensions = [ImportanceDimension(name: "x", kind: .continuous(low: 0, high: 1, log: false)),
                          ImportanceDimension(name: "c", kind: .categorical(count: 3))]
        let clean = Importance.fanova(dimensions: dimensions, rows: rows, metric: metric)
        let noisy = Importance.fanova(dimensions: dimensions,
                                      rows: [[0.5, 1], [.nan, 1], [0.5, 3], [0.5, 1.5], [0.5, -1]] + rows + [[.infinity, 0]],
                                      metric: [.nan] + [1, 1, 1, 1] + metric + [2])
        XCTAssertEqual(noisy, clean, "the same trials are kept, so the same bits")
        assertWellFormed(clean)
    }

    func testValuesOutsideTheRangeAreClampedNotFatal() {
        let rows = uniformRows(200, 2, seed: 19).map { [3 * $0[0] - 1, $0[1]] }   // x0 in [-1, 2], range [0, 1]
        let results = Importance.fanova(dimensions: unitCube(2), rows: rows, metric: rows.map { min(max($0[0], 0), 1) + 0.1 * $0[1] })
        assertWellFormed(results)
        XCTAssertGreaterThan(results[0].importance, 0.8, "clamped x0 still carries nearly all of the variance")
    }

    // MARK: - Cost

    func testThousandTrialsOfTenDimensionsGiveWellFormedShares() {
        // 1,000 trials × 10 dimensions (5 continuous, 5 of 6 categories) × 32 trees: well-formed shares.
        // (Its speed is not a unit test: 0.3–0.5 s of CPU in a debug build was measured by hand.)
        var random = Random(seed: 20)
        let rows = (0..<1000).map { _ in (0..<10).map { d in d % 2 == 0 ? random.nextDouble() : Double(random.next(below: 6)) } }
        let metric = rows.map { r in (0..<10).reduce(0.0) { $0 + Double($1 + 1) * r[$1] } + sin(6 * r[0] * r[2]) }
        let dimensions = (0..<10).map { d in
            ImportanceDimension(name: "h\(d)", kind: d % 2 == 0 ? .continuous(low: 0, high: 1, log: false) : .categorical(count: 6))
        }
        let results = Importance.fanova(dimensions: dimensions, rows: rows, metric: metric)
        assertWellFormed(results)
        // Every dimension carries weight in this function: the largest coefficients matter most.
        XCTAssertGreaterThan(results[9].importance, results[1].importance)
    }

    // MARK: - Helpers

    private func unitCube(_ count: Int) -> [ImportanceDimension] {
        (0..<count).map { ImportanceDimension(name: "x\($0)", kind: .continuous(low: 0, high: 1, log: false)) }
    }

    private func uniformRows(_ count: Int, _ dimensions: Int, seed: UInt64) -> [[Double]] {
        var random = Random(seed: seed, stream: 77)
        return (0..<count).map { _ in (0..<dimensions).map { _ in random.nextDouble() } }
    }

    private func depth(of tree: RegressionTree, at index: Int = 0) -> Int {
        guard case let .split(_, _, left, right) = tree.nodes[index] else { return 0 }
        return 1 + max(depth(of: tree, at: left), depth(of: tree, at: right))
    }

    private func assertShares(_ results: [ImportanceResult], _ expected: [Double], within tolerance: [Double],
                              file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(results.count, expected.count, file: file, line: line)
        for (r, (e, t)) in zip(results, zip(expected, tolerance)) {
            let error = abs(r.importance - e)
            XCTAssert(error <= t, "\(r.name): expected \(e) ± \(t), observed \(r.importance), error \(error)", file: file, line: line)
        }
        assertWellFormed(results, file: file, line: line)
    }

    private func assertWellFormed(_ results: [ImportanceResult], file: StaticString = #filePath, line: UInt = #line) {
        for r in results {
            XCTAssert((0...1).contains(r.importance) && r.spread.isFinite && r.spread >= 0,
                      "\(r.name): importance \(r.importance), spread \(r.spread)", file: file, line: line)
        }
        // Main effects are a part of the variance: they sum to at most 1 (plus rounding of a few terms).
        XCTAssertLessThanOrEqual(results.reduce(0) { $0 + $1.importance }, 1 + 1e-12, file: file, line: line)
    }

    /// Mean, variance and main effects of `tree` over `domains` by summing over every cell of the
    /// grid of all its split points (each categorical code a cell), as in the fANOVA paper's Algorithm 1.
    private func bruteForceVariance(tree: RegressionTree, domains: [TreeVariance.Domain])
        -> (mean: Double, total: Double, mainEffects: [Double]) {
        // Each dimension's cells: a representative point and its share of the dimension.
        let cells: [[(point: Double, share: Double)]] = domains.enumerated().map { d, domain in
            switch domain {
            case let .categories(count):
                return (0..<count).map { (Double($0), 1 / Double(count)) }
            case let .interval(low, high):
                var cuts = [low, high]
                for case let .split(feature, .threshold(t), _, _) in tree.nodes where feature == d { cuts.append(min(max(t, low), high)) }
                let sorted = Array(Set(cuts)).sorted()
                return zip(sorted, sorted.dropFirst()).map { ((($0 + $1) / 2), ($1 - $0) / (high - low)) }
            }
        }
        var grid: [(point: [Double], index: [Int], weight: Double)] = [([], [], 1)]
        for dimension in cells {
            grid = grid.flatMap { g in dimension.enumerated().map { (g.point + [$1.point], g.index + [$0], g.weight * $1.share) } }
        }
        let values = grid.map { tree.predict($0.point) }
        let mean = zip(grid, values).reduce(0) { $0 + $1.0.weight * $1.1 }
        let total = zip(grid, values).reduce(0) { $0 + $1.0.weight * ($1.1 - mean) * ($1.1 - mean) }
        let mainEffects = cells.indices.map { d in
            var marginal = Array(repeating: 0.0, count: cells[d].count)
            for (g, v) in zip(grid, values) { marginal[g.index[d]] += g.weight * v }
            return cells[d].indices.reduce(0.0) { sum, c in
                let share = cells[d][c].share
                guard share > 0 else { return sum }
                let f = marginal[c] / share
                return sum + share * (f - mean) * (f - mean)
            }
        }
        return (mean, total, mainEffects)
    }
}
