/// A data file's rows as read, before any encoding: each feature column holds numbers (NaN where a
/// cell is missing) or category codes (−1 where a cell is missing), and every row a target.
///
/// The numbers of all numeric columns are one row-major array, `numbers[row × numberWidth + slot]`,
/// and so are the codes of the categorical ones; a column's `slot` says where its cells are. A table
/// whose columns are all numeric with no cell missing encodes to exactly the `Dataset` it was made from.
package struct FeatureTable: Sendable {
    /// What a column's cells are.
    package enum Kind: Sendable, Equatable {
        case number
        /// Codes index `categories`: every distinct text in the column, sorted by UTF-8 bytes.
        case category([String])
    }

    /// One feature column.
    package struct Column: Sendable, Equatable {
        package var name: String
        package var kind: Kind
        /// Its index among the columns of its kind.
        package var slot: Int
        /// Cells that are missing (empty, `NA`, `NaN`, `null`, …) in the whole file.
        package var missing: Int
        /// Distinct non-missing values in the whole file.
        package var distinct: Int
        /// Whether every non-missing cell is an integer (numeric columns).
        package var integers: Bool

        package init(name: String, kind: Kind, slot: Int, missing: Int = 0, distinct: Int = 0, integers: Bool = false) {
            self.name = name
            self.kind = kind
            self.slot = slot
            self.missing = missing
            self.distinct = distinct
            self.integers = integers
        }
    }

    /// The feature columns, in the order the encoding lays them out.
    package var columns: [Column]
    /// rows × numeric columns, row-major; NaN marks a missing cell.
    var numbers: [Float]
    /// rows × categorical columns, row-major; −1 marks a missing cell.
    var codes: [Int32]
    var targets: Dataset.Targets
    package var rowCount: Int

    var numberWidth: Int { columns.count { $0.kind == .number } }
    var categoryWidth: Int { columns.count - numberWidth }

    init(columns: [Column], numbers: [Float], codes: [Int32], targets: Dataset.Targets, rowCount: Int) {
        self.columns = columns
        self.numbers = numbers
        self.codes = codes
        self.targets = targets
        self.rowCount = rowCount
    }

    /// A dataset's rows as a table of numeric columns with nothing missing.
    init(_ dataset: Dataset) {
        columns = dataset.featureNames.enumerated().map { Column(name: $1, kind: .number, slot: $0) }
        numbers = dataset.features
        codes = []
        targets = dataset.targets
        rowCount = dataset.rowCount
    }

    /// Whether every column is numeric and no cell is missing: the encoding is then the identity.
    var isPlain: Bool { columns.allSatisfy { $0.kind == .number && $0.missing == 0 } }
}
