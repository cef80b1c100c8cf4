import Foundation

extension TrialLog {
    /// The rows of an existing `trials.csv` (fields as written), after checking its header.
    ///
    /// A last line without its newline is a row torn by a crash: it is cut off the file
    /// (and so re-run). A file that is missing or empty yields no rows.
    package static func readRows(path: String, header: [String]) throws -> [[String]] {
        guard let bytes = FileManager.default.contents(atPath: path), !bytes.isEmpty else { return [] }
        var text = [UInt8](bytes)
        if text.last != UInt8(ascii: "\n") {
            let keep = (text.lastIndex(of: UInt8(ascii: "\n")) ?? -1) + 1
            guard truncate(path, off_t(keep)) == 0 else { throw ioError("cannot repair the torn last line of \(path)") }
            text = Array(text[..<keep])
        }
        let records: [CSVRecord]
        do {
            records = try CSVParser.records(text)
        } catch let e as CSVParser.SyntaxError {
            throw NNSearchError(.data, "\(path):\(e.line):\(e.column): \(e.reason)")
        }
        guard let first = records.first else { return [] }
        guard first.fields == header else {
            throw NNSearchError(.data, "\(path):1: the header is not this search's columns; expected \(header.joined(separator: ","))")
        }
        var rows = [[String]]()
        for record in records.dropFirst() {
            guard record.fields.count == header.count, Int(record.fields[0]) != nil else {
                throw NNSearchError(.data, "\(path):\(record.line): expected \(header.count) fields starting with a trial number")
            }
            rows.append(record.fields)
        }
        return rows
    }
}
