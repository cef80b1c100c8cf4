import NNSearchKernel

/// Which rows validate in each round of a repeated k-fold cross-validation: a pure value of the
/// rows' classes, K, R and the split seed, the same for every trial.
///
/// Repeat r draws from its own stream, `Random(seed: seed, stream: 2, r)` (the single split uses
/// stream 1). Within each class in label order (regression: all rows, one group), the rows are
/// shuffled, the groups are laid end to end, and the i-th row of that sequence goes to fold i mod K.
/// So every row validates exactly once per repeat, each fold holds within one row of n / K rows,
/// and of every class within one of its count / K — what scikit-learn's `StratifiedKFold(shuffle=True)`
/// gives (and `KFold(shuffle=True)` for regression). Round `repeat × K + fold` validates on that
/// fold and trains on the other rows; both parts keep the rows in file order.
struct FoldPlan: Sendable, Equatable {
    let folds: Int
    let repeats: Int
    /// `assignment[repeat][row]`: the fold row `row` validates in during repeat `repeat` (K ≤ 20 fits a byte).
    let assignment: [[UInt8]]

    /// Deals `groups.count` rows into folds; `groups[row]` is the row's class (all equal for regression).
    init(groups: [Int32], folds: Int, repeats: Int, seed: UInt64) {
        precondition(folds >= 2 && folds <= Int(UInt8.max) && repeats >= 1, "validated by the spec loader")
        self.folds = folds
        self.repeats = repeats
        // Rows of each group, in file order, groups in ascending order.
        var members: [Int32: [Int]] = [:]
        for (row, g) in groups.enumerated() { members[g, default: []].append(row) }
        let ordered = members.keys.sorted().map { members[$0]! }
        assignment = (0..<repeats).map { r in
            var random = Random(seed: seed, stream: 2, UInt64(r))
            var fold = [UInt8](repeating: 0, count: groups.count)
            var i = 0
            for rows in ordered {
                for p in random.permutation(rows.count) {
                    fold[rows[p]] = UInt8(i % folds)
                    i += 1
                }
            }
            return fold
        }
    }

    /// Models each trial trains: K × R.
    var rounds: Int { folds * repeats }

    /// The rows that validate in `round` (repeat × K + fold), in file order.
    func validationRows(_ round: Int) -> [Int] {
        let (r, k) = round.quotientAndRemainder(dividingBy: folds)
        return assignment[r].indices.filter { assignment[r][$0] == UInt8(k) }
    }

    /// The rows that train in `round`: every row not in its fold, in file order.
    func trainingRows(_ round: Int) -> [Int] {
        let (r, k) = round.quotientAndRemainder(dividingBy: folds)
        return assignment[r].indices.filter { assignment[r][$0] != UInt8(k) }
    }
}
