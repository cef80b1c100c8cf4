import Foundation

/// A seeded xoshiro256** generator: the only source of randomness in nnsearch.
///
/// Same seed, same stream, on every machine and thread. The state is four words,
/// so a trial's checkpoint can store it and continue the stream exactly.
package struct Random: Sendable, Equatable {
    var state: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the four state words from SplitMix64 of `seed`.
    package init(seed: UInt64) {
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// A generator for an independent stream derived from `seed` and a list of labels
    /// (e.g. the search seed and a trial number).
    package init(seed: UInt64, stream: UInt64...) {
        var mixed = seed
        for label in stream {
            var r = Random(seed: mixed ^ (label &* 0xD1B5_4A32_D192_ED03))
            mixed = r.next()
        }
        self.init(seed: mixed)
    }

    init(state: (UInt64, UInt64, UInt64, UInt64)) { self.state = state }

    package static func == (a: Random, b: Random) -> Bool { a.state == b.state }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    @inline(__always)
    package mutating func next() -> UInt64 {
        let result = Random.rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = Random.rotl(state.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    package mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [0, 1) with 24 random bits.
    @inline(__always)
    mutating func nextFloat() -> Float { Float(next() >> 40) * 0x1.0p-24 }

    /// Uniform integer in 0..<n (unbiased, Lemire's method).
    package mutating func next(below n: Int) -> Int {
        precondition(n > 0)
        let bound = UInt64(n)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }

    /// A standard normal sample (Box–Muller, one value per call).
    package mutating func nextNormal() -> Double {
        var u = nextDouble()
        while u == 0 { u = nextDouble() }
        let v = nextDouble()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// Shuffles in place (Fisher–Yates, from the last element down).
    mutating func shuffle<T>(_ a: inout [T]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            a.swapAt(i, next(below: i + 1))
        }
    }

    /// A random permutation of 0..<n.
    package mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        shuffle(&p)
        return p
    }
}
