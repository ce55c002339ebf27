#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Scan {
    // MARK: One point

    static func point(_ b: Bytes, _ s: Int, _ e: Int, precision: Precision, defaultTime: Int64,
                      scratch: inout Scratch) -> Result<Point, ScanFailure> {
        do {
            let keyStart = skipWhitespace(b, s, e)
            let (keyEnd, measurementEnd) = try key(b, keyStart, e, scratch: &scratch)
            if keyEnd - keyStart == 0 { throw ScanFailure(position: keyStart, reason: "missing measurement") }
            if keyEnd - keyStart > maxKeyLength {
                throw ScanFailure(position: keyStart, reason: "max key length exceeded: \(keyEnd - keyStart) > \(maxKeyLength)")
            }
            let (fieldsEnd, fieldsStart) = try fields(b, keyEnd, e, scratch: &scratch)
            if fieldsEnd == fieldsStart { throw ScanFailure(position: fieldsStart, reason: "missing fields") }
            // Each field key makes a series key with the measurement and tags; it has a size limit.
            var p = (keyEnd - keyStart) + 4 + (fieldsEnd - fieldsStart) <= maxKeyLength ? fieldsEnd : fieldsStart
            while p < fieldsEnd {
                let k = to(b, p, fieldsEnd, eq, base: fieldsStart)
                if k > fieldsEnd - 2 { throw ScanFailure(position: p, reason: "invalid field format") }
                if (keyEnd - keyStart) + 4 + (k - p) > maxKeyLength {
                    throw ScanFailure(position: p, reason: "max key length exceeded: \((keyEnd - keyStart) + 4 + (k - p)) > \(maxKeyLength)")
                }
                p = fieldValue(b, k + 1, fieldsEnd) + 1
            }
            let (tsEnd, tsStart, scannedTime) = try time(b, fieldsEnd, e, fast: scratch.fastPaths)
            var timestamp = defaultTime
            if tsEnd > tsStart {
                guard let ts = scannedTime ?? parseInt64(b, tsStart, tsEnd) else {
                    throw ScanFailure(position: tsStart, reason: "invalid timestamp \"\(string(b, tsStart, tsEnd))\": out of range or not an integer")
                }
                guard let t = safeTime(ts, precision.nanoseconds) else {
                    throw ScanFailure(position: tsStart, reason: "time outside range \(minNanoTime) - \(maxNanoTime)")
                }
                timestamp = t
                var j = tsEnd
                while j < e {
                    if b[j] != sp { throw ScanFailure(position: j, reason: "point is invalid: unexpected text after the timestamp") }
                    j += 1
                }
            }
            return .success(try decode(b, lineStart: s, lineEnd: e, keyStart: keyStart, measurementEnd: measurementEnd,
                                       fieldsStart: fieldsStart, fieldsEnd: fieldsEnd, time: timestamp, scratch: &scratch))
        } catch let failure as ScanFailure {
            return .failure(failure)
        } catch {
            return .failure(ScanFailure(position: s, reason: "\(error)"))
        }
    }
}
