/// What was done with a data file's columns, as `start` reports it and the search folder's
/// `spec.json` records it (`"preprocessing"`): categorical columns one-hot encoded, missing cells
/// filled, columns left out, and columns that look like an identifier.
///
/// A pure value of the columns as read; a file of numeric columns with nothing missing and nothing
/// suspicious has nothing to report (`isEmpty`).
package struct DataPreparation: Sendable, Equatable {
    /// One sentence a column, in the columns' order, then the ignored columns.
    package var lines: [String]
    /// The same facts as JSON, for `spec.json`.
    package var json: JSONValue

    /// The most categories a line lists by name.
    static let listedCategories = 12

    package var isEmpty: Bool { lines.isEmpty }

    /// The report for `columns` (as read from `rows` rows) given the spec's column choice.
    package init(columns: [FeatureTable.Column], rows: Int, selection: CSVColumns?) {
        var lines: [String] = []
        var records: [JSONValue] = []
        for column in columns {
            var sentence: [String] = []
            var members: [JSONMember] = [JSONMember(key: "column", value: .string(column.name))]
            let present = rows - column.missing
            let name = JSONValue.echo(column.name)
            switch column.kind {
            case .number:
                guard column.missing > 0 || Self.looksLikeAnID(column, rows: rows) else { continue }
                members.append(JSONMember(key: "type", value: .string("number")))
                if column.missing > 0 {
                    sentence.append("\(counted(column.missing, "cell")) of \(rows) missing → the training rows' mean,"
                        + " plus an input \(JSONValue.echo(column.name + "_missing")) (1 where missing)")
                }
            case .category(let categories):
                members.append(JSONMember(key: "type", value: .string("category")))
                let shown = categories.prefix(Self.listedCategories).map { JSONValue.echo($0) }.joined(separator: ", ")
                let more = categories.count > Self.listedCategories ? " and \(categories.count - Self.listedCategories) more" : ""
                sentence.append("text → one-hot, one input per category of the training rows (\(counted(categories.count, "category", plural: "categories")): \(shown)\(more))")
                members.append(JSONMember(key: "categories", value: .array(categories.prefix(100).map { .string($0) })))
                if categories.count > 100 { members.append(JSONMember(key: "more_categories", value: Self.number(categories.count - 100))) }
                if column.missing > 0 {
                    sentence.append("\(counted(column.missing, "cell")) of \(rows) missing → their own input \(JSONValue.echo(column.name + "_missing"))")
                }
            }
            if column.missing > 0 { members.append(JSONMember(key: "missing", value: Self.number(column.missing))) }
            if Self.looksLikeAnID(column, rows: rows) {
                let what = column.kind == .number ? "a distinct integer" : "a distinct value"
                let warning = "\(what) on \(present == column.distinct ? "every" : "nearly every") row (\(column.distinct) of \(present))"
                    + " — an identifier? It cannot generalize; leave it out with \"ignore\": [\(name)] in the spec's \"data\""
                sentence.append(warning)
                members.append(JSONMember(key: "warning", value: .string(warning)))
            }
            lines.append("\(column.name): " + sentence.joined(separator: "; "))
            records.append(.object(members))
        }
        var top: [JSONMember] = []
        if !records.isEmpty { top.append(JSONMember(key: "columns", value: .array(records))) }
        if let ignored = selection?.ignore, !ignored.isEmpty {
            lines.append("left out (\"ignore\"): " + ignored.map { JSONValue.echo($0) }.joined(separator: ", "))
            top.append(JSONMember(key: "ignored", value: .array(ignored.map { .string($0) })))
        }
        if let missing = selection?.missing, !missing.isEmpty {
            top.append(JSONMember(key: "missing_texts", value: .array(missing.map { .string($0) })))
        }
        if !lines.isEmpty {
            let inputs = "numbers stay one input each; categories are learned from each training split"
            top.insert(JSONMember(key: "summary", value: .array(lines.map { .string($0) })), at: 0)
            top.append(JSONMember(key: "note", value: .string(inputs)))
        }
        self.lines = lines
        json = .object(top)
    }

    /// A column whose every (or nearly every) row holds its own value: integers for a numeric
    /// column (a fraction like 0.3172 is a measurement, not an identifier), any text for a categorical one.
    static func looksLikeAnID(_ column: FeatureTable.Column, rows: Int) -> Bool {
        let present = rows - column.missing
        guard present >= 20 else { return false }
        switch column.kind {
        case .number: return column.integers && column.distinct * 100 >= present * 98
        case .category: return column.distinct * 100 >= present * 90
        }
    }

    private static func number(_ n: Int) -> JSONValue { .number(Double(n), text: String(n)) }
}
