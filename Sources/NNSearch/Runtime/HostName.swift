import Foundation
import NNSearchKernel
#if canImport(Glibc)
import Glibc
#endif

/// This machine's name, as journal records and temporary file names carry it.
package let localHostName: String = {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
    let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return name.isEmpty ? "localhost" : name
}()

/// A short tag of `localPidSpace` (FNV-1a, 8 hex digits) for file names.
package let localPidSpaceTag: String = {
    var h: UInt32 = 0x811C_9DC5
    for b in localPidSpace.utf8 { h = (h ^ UInt32(b)) &* 0x0100_0193 }
    return String(format: "%08x", h)
}()

/// The suffix of this process's temporary files: `.tmp-HOST-SPACE-PID-NONCE`, so a process
/// removes only its own (or those of dead pids it can judge: same host and pid space), and two
/// containers that share a host name and pid 1 never share a file.
package let temporarySuffix: String = ".tmp-\(localHostName)-\(localPidSpaceTag)-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"

/// Whether a temporary file name was made by a process whose pid this process can judge (this host
/// and pid space), and that process's pid.
package func temporaryFilePid(_ name: String) -> Int32? {
    guard let range = name.range(of: ".tmp-", options: .backwards) else { return nil }
    let parts = name[range.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count >= 4 else { return nil }
    let host = parts.dropLast(3).joined(separator: "-")
    guard host == localHostName, parts[parts.count - 3] == localPidSpaceTag else { return nil }
    return Int32(parts[parts.count - 2])
}

/// Where this process's pid means something: the boot and the pid namespace. Two processes with
/// the same `localPidSpace` can test each other's pids for liveness; others go by their leases.
package let localPidSpace: String = {
    let boot = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown-boot"
    var buffer = [CChar](repeating: 0, count: 128)
    let n = readlink("/proc/self/ns/pid", &buffer, buffer.count - 1)
    let ns = n > 0 ? String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "pid:[?]"
    return boot + "/" + ns
}()
