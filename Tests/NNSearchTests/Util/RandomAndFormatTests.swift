import Testing
@testable import NNSearchKernel

/// The seeded generator and number formatting (Swift Testing, alongside the XCTest suites).
struct RandomAndFormatTests {
    @Test func sameSeedSameStreamOtherSeedOtherStream() {
        var a = Random(seed: 42), b = Random(seed: 42), c = Random(seed: 43)
        let xs = (0..<8).map { _ in a.next() }
        #expect(xs == (0..<8).map { _ in b.next() })
        #expect(xs != (0..<8).map { _ in c.next() })
        #expect(Random(seed: 1, stream: 5, 1) != Random(seed: 1, stream: 5, 2))
    }

    @Test func boundedDrawsStayInRangeAndCoverIt() {
        var r = Random(seed: 9)
        var seen = Set<Int>()
        for _ in 0..<1000 {
            let k = r.next(below: 7)
            #expect((0..<7).contains(k))
            seen.insert(k)
        }
        #expect(seen.count == 7)
        let p = r.permutation(50)
        #expect(p.sorted() == Array(0..<50))
    }

    @Test(arguments: [0.1, 1e-5, 123456.789, -2.5e-300, 3, 0.30000000000000004])
    func numbersRoundTrip(_ x: Double) {
        #expect(Double(formatNumber(x)) == x)
    }

    @Test func nonFiniteNumbersUseCommonSpellings() {
        #expect(formatNumber(Double.nan) == "nan")
        #expect(formatNumber(Double.infinity) == "inf")
        #expect(formatNumber(-Double.infinity) == "-inf")
        #expect(formatNumber(10.0) == "10")
    }
}
