import XCTest
@testable import NNSearchKernel

/// The narrow layer (inputs and outputs within one vector) against the general GEMM layer:
/// the same forward output, weight, bias and input gradients, bit for bit, for every input and
/// output width up to a vector, batch sizes from 1 (the `matmulTransposed` input gradient) to 64
/// (the transposed weight), with pad columns of the input holding non-zero values (sigmoid's 0.5).
final class NarrowLinearTests: XCTestCase {
    func testMatchesTheTiledLayerBitForBit() {
        var rng = Random(seed: 23)
        let w = vecWidth
        XCTAssertTrue(isNarrowLayer(inDim: 2, outPad: w) && isNarrowLayer(inDim: w, outPad: w))
        XCTAssertFalse(isNarrowLayer(inDim: w + 1, outPad: w), "more inputs than a vector")
        XCTAssertFalse(isNarrowLayer(inDim: 2, outPad: 2 * w), "more outputs than a vector")
        for inDim in 1...w {
            for outDim in [1, 2, 3, w / 2 + 1, w] {
                for rows in [1, 2, 3, 4, 5, 9, 17, 64] {
                    compare(inDim: inDim, outDim: outDim, rows: rows, rng: &rng)
                }
            }
        }
    }

    private func compare(inDim: Int, outDim: Int, rows: Int, rng: inout Random) {
        let w = vecWidth
        func random(_ count: Int) -> [Float] { (0..<count).map { _ in rng.nextFloat() * 4 - 2 } }
        var inp = random(rows * w)
        for r in 0..<rows { for i in inDim..<w { inp[r * w + i] = 0.5 } }
        var weight = random(inDim * w), bias = random(w), dout = random(rows * w)
        for i in 0..<inDim { for o in outDim..<w { weight[i * w + o] = 0 } }
        for o in outDim..<w { bias[o] = 0 }
        for r in 0..<rows { for o in outDim..<w { dout[r * w + o] = 0 } }
        let label = "in \(inDim) out \(outDim) rows \(rows)"

        var narrowOut = [Float](repeating: -9, count: rows * w), tiledOut = narrowOut
        narrowLinearForward(out: &narrowOut, inp: inp, weight: weight, bias: bias, rows: rows, inDim: inDim)
        linearForward(out: &tiledOut, inp: inp, ldi: w, weight: weight, bias: bias, rows: rows, inDim: inDim, outPad: w,
                      narrowLoops: false)
        assertSame(narrowOut, tiledOut, "forward, " + label)

        // Scratch filled with garbage where nothing promises zeros (the transposed weight's own rows).
        var narrow = Gradients(rows: rows, inDim: inDim, outDim: outDim), tiled = narrow
        narrowLinearBackward(dweight: &narrow.weight, dbias: &narrow.bias, dinp: &narrow.input, weightT: &narrow.scratch,
                             dout: dout, inp: inp, weight: weight, rows: rows, inDim: inDim, outDim: outDim)
        tiled.scratch = [Float](repeating: 0, count: tiled.scratch.count)  // the workspace's zero pad columns
        linearBackward(dweight: &tiled.weight, dbias: &tiled.bias, dinp: &tiled.input, weightT: &tiled.scratch,
                       dout: dout, inp: inp, ldi: w, weight: weight, rows: rows, inDim: inDim, outDim: outDim, outPad: w,
                       narrowLoops: false)
        assertSame(narrow.weight, tiled.weight, "weight gradient, " + label)
        assertSame(narrow.bias, tiled.bias, "bias gradient, " + label)
        assertSame(narrow.input, tiled.input, "input gradient, " + label)
    }

    /// One layer's gradient buffers, filled with a marker so unwritten entries show.
    private struct Gradients {
        var weight: [Float], bias: [Float], input: [Float], scratch: [Float]
        init(rows: Int, inDim: Int, outDim: Int) {
            weight = [Float](repeating: -9, count: inDim * vecWidth)
            bias = [Float](repeating: -9, count: vecWidth)
            input = [Float](repeating: -9, count: rows * vecWidth)
            scratch = [Float](repeating: 7, count: outDim * vecWidth)
        }
    }

    private func assertSame(_ a: [Float], _ b: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        if let i = a.indices.first(where: { a[$0].bitPattern != b[$0].bitPattern }) {
            XCTFail("\(what): element \(i): narrow \(a[i]) vs tiled \(b[i])", file: file, line: line)
        }
    }
}
