/// printf's `%0Nd`: `n` in decimal, zero-padded to `width` characters (a minus sign counts), for
/// timestamps and segment file names without Foundation's `String(format:)`.
func zeroPadded(_ n: Int, _ width: Int) -> String {
    let digits = String(n.magnitude)
    let sign = n < 0 ? "-" : ""
    let pad = max(0, width - sign.count - digits.count)
    return sign + String(repeating: "0", count: pad) + digits
}
