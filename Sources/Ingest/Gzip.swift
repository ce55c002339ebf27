import CZlib

/// Inflates a gzip body, refusing to grow past `limit` bytes (a zip bomb gets 413, not all memory).
enum Gzip {
    enum Failure: Error {
        case tooLarge
        case corrupt(String)
    }

    static func inflate(_ input: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corrupt("cannot start zlib")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var status: Int32 = Z_OK
        var copy = input
        try copy.withUnsafeMutableBufferPointer { (inBuffer) throws(Failure) in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = uInt(inBuffer.count)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                if status != Z_OK && status != Z_STREAM_END {
                    throw .corrupt(stream.msg.map { String(cString: $0) } ?? "gzip data is corrupt (zlib \(status))")
                }
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit { throw .tooLarge }
                if status == Z_OK && produced == 0 && stream.avail_in == 0 {
                    throw .corrupt("gzip data ends early")
                }
            } while status != Z_STREAM_END
        }
        return output
    }
}
