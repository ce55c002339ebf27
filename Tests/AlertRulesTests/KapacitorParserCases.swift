import Testing

/// Kapacitor 1.5.9's TICKscript parser and lexer test tables (`tick/ast/parser_test.go`,
/// `tick/ast/lex_test.go`), as data: the cases are generated into
/// KapacitorParserCases+Kapacitor.swift by Tools/tick-parser-cases.
enum KapacitorParserCases {
    /// An input of TestLexer and the tokens Kapacitor's lexer gives: Go token name, byte offset, text.
    struct LexerCase: Sendable, CustomTestStringConvertible {
        var source: String
        var input: String
        var tokens: [(String, Int, String)]
        var testDescription: String { source }
    }

    /// An input of TestParseErrors and Kapacitor's error message, verbatim.
    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var source: String
        var script: String
        var kapacitorError: String
        var testDescription: String { source }
    }

    /// An input of TestParseStrings: `f(<string>)` and the string's value.
    struct StringCase: Sendable, CustomTestStringConvertible {
        var source: String
        var script: String
        var literal: String
        var testDescription: String { source }
    }

    /// An input of TestParseStatements and the tree Kapacitor's parser gives, in TICKTreeDump's form.
    struct StatementCase: Sendable, CustomTestStringConvertible {
        var source: String
        var script: String
        var tree: String
        var testDescription: String { source }
    }
}
