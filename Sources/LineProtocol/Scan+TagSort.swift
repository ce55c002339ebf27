extension Scan {
    /// Runs shorter than this are sorted by insertion, as InfluxDB sorts every tag set; longer ones
    /// are merged from such runs.
    static let insertionRun = 16

    /// Sorts `scratch.order[0..<count]` (tag indices) by tag key, stably, in O(n log n).
    ///
    /// InfluxDB sorts with a stable insertion sort, and keys that compare equal are duplicates
    /// the caller rejects; stability keeps which duplicate it reports the same as InfluxDB's. Runs
    /// of ``insertionRun`` tags are sorted by insertion (all of a usual tag set), then merged
    /// pairwise between `order` and `orderSpare`, the left run first on ties.
    @inline(__always)
    static func sortTags(_ b: Bytes, _ count: Int, scratch: borrowing Scratch) {
        let (starts, equals, prefixes) = (scratch.tagStarts, scratch.tagEquals, scratch.tagPrefixes)
        var from = scratch.order
        var to = scratch.orderSpare
        var runStart = 0
        while runStart < count {
            let runEnd = min(runStart + insertionRun, count)
            var x = runStart + 1
            while x < runEnd {
                var y = x
                while y > runStart && compareTagKeys(b, starts, equals, prefixes, from[y], from[y - 1]) < 0 {
                    (from[y], from[y - 1]) = (from[y - 1], from[y])
                    y -= 1
                }
                x += 1
            }
            runStart = runEnd
        }
        var width = insertionRun
        while width < count {
            var left = 0
            while left < count {
                let middle = min(left + width, count)
                let right = min(left + 2 * width, count)
                var i = left, j = middle, k = left
                while i < middle && j < right {
                    // The right one first only when strictly smaller: equal keys keep their order.
                    if compareTagKeys(b, starts, equals, prefixes, from[j], from[i]) < 0 {
                        to[k] = from[j]
                        j += 1
                    } else {
                        to[k] = from[i]
                        i += 1
                    }
                    k += 1
                }
                while i < middle {
                    to[k] = from[i]
                    i += 1
                    k += 1
                }
                while j < right {
                    to[k] = from[j]
                    j += 1
                    k += 1
                }
                left = right
            }
            swap(&from, &to)
            width *= 2
        }
        if from != scratch.order { scratch.order.update(from: from, count: count) }
    }
}
