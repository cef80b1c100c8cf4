import Foundation

/// The checkpoint files of `TrialRunner` and `FoldRunner`: the frame they share, and reading what
/// a file holds without restoring it (for `status`).
///
/// Frame: an 8-byte magic, the payload's length and FNV-1a (little-endian), the payload. The
/// magic tells a single split's checkpoint (`NNSCKPT2`) from a cross-validation's (`NNSFOLD1`).
package enum TrainingCheckpoint {
    /// Why a checkpoint could not be used.
    package struct Problem: Error, CustomStringConvertible {
        package var description: String
    }

    /// What a checkpoint holds, read without restoring it.
    package struct Summary: Equatable, Sendable {
        /// The trial it belongs to (number, seed, values).
        package var identity: String
        /// Epochs trained: across every round for a cross-validation.
        package var epochs: Int
        /// The round in progress (fold × repeat; 0 on a single split) and how many the trial has (1 on a single split).
        package var round: Int
        package var rounds: Int
    }

    /// Reads a checkpoint of either kind; throws when the file is not whole.
    package static func peek(_ data: Data) throws -> Summary {
        if data.prefix(8).elementsEqual(FoldRunner.checkpointMagic) { return try FoldRunner.peek(data) }
        let (identity, epochs) = try TrialRunner.peek(data)
        return Summary(identity: identity, epochs: epochs, round: 0, rounds: 1)
    }

    /// `payload` framed behind `magic`.
    static func frame(_ payload: [UInt8], magic: [UInt8]) -> Data {
        var header = BinaryWriter()
        header.write(UInt64(payload.count))
        header.write(fnv1a(payload))
        return Data(magic + header.bytes + payload)
    }

    /// A reader over the payload after checking `magic`, the length and the checksum.
    static func payload(_ data: Data, magic: [UInt8]) throws -> BinaryReader {
        let bytes = [UInt8](data)
        guard bytes.count >= 24, Array(bytes[0..<8]) == magic else {
            throw Problem(description: "it is not an nnsearch checkpoint")
        }
        var header = BinaryReader(Array(bytes[8..<24]))
        let length = try header.uint64(), sum = try header.uint64()
        guard UInt64(bytes.count - 24) == length else {
            throw Problem(description: "it is truncated (\(bytes.count - 24) of \(length) bytes)")
        }
        let payload = Array(bytes[24...])
        guard fnv1a(payload) == sum else { throw Problem(description: "its checksum does not match") }
        return BinaryReader(payload)
    }
}
