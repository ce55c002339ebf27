#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The type of a lambda value, named as Kapacitor names it in error messages (`ast.ValueType`).
public enum LambdaType: String, Sendable, Hashable, CustomStringConvertible {
    case float, int, string, boolean, regex, time, duration, missing

    public var description: String { rawValue }
    /// Go's `%T` name of a value of this type, as Kapacitor's function errors print it.
    var goTypeName: String {
        switch self {
        case .float: return "float64"
        case .int: return "int64"
        case .string: return "string"
        case .boolean: return "bool"
        case .regex: return "*regexp.Regexp"
        case .time: return "time.Time"
        case .duration: return "time.Duration"
        case .missing: return "*ast.Missing"
        }
    }
}

/// A value inside a lambda expression: a field, a tag, a literal or a function result.
public enum LambdaValue: Sendable, Equatable {
    case float(Double)
    case int(Int64)
    case string(String)
    case bool(Bool)
    case regex(LambdaRegex)
    /// Nanoseconds since the Unix epoch.
    case time(Int64)
    /// Nanoseconds.
    case duration(Int64)
    /// A reference with no field or tag of that name on the point.
    case missing(String)

    /// The value's type.
    public var type: LambdaType {
        switch self {
        case .float: return .float
        case .int: return .int
        case .string: return .string
        case .bool: return .boolean
        case .regex: return .regex
        case .time: return .time
        case .duration: return .duration
        case .missing: return .missing
        }
    }
}

/// A compiled `/regex/` literal: Go's RE2 syntax, run by the standard library's `Regex` (no ICU:
/// the relay links FoundationEssentials only).
///
/// RE2 and Swift's regex syntax agree on what alert rules use (classes, anchors, groups, `(?i)`,
/// repetition); `(?P<name>…)` is translated to `(?<name>…)`. Matching is by Unicode scalar, as
/// RE2 and ICU match, not by grapheme cluster (Swift's default).
public final class LambdaRegex: Sendable, Equatable, CustomStringConvertible {
    /// The pattern as written between the slashes (with `\/` unescaped).
    public let pattern: String
    // `Regex` is immutable once compiled and matching does not change it; the standard library
    // does not mark it Sendable (its output type may not be), this one's output is strings.
    nonisolated(unsafe) let regex: Regex<AnyRegexOutput>
    /// Names of the capture groups, in order, for `${name}` in replacements.
    let groupNames: [String]

    /// Compiles `pattern`; throws the compiler's reason.
    public init(_ pattern: String) throws(LambdaError) {
        self.pattern = pattern
        let translated = pattern.replacing("(?P<", with: "(?<")
        do {
            regex = try Regex(translated).matchingSemantics(.unicodeScalar)
        } catch {
            throw LambdaError("error parsing regexp: invalid regular expression `\(pattern)`")
        }
        groupNames = LambdaRegex.captureNames(translated)
    }

    /// Whether the pattern matches anywhere in `s` (Go's `MatchString`).
    public func matches(_ s: String) -> Bool {
        // Only custom regex components throw; a compiled pattern has none.
        (try? regex.firstMatch(in: s)) != nil
    }

    /// Go's `ReplaceAllString`: `$1`, `${1}`, `$name`, `${name}`, `$$` expand in `template`.
    public func replaceAll(in src: String, with template: String) -> String {
        let matches = src.matches(of: regex)
        if matches.isEmpty { return src }
        var out = ""
        var last = src.startIndex
        for m in matches {
            out += String(src.unicodeScalars[last..<m.range.lowerBound])
            out += expand(template, match: m, in: src)
            last = m.range.upperBound
        }
        out += String(src.unicodeScalars[last...])
        return out
    }

    private func group(_ name: String, match: Regex<AnyRegexOutput>.Match, in src: String) -> String {
        var index: Int?
        if let n = Int(name), n >= 0 { index = n } else if let i = groupNames.firstIndex(of: name) { index = i + 1 }
        guard let i = index, i < match.output.count, let r = match.output[i].range else { return "" }
        return String(src.unicodeScalars[r])
    }

    private func expand(_ template: String, match: Regex<AnyRegexOutput>.Match, in src: String) -> String {
        var out = ""
        var chars = Array(template.unicodeScalars)[...]
        func isNameChar(_ c: Unicode.Scalar) -> Bool {
            c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
        }
        while let c = chars.first {
            chars = chars.dropFirst()
            guard c == "$" else { out.unicodeScalars.append(c); continue }
            guard let next = chars.first else { out += "$"; break }
            if next == "$" { out += "$"; chars = chars.dropFirst(); continue }
            if next == "{" {
                if let close = chars.firstIndex(of: "}") {
                    let name = String(String.UnicodeScalarView(chars[chars.index(after: chars.startIndex)..<close]))
                    if !name.isEmpty, name.unicodeScalars.allSatisfy(isNameChar) {
                        out += group(name, match: match, in: src)
                        chars = chars[chars.index(after: close)...]
                        continue
                    }
                }
                out += "$"  // Go: a malformed ${ is copied literally
                continue
            }
            var name = ""
            while let n = chars.first, isNameChar(n) { name.unicodeScalars.append(n); chars = chars.dropFirst() }
            if name.isEmpty { out += "$"; continue }
            out += group(name, match: match, in: src)
        }
        return out
    }

    private static func captureNames(_ pattern: String) -> [String] {
        var names: [String] = []
        let s = Array(pattern.unicodeScalars)
        var i = 0
        var inClass = false
        while i < s.count {
            let c = s[i]
            if c == "\\" { i += 2; continue }
            if inClass { if c == "]" { inClass = false }; i += 1; continue }
            if c == "[" { inClass = true; i += 1; continue }
            if c == "(" {
                if i + 1 < s.count, s[i + 1] == "?" {
                    if i + 2 < s.count, s[i + 2] == "<", i + 3 < s.count, s[i + 3] != "=", s[i + 3] != "!" {
                        var j = i + 3
                        var name = ""
                        while j < s.count, s[j] != ">" { name.unicodeScalars.append(s[j]); j += 1 }
                        names.append(name)
                    }
                } else {
                    names.append("")
                }
            }
            i += 1
        }
        return names
    }

    public var description: String { "/\(pattern)/" }
    public static func == (a: LambdaRegex, b: LambdaRegex) -> Bool { a.pattern == b.pattern }
}

/// Why a lambda expression did not parse, compile or evaluate.
public struct LambdaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// Line (1-based) within the expression text, when the error has a place.
    public var line: Int?
    /// Column (1-based) within that line.
    public var column: Int?

    public init(_ message: String, line: Int? = nil, column: Int? = nil) {
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String { message }
}
