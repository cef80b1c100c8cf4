/// Formats a number so that parsing the text gives the same value back (shortest round-trip form).
///
/// Whole numbers print without a fraction (`10`, not `10.0`); NaN and infinities print as
/// `nan`, `inf`, `-inf`, which pandas, R and Python's float() all read.
package func formatNumber(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return "\(x)"
}

/// `formatNumber` for a Float, printed at Float precision (shortest text that reads back to the same Float).
package func formatNumber(_ x: Float) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == x.rounded(), abs(x) < 1e7 { return String(Int64(x)) }
    return "\(x)"
}
