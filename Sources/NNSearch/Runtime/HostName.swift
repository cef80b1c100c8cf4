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

/// The suffix of this process's temporary files: `.tmp-HOST-PID-NONCE`, so a process removes only
/// its own, and two containers that share a host name and pid 1 never share a file.
package let temporarySuffix: String = ".tmp-\(localHostName)-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"

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
