/// How a table's feature columns become a network's inputs, learned from the training rows alone
/// (as a scikit-learn pipeline of `SimpleImputer(add_indicator=True)` and
/// `OneHotEncoder(handle_unknown="ignore")` fitted on them would be).
///
/// A numeric column is one input, its missing cells filled with the training rows' mean, plus an
/// indicator input (`NAME_missing`: 1 where the cell was missing) when any training cell is missing.
/// A categorical column is one input per category the training rows hold (`NAME=CATEGORY`, sorted
/// by UTF-8 bytes) plus `NAME_missing` when any training cell is missing; a category the training
/// rows lack (in validation rows, or at prediction) is all zeros, and so is a missing cell when the
/// training rows had none. Inputs keep the columns' order.
package struct FeatureEncoding: Sendable, Equatable {
    /// One column's encoding.
    package enum Column: Sendable, Equatable {
        /// One input; `fill` stands in for a missing cell; `indicator` adds `NAME_missing`.
        case number(name: String, fill: Float, indicator: Bool)
        /// One input per category, then `NAME_missing` when `missing`.
        case category(name: String, categories: [String], missing: Bool)

        package var name: String {
            switch self {
            case .number(let name, _, _), .category(let name, _, _): name
            }
        }

        /// The names of the inputs it makes, in order.
        package var inputNames: [String] {
            switch self {
            case .number(let name, _, let indicator): indicator ? [name, name + "_missing"] : [name]
            case .category(let name, let categories, let missing):
                categories.map { name + "=" + $0 } + (missing ? [name + "_missing"] : [])
            }
        }

        /// Inputs it makes.
        package var width: Int {
            switch self {
            case .number(_, _, let indicator): indicator ? 2 : 1
            case .category(_, let categories, let missing): categories.count + (missing ? 1 : 0)
            }
        }
    }

    package var columns: [Column]

    package init(columns: [Column]) {
        self.columns = columns
    }

    /// The network's inputs, in order.
    package var inputNames: [String] { columns.flatMap(\.inputNames) }
    package var width: Int { columns.reduce(0) { $0 + $1.width } }

    /// Learns the encoding of `table`'s columns from the rows `rows` (the training rows).
    init(learning table: FeatureTable, rows: [Int]) {
        let nw = table.numberWidth, cw = table.categoryWidth
        columns = table.columns.map { column in
            switch column.kind {
            case .number:
                var sum = 0.0, count = 0, missing = false
                for r in rows {
                    let v = table.numbers[r * nw + column.slot]
                    if v.isNaN { missing = true } else { sum += Double(v); count += 1 }
                }
                return .number(name: column.name, fill: count > 0 ? Float(sum / Double(count)) : 0, indicator: missing)
            case .category(let all):
                var seen = [Bool](repeating: false, count: all.count)
                var missing = false
                for r in rows {
                    let code = table.codes[r * cw + column.slot]
                    if code < 0 { missing = true } else { seen[Int(code)] = true }
                }
                return .category(name: column.name, categories: all.indices.filter { seen[$0] }.map { all[$0] }, missing: missing)
            }
        }
    }

    /// The rows `rows` of `table`, encoded, in that order. With the encoding learned from a table
    /// with numeric columns only and nothing missing, the features are the table's numbers as they are.
    func encode(_ table: FeatureTable, rows: [Int]) -> Dataset {
        var features = [Float]()
        if table.isPlain {
            // Numbers only, none missing: each row's numbers as they are.
            let nw = table.numberWidth
            features.reserveCapacity(rows.count * nw)
            for r in rows { features.append(contentsOf: table.numbers[(r * nw)..<((r + 1) * nw)]) }
        } else {
            features = [Float](repeating: 0, count: rows.count * width)
            features.withUnsafeMutableBufferPointer { encode(table, rows: rows, into: $0) }
        }
        let targets: Dataset.Targets
        switch table.targets {
        case .classes(let labels, let names): targets = .classes(labels: rows.map { labels[$0] }, names: names)
        case .values(let v): targets = .values(rows.map { v[$0] })
        }
        return Dataset(featureNames: inputNames, features: features, targets: targets)
    }

    /// Writes the inputs of `rows` into `out` (zeroed, `rows.count × width`).
    private func encode(_ table: FeatureTable, rows: [Int], into out: UnsafeMutableBufferPointer<Float>) {
        let nw = table.numberWidth, cw = table.categoryWidth
        let width = self.width
        // Per categorical column: the table's code → the input index within the column, or −1.
        let lookups: [[Int32]] = zip(columns, table.columns).map { encoded, column in
            guard case .category(_, let mine, _) = encoded, case .category(let all) = column.kind else { return [] }
            let position = Dictionary(mine.enumerated().map { ($1, Int32($0)) }, uniquingKeysWith: { first, _ in first })
            return all.map { position[$0] ?? -1 }
        }
        for (i, r) in rows.enumerated() {
            var at = i * width
            for (c, column) in table.columns.enumerated() {
                switch columns[c] {
                case .number(_, let fill, let indicator):
                    let v = table.numbers[r * nw + column.slot]
                    out[at] = v.isNaN ? fill : v
                    if indicator { out[at + 1] = v.isNaN ? 1 : 0 }
                case .category(_, let categories, let missing):
                    let code = table.codes[r * cw + column.slot]
                    if code < 0 {
                        if missing { out[at + categories.count] = 1 }
                    } else {
                        let k = lookups[c][Int(code)]
                        if k >= 0 { out[at + Int(k)] = 1 }
                    }
                }
                at += columns[c].width
            }
        }
    }
}
