#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Scan {
    // MARK: Fields

    /// Scans the field set; returns its end and start.
    static func fields(_ b: Bytes, _ i0: Int, _ e: Int, scratch: inout Scratch) throws -> (Int, Int) {
        let start = skipWhitespace(b, i0, e)
        var i = start
        var quoted = false
        // Each unquoted `=` with its value, and each comma, in locals (see Scratch).
        var equalsAt = scratch.fieldEquals
        var values = scratch.fieldValues
        var commasAt = scratch.fieldCommas
        var capacity = scratch.fieldCapacity
        var equals = 0
        var commas = 0
        var backslash = false
        var quoteInKey = false
        defer {
            scratch.equalsCount = equals
            scratch.commasCount = commas
            scratch.fieldsHaveBackslash = backslash
            scratch.fieldKeysHaveQuote = quoteInKey
        }
        let fieldMask = isBackslash | isQuote | isEquals | isComma | isSpace
        while i < e {
            i = skip(b, i, e, fieldMask)
            if i >= e { break }
            let c = b[i]
            if c == bs {
                backslash = true
                if i + 1 < e {
                    i += 2
                    continue
                }
            }
            if c == quote {
                if equals > commas {
                    quoted.toggle()
                    i += 1
                    continue
                }
                quoteInKey = true
            }
            if (c == eq || c == comma) && (equals == capacity || commas == capacity) {
                (scratch.equalsCount, scratch.commasCount) = (equals, commas)
                scratch.growFields()
                (equalsAt, values, commasAt, capacity) = (scratch.fieldEquals, scratch.fieldValues, scratch.fieldCommas, scratch.fieldCapacity)
            }
            if c == eq && !quoted {
                equalsAt[equals] = i
                values[equals] = .none
                equals += 1
                let before = b[i - 1]
                let beforeThat: UInt8 = i - 2 >= 0 ? b[i - 2] : 0
                if before == sp && beforeThat != bs { throw ScanFailure(position: i, reason: "missing field key") }
                if before == comma && beforeThat != bs { throw ScanFailure(position: i, reason: "missing field key") }
                if i + 1 >= e { throw ScanFailure(position: i + 1, reason: "missing field value") }
                let next = b[i + 1]
                if next == comma || next == sp { throw ScanFailure(position: i + 1, reason: "missing field value") }
                if isNumeric(next) || next == UInt8(ascii: "-") || next == UInt8(ascii: "N") || next == UInt8(ascii: "n") {
                    i = scratch.fastPaths ? try number(b, i + 1, e, value: &values[equals - 1])
                        : try numberExact(b, i + 1, e, value: &values[equals - 1])
                } else if next != quote {
                    i = try boolean(b, i + 1, e, value: &values[equals - 1])
                } else {
                    i += 1  // the opening quote: the loop toggles `quoted` there
                    continue
                }
                // A value ends at a comma or a space (or the line's end): take the comma here, as
                // the loop would after one more skip (the loop grows the buffers when they are full).
                if i < e && b[i] == comma && commas < capacity {
                    commasAt[commas] = i
                    commas += 1
                    i += 1
                }
                continue
            }
            if c == comma && !quoted {
                commasAt[commas] = i
                commas += 1
            }
            if c == sp && !quoted { break }
            i += 1
        }
        if quoted { throw ScanFailure(position: i, reason: "unbalanced quotes") }
        if equals == 0 || commas != equals - 1 { throw ScanFailure(position: i, reason: "invalid field format") }
        return (i, start)
    }
}
