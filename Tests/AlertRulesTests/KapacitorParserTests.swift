import Foundation
import Testing
@testable import AlertRules

/// Our TICKscript lexer and parser on Kapacitor 1.5.9's own test tables (`tick/ast/lex_test.go`,
/// `tick/ast/parser_test.go`, generated into KapacitorParserCases+Kapacitor.swift): the same tokens
/// at the same byte offsets, the same trees (kinds, positions, values, operators, comments), and
/// errors at the line and column Kapacitor reports, naming the same problem.
@Suite struct KapacitorParserTests {
    /// Kapacitor's token names (lex.go) and ours, with Kapacitor's `TokenType.String()`.
    static let tokenKinds: [String: (TICKToken.Kind, String)] = [
        "TokenError": (.error, "ERR"), "TokenEOF": (.eof, "EOF"), "TokenVar": (.var, "var"), "TokenDBRP": (.dbrp, "dbrp"),
        "TokenAsgn": (.assign, "="), "TokenDot": (.dot, "."), "TokenPipe": (.pipe, "|"), "TokenAt": (.at, "@"),
        "TokenIdent": (.identifier, "identifier"), "TokenReference": (.reference, "reference"), "TokenLambda": (.lambda, "lambda"),
        "TokenNumber": (.number, "number"), "TokenString": (.string, "string"), "TokenDuration": (.duration, "duration"),
        "TokenLParen": (.leftParen, "("), "TokenRParen": (.rightParen, ")"), "TokenLSBracket": (.leftBracket, "["),
        "TokenRSBracket": (.rightBracket, "]"), "TokenComma": (.comma, ","), "TokenNot": (.not, "!"), "TokenTrue": (.true, "TRUE"),
        "TokenFalse": (.false, "FALSE"), "TokenRegex": (.regex, "regex"), "TokenComment": (.comment, "//"), "TokenStar": (.star, "*"),
        "TokenPlus": (.plus, "+"), "TokenMinus": (.minus, "-"), "TokenMult": (.mult, "*"), "TokenDiv": (.div, "/"),
        "TokenMod": (.mod, "%"), "TokenAnd": (.and, "AND"), "TokenOr": (.or, "OR"), "TokenEqual": (.equal, "=="),
        "TokenNotEqual": (.notEqual, "!="), "TokenLess": (.less, "<"), "TokenGreater": (.greater, ">"),
        "TokenLessEqual": (.lessEqual, "<="), "TokenGreaterEqual": (.greaterEqual, ">="), "TokenRegexEqual": (.regexEqual, "=~"),
        "TokenRegexNotEqual": (.regexNotEqual, "!~"),
    ]

    @Test(arguments: KapacitorParserCases.lexer)
    func lexer(_ c: KapacitorParserCases.LexerCase) throws {
        let got = TICKLexer.tokens(c.input).map { "\($0.kind) \($0.offset) \(TICKTreeDump.quote($0.text))" }
        let expected = try c.tokens.map { (name, offset, text) in
            let kind = try #require(Self.tokenKinds[name], "unknown token \(name)").0
            return "\(kind) \(offset) \(TICKTreeDump.quote(text))"
        }
        #expect(got == expected)
    }

    /// Test_TokenType_String: every token kind prints as Kapacitor's `TokenType.String()`.
    @Test func tokenKindsPrintAsKapacitors() {
        for (name, (kind, text)) in Self.tokenKinds { #expect(kind.description == text, "\(name)") }
    }

    /// TestParserLookAhead: next, peek and backup over "0 1 2 3" give Kapacitor's tokens.
    @Test func parserLookAhead() {
        var p = TICKParser("0 1 2 3")
        func tok(_ offset: Int, _ text: String) -> TICKToken { TICKToken(kind: .number, offset: offset, text: text) }
        #expect(p.next() == tok(0, "0"))
        #expect(p.peek() == tok(2, "1"))
        #expect(p.next() == tok(2, "1"))
        p.backup()
        #expect(p.next() == tok(2, "1"))
        #expect(p.peek() == tok(4, "2"))
        p.backup()
        #expect(p.next() == tok(2, "1"))
        #expect(p.next() == tok(4, "2"))
        #expect(p.next() == tok(6, "3"))
    }

    @Test(arguments: KapacitorParserCases.parseStatements)
    func statement(_ c: KapacitorParserCases.StatementCase) throws {
        let tree = try TICKParser.parse(c.script)
        #expect(TICKTreeDump.dump(tree) == c.tree)
    }

    @Test(arguments: KapacitorParserCases.parseStrings)
    func string(_ c: KapacitorParserCases.StringCase) throws {
        let tree = try TICKParser.parse(c.script)
        guard case .program(let nodes) = tree.kind, nodes.count == 1,
              case .function(.global, _, let args, _) = nodes[0].kind, args.count == 1,
              case .string(let literal, _) = args[0].kind else {
            Issue.record("not one function with one string argument: \(TICKTreeDump.dump(tree))")
            return
        }
        #expect(literal == c.literal)
    }

    @Test(arguments: KapacitorParserCases.parseErrors)
    func error(_ c: KapacitorParserCases.ErrorCase) throws {
        let expected = try #require(Self.translate(c.kapacitorError), "Kapacitor's message is not of the form this test reads")
        #expect(throws: TICKError.self) { try TICKParser.parse(c.script) }
        do {
            _ = try TICKParser.parse(c.script)
        } catch {
            #expect("\(error.line):\(error.column)" == "\(expected.line):\(expected.column)")
            #expect(error.message == expected.message)
        }
    }

    /// Kapacitor's parse error in our words: the place Kapacitor names, and the message
    /// `unexpected <token> in "<context>": expected <a, b or c>` naming the same tokens.
    static func translate(_ kapacitor: String) -> (line: Int, column: Int, message: String)? {
        let pattern = #"^parser: unexpected (.+) line (\d+) char (\d+) in "(.*)"\. expected: (.*)$"#
        guard let re = try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators]),
              let m = re.firstMatch(in: kapacitor, range: NSRange(kapacitor.startIndex..., in: kapacitor)) else { return nil }
        func group(_ i: Int) -> String { String(kapacitor[Range(m.range(at: i), in: kapacitor)!]) }
        func phrase(_ token: String) -> String {
            switch token {
            case "EOF": return "the end of the script"
            case "number": return "a number"
            case "string": return "a string"
            case "duration": return "a duration"
            case "identifier": return "an identifier"
            case "reference": return "a reference"
            case "regex": return "a regex"
            case "TRUE", "FALSE", "var", "dbrp", "AND", "OR": return token
            default: return "\"\(token)\""
            }
        }
        // Kapacitor lists the expected tokens as Go-quoted strings joined by commas.
        let expected = group(5).dropFirst().dropLast().components(separatedBy: "\",\"").map(phrase)
        let list = expected.count == 1 ? expected[0] : expected.dropLast().joined(separator: ", ") + " or " + expected.last!
        guard let line = Int(group(2)), let column = Int(group(3)) else { return nil }
        return (line, column, "unexpected \(phrase(group(1))) in \"\(group(4))\": expected \(list)")
    }

    @Test func everyCaseOfKapacitorsTablesIsHere() {
        #expect(KapacitorParserCases.lexer.count == 60)
        #expect(KapacitorParserCases.parseErrors.count == 3)
        #expect(KapacitorParserCases.parseStrings.count == 4)
        #expect(KapacitorParserCases.parseStatements.count == 32)
    }
}
