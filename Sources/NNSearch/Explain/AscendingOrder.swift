/// The positions of `keys` in ascending order of key, equal keys in order of position (a stable merge sort).
///
/// Written out for `[Double]` because the standard library's generic sort runs unspecialized
/// where this module is built without optimization (debug), at ~600 ns a comparison against
/// ~10 ns for this loop; `explain` must stay fast in a debug build too. `keys` must not hold NaN.
func ascendingOrder(_ keys: [Double]) -> [Int] {
    let n = keys.count
    var order = Array(0..<n)
    var merged = order
    var width = 1
    while width < n {
        var start = 0
        while start < n {
            let middle = min(start + width, n), end = min(start + 2 * width, n)
            var i = start, j = middle, k = start
            while i < middle && j < end {
                // `<` from the right run only: a tie keeps the left (earlier) position first.
                if keys[order[j]] < keys[order[i]] {
                    merged[k] = order[j]
                    j += 1
                } else {
                    merged[k] = order[i]
                    i += 1
                }
                k += 1
            }
            while i < middle {
                merged[k] = order[i]
                i += 1
                k += 1
            }
            while j < end {
                merged[k] = order[j]
                j += 1
                k += 1
            }
            start = end
        }
        swap(&order, &merged)
        width *= 2
    }
    return order
}
