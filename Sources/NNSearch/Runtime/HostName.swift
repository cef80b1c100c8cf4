#if canImport(Glibc)
import Glibc
#endif

/// This machine's name, as journal records and temporary file names carry it.
let localHostName: String = {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
    let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return name.isEmpty ? "localhost" : name
}()

/// The suffix of this process's temporary files: `.tmp-HOST-PID`, so a process removes only its own.
var temporarySuffix: String { ".tmp-\(localHostName)-\(getpid())" }
