import Foundation

/// The `"preprocessing"` member of a search folder's `spec.json`: what was done with the data's
/// columns, written once by whoever first loads the data (the creating `start`/`init`, or the first
/// worker of a detached `start`) and ignored when the spec is read.
package enum PreparationRecord {
    /// The key in `spec.json`.
    package static let key = "preprocessing"

    /// `source` with `preparation` recorded (unchanged when there is nothing to report).
    package static func adding(_ preparation: DataPreparation, to source: JSONValue) -> JSONValue {
        preparation.isEmpty ? source : source.setting(key, to: preparation.json)
    }

    /// Records `preparation` in `folder`'s `spec.json` (atomically) unless it is there already or empty.
    package static func record(_ preparation: DataPreparation, in folder: SearchFolder) throws {
        guard !preparation.isEmpty, let source = try? specJSON(folder), source[key] == nil else { return }
        try writeAtomically(Data((adding(preparation, to: source).prettyText() + "\n").utf8), to: folder.spec, sync: true)
    }

    /// The recorded sentences, one a column; empty when nothing was recorded.
    package static func lines(in folder: SearchFolder) -> [String] {
        guard let source = try? specJSON(folder), case .array(let items)? = source[key]?["summary"] else { return [] }
        return items.compactMap { if case .string(let s) = $0 { s } else { nil } }
    }

    /// The lines `start` and `init` print: a heading and one indented line a column; "" when none.
    package static func text(in folder: SearchFolder) -> String {
        let lines = lines(in: folder)
        guard !lines.isEmpty else { return "" }
        return "data prepared as a scikit-learn pipeline would (recorded in \(folder.spec), \"\(key)\"):\n"
            + lines.map { "  " + $0 + "\n" }.joined()
    }

    private static func specJSON(_ folder: SearchFolder) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: folder.spec) else { throw NNSearchError(.noInput, folder.spec) }
        return try parseJSON(String(decoding: data, as: UTF8.self), file: folder.spec)
    }
}
