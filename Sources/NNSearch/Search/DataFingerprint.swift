import Foundation
import NNSearchKernel
#if canImport(Glibc)
import Glibc
#endif

/// What a search's data file was when the search was created: its size and FNV-1a hash, kept in
/// the folder's `origin`. A worker refuses to train on a file that has changed since, so results
/// from old and new data are never mixed; `resume --force` accepts the new file.
package struct DataFingerprint: Equatable, Sendable {
    package var path: String
    package var size: Int
    package var hash: UInt64

    /// The fingerprint of the spec's CSV file now; nil for a generator.
    package static func current(_ spec: SearchSpec) throws -> DataFingerprint? {
        guard case .csv(let path, _, _) = spec.data else { return nil }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw NNSearchError(.noInput, "\(path): cannot open the search's data: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        var size = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw ioError("cannot read \(path)") }
            if n == 0 { break }
            for b in buffer[..<n] { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            size += n
        }
        return DataFingerprint(path: path, size: size, hash: h)
    }

    /// The fields `origin` holds for it.
    package var originFields: [String: String] {
        ["data_path": path, "data_size": String(size), "data_hash": String(hash, radix: 16)]
    }

    /// The fingerprint recorded in `folder`'s `origin`, if any.
    package static func recorded(in folder: SearchFolder) -> DataFingerprint? {
        SearchOrigin.read(folder).fingerprint
    }

    /// Replaces the fingerprint in `folder`'s `origin` (atomically), keeping its other lines.
    package func record(in folder: SearchFolder) throws {
        var origin = SearchOrigin.read(folder)
        origin.fields.merge(originFields) { _, new in new }
        try origin.write(to: folder)
    }

    /// Refuses (exit 65) when `folder`'s data file is not what it was when the search was created.
    package static func check(_ spec: SearchSpec, folder: SearchFolder) throws {
        guard let was = recorded(in: folder), let now = try current(spec), now != was else { return }
        let change = now.size != was.size ? "\(was.size) bytes then, \(now.size) now" : "same size, other content"
        throw NNSearchError(.data, """
            \(now.path) changed since \(folder.path) was created (\(change)): the trials so far were trained \
            on the old data, so this search would mix results. Restore the file, start a new search on it \
            (nnsearch start SPEC.json --out NEW_DIR), or accept it with: nnsearch resume \(folder.path) --force
            """)
    }
}
