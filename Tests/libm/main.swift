// Every one of the 2^32 float bit patterns through the kernel's `expNaive`, `expVector`, `logarithm`, `logVector`,
// `logarithmOnePlus`, `tanhNaive` and `tanhVector`, against the host's `expf`, `logf`, `log1pf` and `tanhf`,
// bit for bit (a NaN matches any NaN). Built and run by exhaustive.sh.
import Foundation

var expNaiveOff = 0, expVectorOff = 0, logOff = 0, logVectorOff = 0, log1pOff = 0, tanhNaiveOff = 0, tanhVectorOff = 0
var examples: [String] = []
func same(_ a: Float, _ b: Float) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }
func note(_ what: String, _ x: Float, _ got: Float, _ libm: Float) {
    if examples.count < 10 { examples.append("\(what)(\(x)) [bits \(String(x.bitPattern, radix: 16))] = \(got), libm \(libm)") }
}
let started = Date()
var lanes = Vec()
var base: UInt64 = 0
while base < 1 << 32 {
    for i in 0..<vecWidth { lanes[i] = Float(bitPattern: UInt32(truncatingIfNeeded: base &+ UInt64(i))) }
    let e = expVector(lanes), lv = logVector(lanes), th = tanhVector(lanes)
    for i in 0..<vecWidth {
        let x = lanes[i], libmExp = Foundation.exp(x), libmLog = Foundation.log(x)
        if !same(e[i], libmExp) { expVectorOff += 1; note("expVector", x, e[i], libmExp) }
        let n = expNaive(x)
        if !same(n, libmExp) { expNaiveOff += 1; note("expNaive", x, n, libmExp) }
        let l = logarithm(x)
        if !same(l, libmLog) { logOff += 1; note("logarithm", x, l, libmLog) }
        if !same(lv[i], libmLog) { logVectorOff += 1; note("logVector", x, lv[i], libmLog) }
        let libmLog1p = Foundation.log1p(x), l1 = logarithmOnePlus(x)
        if !same(l1, libmLog1p) { log1pOff += 1; note("logarithmOnePlus", x, l1, libmLog1p) }
        let libmTanh = Foundation.tanh(x), tn = tanhNaive(x)
        if !same(tn, libmTanh) { tanhNaiveOff += 1; note("tanhNaive", x, tn, libmTanh) }
        if !same(th[i], libmTanh) { tanhVectorOff += 1; note("tanhVector", x, th[i], libmTanh) }
    }
    base += UInt64(vecWidth)
}
print("libm: 4294967296 floats in \(Int(Date().timeIntervalSince(started))) s; differing from the host's expf: expNaive \(expNaiveOff), expVector \(expVectorOff); from its logf: logarithm \(logOff), logVector \(logVectorOff); from its log1pf: logarithmOnePlus \(log1pOff); from its tanhf: tanhNaive \(tanhNaiveOff), tanhVector \(tanhVectorOff)")
for line in examples { print("  " + line) }
exit(expNaiveOff + expVectorOff + logOff + logVectorOff + log1pOff + tanhNaiveOff + tanhVectorOff == 0 ? 0 : 1)
