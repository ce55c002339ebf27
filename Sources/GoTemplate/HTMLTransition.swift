/// html/template's context transitions (Go's transition.go, with the JS and CSS helpers of js.go
/// and css.go): how template text moves the context. Each function reads a prefix of `s` and
/// returns the context after it and how many bytes it read.
enum HTMLTransition {
    typealias Bytes = [UInt8]
    /// Template text from the current position on: a view without copying, indexed from 0.
    typealias Text = UnsafeBufferPointer<UInt8>

    static func transition(_ c: HTMLContext, _ s: Text) -> (HTMLContext, Int) { transition(c, s, as: c.state) }

    /// The transition of `state` applied to `c` (stripTags reads script and style content as RCDATA).
    static func transition(_ c: HTMLContext, _ s: Text, as state: HTMLContext.State) -> (HTMLContext, Int) {
        switch state {
        case .text: return tText(c, s)
        case .tag: return tTag(c, s)
        case .attrName: return tAttrName(c, s)
        case .afterName: return tAfterName(c, s)
        case .beforeValue: return tBeforeValue(c, s)
        case .htmlCmt: return tHTMLCmt(c, s)
        case .rcdata: return tSpecialTagEnd(c, s)
        case .attr: return (c, s.count)
        case .url, .srcset: return tURL(c, s)
        case .js: return tJS(c, s)
        case .jsDqStr, .jsSqStr, .jsBqStr, .jsRegexp: return tJSDelimited(c, s)
        case .jsBlockCmt, .cssBlockCmt: return tBlockCmt(c, s)
        case .jsLineCmt, .cssLineCmt: return tLineCmt(c, s)
        case .css: return tCSS(c, s)
        case .cssDqStr, .cssSqStr, .cssDqURL, .cssSqURL, .cssURL: return tCSSStr(c, s)
        case .error, .dead: return (c, s.count)
        }
    }

    // MARK: Byte helpers (Go's bytes package)

    static func index<C: RandomAccessCollection<UInt8>>(_ s: C, of b: UInt8, from start: Int = 0) -> Int? where C.Index == Int {
        var i = start
        while i < s.count {
            if s[i] == b { return i }
            i += 1
        }
        return nil
    }

    static func indexAny<C: RandomAccessCollection<UInt8>>(_ s: C, _ set: Bytes, from start: Int = 0, to end: Int? = nil) -> Int? where C.Index == Int {
        var i = start
        let e = end ?? s.count
        while i < e {
            if set.contains(s[i]) { return i }
            i += 1
        }
        return nil
    }

    static func index<C: RandomAccessCollection<UInt8>>(_ s: C, of sub: Bytes, from start: Int = 0) -> Int? where C.Index == Int {
        guard sub.count <= s.count else { return nil }
        var i = start
        while i + sub.count <= s.count {
            if s[i] == sub[0] && Array(s[i..<i + sub.count]) == sub { return i }
            i += 1
        }
        return nil
    }

    static func hasPrefix<C: RandomAccessCollection<UInt8>>(_ s: C, _ p: Bytes, at i: Int = 0) -> Bool where C.Index == Int {
        i + p.count <= s.count && Array(s[i..<i + p.count]) == p
    }

    static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b + 32 : b }
    static func upper(_ b: UInt8) -> UInt8 { b >= 0x61 && b <= 0x7A ? b - 32 : b }

    static func isAlpha(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
    static func isAlphaNum(_ c: UInt8) -> Bool { isAlpha(c) || (c >= 0x30 && c <= 0x39) }

    static let commentStart = Array("<!--".utf8)
    static let commentEnd = Array("-->".utf8)

    // MARK: HTML

    static func tText(_ c: HTMLContext, _ s: Text) -> (HTMLContext, Int) {
        var k = 0
        while true {
            guard var i = index(s, of: UInt8(ascii: "<"), from: k), i + 1 != s.count else { return (c, s.count) }
            if hasPrefix(s, commentStart, at: i) { return (HTMLContext(state: .htmlCmt), i + 4) }
            i += 1
            var end = false
            if s[i] == UInt8(ascii: "/") {
                if i + 1 == s.count { return (c, s.count) }
                end = true
                i += 1
            }
            let (j, e) = eatTagName(s, i)
            if j != i { return (HTMLContext(state: .tag, element: end ? .none : e), j) }
            k = j
        }
    }

    static func elementContentType(_ e: HTMLContext.Element) -> HTMLContext.State {
        switch e {
        case .none: return .text
        case .script: return .js
        case .style: return .css
        case .textarea, .title: return .rcdata
        }
    }

    static func tTag(_ c: HTMLContext, _ s: Text) -> (HTMLContext, Int) {
        let i = eatWhiteSpace(s, 0)
        if i == s.count { return (c, s.count) }
        if s[i] == UInt8(ascii: ">") { return (HTMLContext(state: elementContentType(c.element), element: c.element), i + 1) }
        let j: Int
        switch eatAttrName(s, i) {
        case .failure(let err): return (.error(err), s.count)
        case .success(let k): j = k
        }
        if i == j {
            return (.error(HTMLEscapeError("expected space, attr name, or end of tag, but got \(GoQuote.quote(bytesString(s[i...])))")), s.count)
        }
        let attrName = String(decoding: s[i..<j], as: UTF8.self).lowercased()
        var attr = HTMLContext.Attr.none
        if c.element == .script && attrName == "type" {
            attr = .scriptType
        } else {
            switch attrType(attrName) {
            case .url: attr = .url
            case .css: attr = .style
            case .js: attr = .script
            case .srcset: attr = .srcset
            default: break
            }
        }
        return (HTMLContext(state: j == s.count ? .attrName : .afterName, attr: attr, element: c.element), j)
    }

    static func tAttrName(_ c: HTMLContext, _ s: Text) -> (HTMLContext, Int) {
        switch eatAttrName(s, 0) {
        case .failure(let err): return (.error(err), s.count)
        case .success(let i):
            var c = c
            if i != s.count { c.state = .afterName }
            return (c, i)
        }
    }

    static func tAfterName(_ c: HTMLContext, _ s: Text) -> (HTMLContext, Int) {
        var c = c
        let i = eatWhiteSpace(s, 0)
        if i == s.count { return (c, s.count) }
        if s[i] != UInt8(ascii: "=") {
            c.state = .tag
            return (c, i)
        }
        c.state = .beforeValue
        return (c, i + 1)
    }

    static func attrStartState(_ a: HTMLContext.Attr) -> HTMLContext.State {
        switch a {
        case .none, .scriptType: return .attr
        case .script: return .js
        case .style: return .css
        case .url: return .url
        case .srcset: return .srcset
        }
    }

    static func tBeforeValue(_ c: HTMLContext, _ s: Text) -> (HTMLContext, Int) {
        var i = eatWhiteSpace(s, 0)
        if i == s.count { return (c, s.count) }
        var delim = HTMLContext.Delim.spaceOrTagEnd
        switch s[i] {
        case UInt8(ascii: "'"):
            delim = .singleQuote
            i += 1
        case UInt8(ascii: "\""):
            delim = .doubleQuote
            i += 1
        default:
            break
        }
        var c = c
        c.state = attrStartState(c.attr)
        c.delim = delim
        return (c, i)
    }

    static func tHTMLCmt(_ c: HTMLContext, _ s: Text) -> (HTMLContext, Int) {
        if let i = index(s, of: commentEnd) { return (HTMLContext(), i + 3) }
        return (c, s.count)
    }

    static func specialTagEndMarker(_ e: HTMLContext.Element) -> Bytes {
        switch e {
        case .none: return []
        case .script: return Array("script".utf8)
        case .style: return Array("style".utf8)
        case .textarea: return Array("textarea".utf8)
        case .title: return Array("title".utf8)
        }
    }

    static func tSpecialTagEnd(_ c: HTMLContext, _ s: Text) -> (HTMLContext, Int) {
        if c.element != .none, let i = indexTagEnd(s, specialTagEndMarker(c.element)) { return (HTMLContext(), i) }
        return (c, s.count)
    }

    /// Where `</tag` followed by `>`, a space or `/` starts, the tag's case ignored.
    static func indexTagEnd(_ s: Text, _ tag: Bytes) -> Int? {
        let separators = Array("> \t\n\u{0C}/".utf8)
        var from = 0
        while let i = index(s, of: Array("</".utf8), from: from) {
            let name = i + 2
            if name + tag.count <= s.count && (0..<tag.count).allSatisfy({ lower(s[name + $0]) == lower(tag[$0]) }) {
                let after = name + tag.count
                if after < s.count && separators.contains(s[after]) { return i }
            }
            from = i + 2
        }
        return nil
    }

    static func tURL<C: RandomAccessCollection<UInt8>>(_ c: HTMLContext, _ s: C) -> (HTMLContext, Int) where C.Index == Int {
        var c = c
        if s.contains(UInt8(ascii: "#")) || s.contains(UInt8(ascii: "?")) {
            c.urlPart = .queryOrFrag
        } else if s.count != eatWhiteSpace(s, 0) && c.urlPart == .none {
            c.urlPart = .preQuery
        }
        return (c, s.count)
    }

    // MARK: JS

    static func tJS(_ c: HTMLContext, _ s: Text) -> (HTMLContext, Int) {
        var c = c
        guard var i = indexAny(s, Array("\"`'/".utf8)) else {
            c.jsCtx = nextJSCtx(s[...], c.jsCtx)
            return (c, s.count)
        }
        c.jsCtx = nextJSCtx(s[..<i], c.jsCtx)
        switch s[i] {
        case UInt8(ascii: "\""): (c.state, c.jsCtx) = (.jsDqStr, .regexp)
        case UInt8(ascii: "'"): (c.state, c.jsCtx) = (.jsSqStr, .regexp)
        case UInt8(ascii: "`"): (c.state, c.jsCtx) = (.jsBqStr, .regexp)
        default:  // '/'
            if i + 1 < s.count && s[i + 1] == UInt8(ascii: "/") {
                c.state = .jsLineCmt
                i += 1
            } else if i + 1 < s.count && s[i + 1] == UInt8(ascii: "*") {
                c.state = .jsBlockCmt
                i += 1
            } else if c.jsCtx == .regexp {
                c.state = .jsRegexp
            } else if c.jsCtx == .divOp {
                c.jsCtx = .regexp
            } else {
                let rest = String(decoding: s[i...], as: UTF8.self)
                return (.error(HTMLEscapeError("'/' could start a division or regexp: \(GoQuote.quote(String(rest.unicodeScalars.prefix(32).map(Character.init))))")), s.count)
            }
        }
        return (c, i + 1)
    }

    static func tJSDelimited(_ c: HTMLContext, _ s: Text) -> (HTMLContext, Int) {
        var c = c
        let specials: Bytes
        switch c.state {
        case .jsSqStr: specials = Array("\\'".utf8)
        case .jsBqStr: specials = Array("`\\".utf8)
        case .jsRegexp: specials = Array("\\/[]".utf8)
        default: specials = Array("\\\"".utf8)
        }
        var k = 0
        var inCharset = false
        while let found = indexAny(s, specials, from: k) {
            var i = found
            switch s[i] {
            case UInt8(ascii: "\\"):
                i += 1
                if i == s.count {
                    return (.error(HTMLEscapeError("unfinished escape sequence in JS string: \(GoQuote.quote(bytesString(s[...])))")), s.count)
                }
            case UInt8(ascii: "["): inCharset = true
            case UInt8(ascii: "]"): inCharset = false
            default:
                if !inCharset {
                    c.state = .js
                    c.jsCtx = .divOp
                    return (c, i + 1)
                }
            }
            k = i + 1
        }
        if inCharset { return (.error(HTMLEscapeError("unfinished JS regexp charset: \(GoQuote.quote(bytesString(s[...])))")), s.count) }
        return (c, s.count)
    }

    static func tBlockCmt(_ c: HTMLContext, _ s: Text) -> (HTMLContext, Int) {
        guard let i = index(s, of: Array("*/".utf8)) else { return (c, s.count) }
        var c = c
        c.state = c.state == .jsBlockCmt ? .js : .css
        return (c, i + 2)
    }

    static func tLineCmt(_ c: HTMLContext, _ s: Text) -> (HTMLContext, Int) {
        var c = c
        let i: Int?
        if c.state == .jsLineCmt {
            // \n \r U+2028 U+2029 (Go's IndexAny over runes)
            i = lineTerminatorIndex(s)
        } else {
            i = indexAny(s, Array("\n\u{0C}\r".utf8))
        }
        guard let i else { return (c, s.count) }
        c.state = c.state == .jsLineCmt ? .js : .css
        return (c, i)
    }

    private static func lineTerminatorIndex(_ s: Text) -> Int? {
        var i = 0
        while i < s.count {
            if s[i] == 0x0A || s[i] == 0x0D { return i }
            if s[i] == 0xE2, i + 2 < s.count, s[i + 1] == 0x80, s[i + 2] == 0xA8 || s[i + 2] == 0xA9 { return i }
            i += 1
        }
        return nil
    }

    /// Go's `nextJSCtx`: whether a `/` after `s` starts a regexp or divides.
    static func nextJSCtx(_ text: some Sequence<UInt8>, _ preceding: HTMLContext.JSCtx) -> HTMLContext.JSCtx {
        var s = Array(text)
        // Trim "\t\n\f\r " and U+2028, U+2029 from the right.
        while let last = s.last {
            if [0x09, 0x0A, 0x0C, 0x0D, 0x20].contains(last) {
                s.removeLast()
            } else if s.count >= 3, s[s.count - 3] == 0xE2, s[s.count - 2] == 0x80, last == 0xA8 || last == 0xA9 {
                s.removeLast(3)
            } else {
                break
            }
        }
        guard let c = s.last else { return preceding }
        let n = s.count
        switch c {
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            var start = n - 1
            while start > 0 && s[start - 1] == c { start -= 1 }
            return (n - start) & 1 == 1 ? .regexp : .divOp
        case UInt8(ascii: "."):
            if n != 1 && s[n - 2] >= 0x30 && s[n - 2] <= 0x39 { return .divOp }
            return .regexp
        case UInt8(ascii: ","), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "="), UInt8(ascii: "*"), UInt8(ascii: "%"),
             UInt8(ascii: "&"), UInt8(ascii: "|"), UInt8(ascii: "^"), UInt8(ascii: "?"), UInt8(ascii: "!"), UInt8(ascii: "~"),
             UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: "{"), UInt8(ascii: "}"):
            return .regexp
        default:
            var j = n
            while j > 0 && isJSIdentPart(s[j - 1]) { j -= 1 }
            let word = String(decoding: s[j...], as: UTF8.self)
            if ["break", "case", "continue", "delete", "do", "else", "finally", "in", "instanceof", "return", "throw", "try",
                "typeof", "void"].contains(word) {
                return .regexp
            }
            return .divOp
        }
    }

    static func isJSIdentPart(_ r: UInt8) -> Bool {
        r == UInt8(ascii: "$") || r == UInt8(ascii: "_") || isAlphaNum(r)
    }

    static func isJSType(_ mime: String) -> Bool {
        let t = String(mime.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            .lowercased().trimmingGoSpace()
        return ["application/ecmascript", "application/javascript", "application/json", "application/ld+json", "application/x-ecmascript",
                "application/x-javascript", "module", "text/ecmascript", "text/javascript", "text/javascript1.0", "text/javascript1.1",
                "text/javascript1.2", "text/javascript1.3", "text/javascript1.4", "text/javascript1.5", "text/jscript",
                "text/livescript", "text/x-ecmascript", "text/x-javascript"].contains(t)
    }

    // MARK: CSS

    static func tCSS(_ c: HTMLContext, _ s: Text) -> (HTMLContext, Int) {
        var c = c
        var k = 0
        while true {
            guard let i = indexAny(s, Array("(\"'/".utf8), from: k) else { return (c, s.count) }
            switch s[i] {
            case UInt8(ascii: "("):
                var p = Array(s[..<i])
                while let last = p.last, [0x09, 0x0A, 0x0C, 0x0D, 0x20].contains(last) { p.removeLast() }
                if endsWithCSSKeyword(p, "url") {
                    var j = i + 1
                    while j < s.count, [0x09, 0x0A, 0x0C, 0x0D, 0x20].contains(s[j]) { j += 1 }
                    if j != s.count && s[j] == UInt8(ascii: "\"") {
                        c.state = .cssDqURL
                        j += 1
                    } else if j != s.count && s[j] == UInt8(ascii: "'") {
                        c.state = .cssSqURL
                        j += 1
                    } else {
                        c.state = .cssURL
                    }
                    return (c, j)
                }
            case UInt8(ascii: "/"):
                if i + 1 < s.count {
                    if s[i + 1] == UInt8(ascii: "/") {
                        c.state = .cssLineCmt
                        return (c, i + 2)
                    }
                    if s[i + 1] == UInt8(ascii: "*") {
                        c.state = .cssBlockCmt
                        return (c, i + 2)
                    }
                }
            case UInt8(ascii: "\""):
                c.state = .cssDqStr
                return (c, i + 1)
            default:  // '\''
                c.state = .cssSqStr
                return (c, i + 1)
            }
            k = i + 1
        }
    }

    static func tCSSStr(_ c: HTMLContext, _ s: Text) -> (HTMLContext, Int) {
        var c = c
        let endAndEsc: Bytes
        switch c.state {
        case .cssDqStr, .cssDqURL: endAndEsc = Array("\\\"".utf8)
        case .cssSqStr, .cssSqURL: endAndEsc = Array("\\'".utf8)
        default: endAndEsc = Array("\\\t\n\u{0C}\r )".utf8)
        }
        var k = 0
        while true {
            guard var i = indexAny(s, endAndEsc, from: k) else {
                let (c1, nread) = tURL(c, decodeCSS(Array(s[k...])))
                return (c1, k + nread)
            }
            if s[i] == UInt8(ascii: "\\") {
                i += 1
                if i == s.count {
                    return (.error(HTMLEscapeError("unfinished escape sequence in CSS string: \(GoQuote.quote(bytesString(s[...])))")), s.count)
                }
            } else {
                c.state = .css
                return (c, i + 1)
            }
            c = tURL(c, decodeCSS(Array(s[..<(i + 1)]))).0
            k = i + 1
        }
    }

    static func endsWithCSSKeyword(_ b: Bytes, _ kw: String) -> Bool {
        let k = Array(kw.utf8)
        let i = b.count - k.count
        if i < 0 { return false }
        if i != 0, let r = String(decoding: b[..<i], as: UTF8.self).unicodeScalars.last, isCSSNmchar(r) { return false }
        return b[i...].map(lower) == k
    }

    static func isCSSNmchar(_ r: Unicode.Scalar) -> Bool {
        let v = r.value
        return (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39) || r == "-" || r == "_"
            || (v >= 0x80 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) || (v >= 0x10000 && v <= 0x10FFFF)
    }

    static func isHex(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
    }

    /// Go's `decodeCSS`: CSS escapes (`\\41 `, `\\"`) decoded.
    static func decodeCSS(_ input: Bytes) -> Bytes {
        guard input.contains(UInt8(ascii: "\\")) else { return input }
        var s = input[...]
        var b: Bytes = []
        while !s.isEmpty {
            let i = s.firstIndex(of: UInt8(ascii: "\\")) ?? s.endIndex
            b += s[s.startIndex..<i]
            s = s[i...]
            if s.count < 2 { break }
            let second = s[s.startIndex + 1]
            if isHex(second) {
                var j = 2
                while j < s.count && j < 7 && isHex(s[s.startIndex + j]) { j += 1 }
                var r: UInt32 = 0
                for h in s[(s.startIndex + 1)..<(s.startIndex + j)] { r = r << 4 | UInt32(GoStrconv.hexValue(Unicode.Scalar(h)) ?? 0) }
                if r > 0x10FFFF {
                    r /= 16
                    j -= 1
                }
                b += Array(String(Unicode.Scalar(r) ?? "\u{FFFD}").utf8)
                s = skipCSSSpace(s.dropFirst(j))
            } else {
                let rest = s.dropFirst()
                let n = utf8Length(rest.first ?? 0)
                b += rest.prefix(n)
                s = rest.dropFirst(n)
            }
        }
        return b
    }

    private static func utf8Length(_ lead: UInt8) -> Int {
        lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
    }

    static func skipCSSSpace(_ c: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let first = c.first else { return c }
        switch first {
        case 0x09, 0x0A, 0x0C, 0x20: return c.dropFirst()
        case 0x0D: return c.dropFirst().first == 0x0A ? c.dropFirst(2) : c.dropFirst()
        default: return c
        }
    }

    // MARK: Names

    static func eatAttrName(_ s: Text, _ i: Int) -> Result<Int, HTMLEscapeError> {
        var j = i
        while j < s.count {
            switch s[j] {
            case 0x20, 0x09, 0x0A, 0x0C, 0x0D, UInt8(ascii: "="), UInt8(ascii: ">"): return .success(j)
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "<"):
                let all = String(decoding: s, as: UTF8.self)
                return .failure(HTMLEscapeError("\(GoQuote.quote(String(UnicodeScalar(s[j])))) in attribute name: \(GoQuote.quote(String(all.unicodeScalars.prefix(32).map(Character.init))))"))
            default: j += 1
            }
        }
        return .success(s.count)
    }

    static func eatTagName(_ s: Text, _ i: Int) -> (Int, HTMLContext.Element) {
        if i == s.count || !isAlpha(s[i]) { return (i, .none) }
        var j = i + 1
        while j < s.count {
            let x = s[j]
            if isAlphaNum(x) {
                j += 1
                continue
            }
            if (x == UInt8(ascii: ":") || x == UInt8(ascii: "-")) && j + 1 < s.count && isAlphaNum(s[j + 1]) {
                j += 2
                continue
            }
            break
        }
        let name = String(decoding: s[i..<j], as: UTF8.self).lowercased()
        let e: HTMLContext.Element
        switch name {
        case "script": e = .script
        case "style": e = .style
        case "textarea": e = .textarea
        case "title": e = .title
        default: e = .none
        }
        return (j, e)
    }

    static func eatWhiteSpace<C: RandomAccessCollection<UInt8>>(_ s: C, _ i: Int) -> Int where C.Index == Int {
        var j = i
        while j < s.count {
            switch s[j] {
            case 0x20, 0x09, 0x0A, 0x0C, 0x0D: j += 1
            default: return j
            }
        }
        return s.count
    }

    static func bytesString(_ s: some Sequence<UInt8>) -> String { String(decoding: Array(s), as: UTF8.self) }

    // MARK: Attribute types (attr.go)

    /// What an attribute's value holds (Go's contentType for attributes).
    enum AttrContent { case plain, css, html, js, url, srcset, unsafe }

    static func attrType(_ input: String) -> AttrContent {
        var name = input
        if name.hasPrefix("data-") {
            name = String(name.dropFirst(5))
        } else if let colon = name.firstIndex(of: ":") {
            if name[..<colon] == "xmlns" { return .url }
            name = String(name[name.index(after: colon)...])
        }
        if let t = attrTypeMap[name] { return t }
        if name.hasPrefix("on") { return .js }
        if name.contains("src") || name.contains("uri") || name.contains("url") { return .url }
        return .plain
    }

    static let attrTypeMap: [String: AttrContent] = [
        "accept": .plain, "accept-charset": .unsafe, "action": .url, "alt": .plain, "archive": .url, "async": .unsafe,
        "autocomplete": .plain, "autofocus": .plain, "autoplay": .plain, "background": .url, "border": .plain, "checked": .plain,
        "cite": .url, "challenge": .unsafe, "charset": .unsafe, "class": .plain, "classid": .url, "codebase": .url, "cols": .plain,
        "colspan": .plain, "content": .unsafe, "contenteditable": .plain, "contextmenu": .plain, "controls": .plain, "coords": .plain,
        "crossorigin": .unsafe, "data": .url, "datetime": .plain, "default": .plain, "defer": .unsafe, "dir": .plain, "dirname": .plain,
        "disabled": .plain, "draggable": .plain, "dropzone": .plain, "enctype": .unsafe, "for": .plain, "form": .unsafe,
        "formaction": .url, "formenctype": .unsafe, "formmethod": .unsafe, "formnovalidate": .unsafe, "formtarget": .plain,
        "headers": .plain, "height": .plain, "hidden": .plain, "high": .plain, "href": .url, "hreflang": .plain, "http-equiv": .unsafe,
        "icon": .url, "id": .plain, "ismap": .plain, "keytype": .unsafe, "kind": .plain, "label": .plain, "lang": .plain,
        "language": .unsafe, "list": .plain, "longdesc": .url, "loop": .plain, "low": .plain, "manifest": .url, "max": .plain,
        "maxlength": .plain, "media": .plain, "mediagroup": .plain, "method": .unsafe, "min": .plain, "multiple": .plain, "name": .plain,
        "novalidate": .unsafe, "open": .plain, "optimum": .plain, "pattern": .unsafe, "placeholder": .plain, "poster": .url,
        "profile": .url, "preload": .plain, "pubdate": .plain, "radiogroup": .plain, "readonly": .plain, "rel": .unsafe,
        "required": .plain, "reversed": .plain, "rows": .plain, "rowspan": .plain, "sandbox": .unsafe, "spellcheck": .plain,
        "scope": .plain, "scoped": .plain, "seamless": .plain, "selected": .plain, "shape": .plain, "size": .plain, "sizes": .plain,
        "span": .plain, "src": .url, "srcdoc": .html, "srclang": .plain, "srcset": .srcset, "start": .plain, "step": .plain,
        "style": .css, "tabindex": .plain, "target": .plain, "title": .plain, "type": .unsafe, "usemap": .url, "value": .unsafe,
        "width": .plain, "wrap": .plain, "xmlns": .url,
    ]
}

extension String {
    /// Go's `strings.TrimSpace` (ASCII white space and the Unicode spaces Go trims).
    func trimmingGoSpace() -> String {
        let scalars = unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool = { $0.properties.isWhitespace }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }
}
