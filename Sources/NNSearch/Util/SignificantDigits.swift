import Foundation
import NNSearchKernel

/// `x` rounded to `digits` significant digits (zero and non-finite values unchanged).
package func roundedToSignificant(_ x: Double, digits: Int) -> Double {
    guard x.isFinite, x != 0 else { return x }
    let scale = pow(10, Double(digits - 1 - Int(floor(log10(abs(x))))))
    return (x * scale).rounded() / scale
}

/// `x` with `digits` significant digits, in its shortest round-trip form (`0.0004674`, `1e-05`).
package func formatSignificant(_ x: Double, digits: Int) -> String {
    formatNumber(roundedToSignificant(x, digits: digits))
}

/// A long number written in `text` (a drawn learning rate prints 17 digits) shortened to
/// `digits` significant digits; any other text unchanged.
package func shortenNumber(_ text: String, digits: Int = 4) -> String {
    guard text.count > 6, let x = Double(text), x.isFinite, x != 0 else { return text }
    return formatSignificant(x, digits: digits)
}
