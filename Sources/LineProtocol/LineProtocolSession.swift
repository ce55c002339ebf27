/// A ``LineProtocolParser`` that one thread keeps across buffers (a UDP reader's datagrams): its
/// scratch buffers are made once instead of per buffer, and the storage of the points it made
/// is written again for the next points once they are given back (``recycle(_:)``) and nothing
/// else holds them.
///
/// Why: at 25 points per datagram each datagram cost the parser a dozen scratch allocations and
/// each point a `malloc` and a `free` of its storage (with glibc's `_int_malloc`/`_int_free`
/// for anything the thread cache does not hold). A point that something kept (a rule's event,
/// another thread) is never rewritten: its storage is reused only when the retired point was
/// its one holder, and it then holds only its own storage (not a whole datagram's).
///
/// Not Sendable: it belongs to the thread that parses. Output is exactly
/// ``LineProtocolParser``'s (the oracle fixtures run through both).
///
/// ```swift
/// let session = LineProtocolSession(LineProtocolParser(precision: .nanoseconds))
/// var points: [Point] = []
/// for datagram in datagrams {
///     session.recycle(&points)  // the last datagram's points, evaluated and dropped
///     session.parse(datagram, defaultTime: now, into: &points) { error in print(error) }
///     evaluate(points)
/// }
/// ```
public final class LineProtocolSession {
    /// The parser's rules (precision, fast paths).
    public let parser: LineProtocolParser
    private var scratch = Scratch()

    /// A session parsing as `parser` does.
    public init(_ parser: LineProtocolParser) {
        self.parser = parser
    }

    /// Parses every line of `bytes` as ``LineProtocolParser/parse(_:defaultTime:into:rejected:)``
    /// does, appending the accepted points to `points`.
    public func parse(_ bytes: UnsafeRawBufferPointer, defaultTime: Int64, into points: inout [Point],
                      rejected: (LineProtocolError) throws -> Void) rethrows {
        try parser.parse(bytes, defaultTime: defaultTime, firstLine: 1, scratch: &scratch,
                         point: { p, _ in points.append(p) }, error: rejected)
    }

    /// Parses every line of `bytes` as ``LineProtocolParser/parse(_:defaultTime:firstLine:_:)-(UnsafeRawBufferPointer,_,_,_)``
    /// does.
    public func parse(_ bytes: UnsafeRawBufferPointer, defaultTime: Int64, firstLine: Int = 1,
                      _ body: (LineProtocolRecord) throws -> Void) rethrows {
        try parser.parse(bytes, defaultTime: defaultTime, firstLine: firstLine, scratch: &scratch,
                         point: { p, line in try body(.point(p, line: line)) }, error: { e in try body(.error(e)) })
    }

    /// Takes `points` back once the caller is done with them, leaving an empty array with room in
    /// their place: the next parses take over the storage of those nothing else holds. The
    /// points given back the time before and not taken over are freed now, so the session holds
    /// at most one batch of them.
    /// (A session never given points back allocates as ``LineProtocolParser`` does.)
    public func recycle(_ points: inout [Point]) {
        scratch.builder.recycles = true
        scratch.builder.retired.removeAll(keepingCapacity: true)
        swap(&points, &scratch.builder.retired)
    }

    /// How many given-back points wait to be taken over (tests).
    var retiredCount: Int { scratch.builder.retired.count }
}
