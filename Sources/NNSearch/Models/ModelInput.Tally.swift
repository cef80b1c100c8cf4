extension ModelInput {
    /// What `predict` read that training rows would not have had: missing cells (filled as in
    /// training) and categories the training rows lacked (all zeros), per column.
    package struct Tally: Equatable, Sendable {
        /// A column's missing cells.
        package struct Missing: Equatable, Sendable {
            package var column: String
            package var cells: Int
            /// Whether they read as all zeros: a categorical column whose training rows had no missing
            /// cell, so it has no `NAME_missing` input.
            package var asZeros: Bool
        }

        /// One category of a column that the training rows lacked.
        package struct Unknown: Equatable, Sendable {
            package var column: String
            package var category: String
            package var cells: Int
        }

        /// In the model's column order; columns without missing cells left out.
        package var missing: [Missing]
        /// By column, then in order of first appearance.
        package var unknown: [Unknown]

        package init(missing: [Missing], unknown: [Unknown]) {
            self.missing = missing
            self.unknown = unknown
        }

        /// From the cells `ModelInput` counted: missing cells per column, and per categorical column
        /// (by slot) its texts and how many cells held each.
        init(columns: [SavedModel.Column], missing: [Int], texts: [[String]], cells: [[Int]]) {
            var missingCells = [Missing](), unknown = [Unknown]()
            var slot = 0
            for (c, column) in columns.enumerated() {
                var asZeros = false
                if case .category(let name, let categories, let hasMissing) = column {
                    asZeros = !hasMissing
                    let known = Set(categories)
                    for (k, text) in texts[slot].enumerated() where !known.contains(text) {
                        unknown.append(Unknown(column: name, category: text, cells: cells[slot][k]))
                    }
                    slot += 1
                }
                if missing[c] > 0 { missingCells.append(Missing(column: column.name, cells: missing[c], asZeros: asZeros)) }
            }
            self.init(missing: missingCells, unknown: unknown)
        }

        /// One line for standard error, or nil when every cell read as in training rows:
        /// `3 missing cells filled (age 2, embarked 1); 2 unknown categories read as all zeros (sex "X" ×2)`.
        package var summary: String? {
            var parts = [String]()
            let filled = missing.filter { !$0.asZeros }, zeroed = missing.filter(\.asZeros)
            if !filled.isEmpty {
                parts.append("\(counted(filled.reduce(0) { $0 + $1.cells }, "missing cell")) filled as in training ("
                    + Self.listed(filled.map { "\($0.column) \($0.cells)" }) + ")")
            }
            if !zeroed.isEmpty {
                parts.append("\(counted(zeroed.reduce(0) { $0 + $1.cells }, "missing cell")) read as all zeros, the training rows"
                    + " having none missing (" + Self.listed(zeroed.map { "\($0.column) \($0.cells)" }) + ")")
            }
            if !unknown.isEmpty {
                parts.append("\(counted(unknown.reduce(0) { $0 + $1.cells }, "unknown category", plural: "unknown categories"))"
                    + " read as all zeros (" + Self.listed(unknown.map { "\($0.column) \(JSONValue.echo($0.category)) ×\($0.cells)" }) + ")")
            }
            return parts.isEmpty ? nil : parts.joined(separator: "; ")
        }

        /// At most 8 items, then how many more.
        private static func listed(_ items: [String]) -> String {
            items.count <= 8 ? items.joined(separator: ", ") : items.prefix(8).joined(separator: ", ") + " and \(items.count - 8) more"
        }
    }
}
