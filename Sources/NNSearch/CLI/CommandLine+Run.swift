import Foundation

extension CommandLine {
    /// Runs the `nnsearch` command line and returns the process exit status.
    public static func runMain() -> Int32 {
        if CommandLine.arguments.dropFirst().first == "gemmbench" {
            for (m, n, k, t) in [(256, 512, 512, false), (512, 512, 256, true), (32, 64, 64, false), (64, 64, 32, true)] {
                print(m, n, k, t, benchMatmul(m: m, n: n, k: k, transposedA: t))
            }
            return 0
        }
        FileHandle.standardError.write("nnsearch: not implemented yet\n".data(using: .utf8)!)
        return 70
    }
}
