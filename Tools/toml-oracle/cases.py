"""The corpus: TOML 1.0 documents, valid and invalid, each named. Hand-written cases for every
construct, and generated families (every escape, every control character in every place, number
and date tokens, and every short sequence of table statements, for TOML's redefinition rules).
tomllib decides which are valid; `deviation` marks the few we refuse on purpose."""
import itertools
import random

# (name, document) pairs, written out.
HAND = [
    # --- documents, comments, whitespace, newlines
    ("empty", ""),
    ("only-newlines", "\n\n\n"),
    ("only-comment", "# a comment"),
    ("comments-everywhere", "# top\nkey = \"value\" # after\n[table] # header\n  # indented\nother = 1#tight\n"),
    ("whitespace-only", "   \t \n\t\n"),
    ("no-trailing-newline", "a = 1"),
    ("crlf", "a = 1\r\nb = \"x\"\r\n[t]\r\nc = true\r\n"),
    ("lone-cr", "a = 1\rb = 2\n"),
    ("lone-cr-in-comment", "# x\ry\na = 1\n"),
    ("cr-at-end", "a = 1\r"),
    ("bom", "\ufeffa = 1\n"),
    ("tab-indent", "\ta = 1\n\t[t]\n\tb = 2\n"),
    ("comment-with-tab", "a = 1 #\tok\n"),
    ("comment-unicode", "# héllo ✓ 😀\na = 1\n"),
    ("two-statements-one-line", "a = 1 b = 2\n"),
    ("statement-junk", "a = 1 x\n"),
    ("garbage-statement", "!a = 1\n"),
    ("equals-only", "= 1\n"),
    ("key-without-value", "a\n"),
    ("key-equals-nothing", "a =\n"),
    ("key-equals-eof", "a ="),
    ("key-equals-comment", "a = # nothing\n"),
    ("newline-before-value", "a =\n1\n"),
    ("newline-in-key", "a\n= 1\n"),
    # --- keys
    ("bare-keys", "key = 1\nbare_key = 2\nbare-key = 3\n1234 = 4\n-_- = 5\nABC = 6\n"),
    ("quoted-keys", "\"127.0.0.1\" = 1\n\"character encoding\" = 2\n\"ʎǝʞ\" = 3\n'key2' = 4\n'quoted \"value\"' = 5\n"),
    ("empty-quoted-key", "\"\" = 1\n"),
    ("empty-literal-key", "'' = 1\n"),
    ("empty-bare-key", " = 1\n"),
    ("dotted-keys", "name = \"Orange\"\nphysical.color = \"orange\"\nphysical.shape = \"round\"\nsite.\"google.com\" = true\n"),
    ("dotted-keys-whitespace", "fruit.name = 1\nfruit. color = 2\nfruit . flavor = 3\n\tfruit\t.\tweight = 4\n"),
    ("dotted-key-trailing-dot", "a. = 1\n"),
    ("dotted-key-leading-dot", ".a = 1\n"),
    ("dotted-key-double-dot", "a..b = 1\n"),
    ("key-number-like", "3.14159 = \"pi\"\n"),
    ("key-true", "true = 1\nfalse = 2\ninf = 3\nnan = 4\n"),
    ("key-unicode-bare", "é = 1\n"),
    ("key-space-inside", "a b = 1\n"),
    ("key-multiline-quoted", "\"\"\"a\"\"\" = 1\n"),
    ("key-multiline-literal", "'''a''' = 1\n"),
    ("key-escape", "\"a\\tb\" = 1\n\"\\u00e9\" = 2\n"),
    ("key-quoted-dotted-same", "a.b = 1\n\"a.b\" = 2\n"),
    ("key-duplicate", "a = 1\na = 2\n"),
    ("key-duplicate-quoted", "spelling = 1\n\"spelling\" = 2\n"),
    ("key-duplicate-literal-basic", "'a' = 1\n\"a\" = 2\n"),
    ("key-duplicate-escape", "\"\\u0061\" = 1\na = 2\n"),
    ("key-dotted-over-value", "a = 1\na.b = 2\n"),
    ("key-value-over-dotted", "a.b = 1\na = 2\n"),
    ("key-dotted-extend", "a.b.c = 1\na.b.d = 2\na.e = 3\n"),
    ("key-dotted-out-of-order", "apple.type = \"fruit\"\norange.type = \"fruit\"\napple.skin = \"thin\"\norange.skin = \"thick\"\n"),
    ("key-after-table-equal", "[a]\nb = 1\n[a.b]\n"),
    ("key-hash-in-quoted", "\"#\" = 1\n'#' = 2\n"),
    ("key-open-quote", "\"a = 1\n"),
    ("key-open-literal", "'a = 1\n"),
    ("key-control-in-quoted", "\"a\x01\" = 1\n"),
    # --- strings
    ("basic-string", "s = \"I'm a string. \\\"You can quote me\\\". Name\\tJos\\u00E9\\nLocation\\tSF.\"\n"),
    ("all-escapes", "s = \"\\b\\t\\n\\f\\r\\\"\\\\\\u0000\\u001F\\u007F\\u00e9\\uFFFF\\U0001F600\\U0010FFFF\"\n"),
    ("escape-surrogate-low", "s = \"\\uD800\"\n"),
    ("escape-surrogate-high", "s = \"\\uDFFF\"\n"),
    ("escape-after-surrogates", "s = \"\\uE000\"\n"),
    ("escape-too-large", "s = \"\\U00110000\"\n"),
    ("escape-ffffffff", "s = \"\\UFFFFFFFF\"\n"),
    ("escape-short-u", "s = \"\\u12\"\n"),
    ("escape-short-U", "s = \"\\U0001F60\"\n"),
    ("escape-bad-hex", "s = \"\\u12G4\"\n"),
    ("escape-lower-hex", "s = \"\\u00e9\\U0001f600\"\n"),
    ("escape-x", "s = \"\\x41\"\n"),
    ("escape-e", "s = \"\\e\"\n"),
    ("escape-space", "s = \"a\\ b\"\n"),
    ("escape-at-eof", "s = \"\\"),
    ("escape-backslash-quote-end", "s = \"\\\\\"\n"),
    ("string-unterminated", "s = \"abc\n"),
    ("string-unterminated-eof", "s = \"abc"),
    ("string-newline-escape-single", "s = \"a\\\nb\"\n"),
    ("string-empty", "s = \"\"\nt = ''\n"),
    ("string-unicode", "s = \"日本語 ✓ 😀\"\nt = 'Ünïcödé'\n"),
    ("string-tab", "s = \"a\tb\"\nt = 'a\tb'\n"),
    ("string-del", "s = \"a\x7fb\"\n"),
    ("string-hash", "s = \"# not a comment\" # a comment\n"),
    ("string-then-junk", "s = \"a\"b\n"),
    ("literal-string", "winpath = 'C:\\Users\\nodejs\\templates'\nwinpath2 = '\\\\ServerX\\admin$\\system32\\'\nquoted = 'Tom \"Dubs\" Preston-Werner'\nregex = '<\\i\\c*\\s*>'\n"),
    ("literal-unterminated", "s = 'abc\n"),
    ("literal-with-apostrophe", "s = 'it''s'\n"),
    ("multiline-basic", "s = \"\"\"\nRoses are red\nViolets are blue\"\"\"\n"),
    ("multiline-basic-crlf", "s = \"\"\"\r\nRoses\r\nViolets\"\"\"\r\n"),
    ("multiline-basic-first-newline-only", "s = \"\"\"\n\nline\"\"\"\n"),
    ("multiline-line-ending-backslash", "s = \"\"\"\nThe quick brown \\\n\n\n  fox jumps over \\\n    the lazy dog.\"\"\"\n"),
    ("multiline-backslash-trailing-space", "s = \"\"\"a \\   \n   b\"\"\"\n"),
    ("multiline-backslash-trailing-tab", "s = \"\"\"a \\\t\n   b\"\"\"\n"),
    ("multiline-backslash-crlf", "s = \"\"\"a \\\r\n   b\"\"\"\n"),
    ("multiline-backslash-space-then-text", "s = \"\"\"a \\  b\n\"\"\"\n"),
    ("multiline-backslash-at-end", "s = \"\"\"a\\\n\"\"\"\n"),
    ("multiline-backslash-eof", "s = \"\"\"a\\ "),
    ("multiline-escapes", "s = \"\"\"\\b\\t\\n\\f\\r\\\"\\\\\\u00e9\\U0001F600\"\"\"\n"),
    ("multiline-quotes-inside", "s = \"\"\"Here are two quotation marks: \"\". Simple enough.\"\"\"\n"),
    ("multiline-three-escaped", "s = \"\"\"Here are three quotation marks: \"\"\\\".\"\"\"\n"),
    ("multiline-fifteen", "s = \"\"\"Here are fifteen quotation marks: \\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\".\"\"\"\n"),
    ("multiline-quote-ends", "s = \"\"\"\"This,\" she said, \"is just a pointless statement.\"\"\"\"\n"),
    ("multiline-unterminated", "s = \"\"\"abc\n"),
    ("multiline-lone-cr", "s = \"\"\"a\rb\"\"\"\n"),
    ("multiline-tab", "s = \"\"\"a\tb\"\"\"\n"),
    ("multiline-literal", "regex2 = '''I [dw]on't need \\d{2} apples'''\nlines = '''\nThe first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved.\n'''\n"),
    ("multiline-literal-quotes", "quot15 = '''Here are fifteen quotation marks: \"\"\"\"\"\"\"\"\"\"\"\"\"\"\"'''\napos15 = \"Here are fifteen apostrophes: '''''''''''''''\"\nstr = ''''That,' she said, 'is still pointless.''''\n"),
    ("multiline-literal-crlf", "s = '''\r\na\r\nb'''\r\n"),
    ("multiline-literal-unterminated", "s = '''abc\n"),
    ("multiline-literal-backslash", "s = '''a\\\nb'''\n"),
    ("multiline-empty", "a = \"\"\"\"\"\"\nb = ''''''\n"),
    ("multiline-as-array-element", "a = [\"\"\"x\ny\"\"\", '''z\nw''']\n"),
    # --- integers
    ("integers", "int1 = +99\nint2 = 42\nint3 = 0\nint4 = -17\nint5 = 1_000\nint6 = 5_349_221\nint7 = 53_49_221\nint8 = 1_2_3_4_5\n"),
    ("integer-prefixes", "hex1 = 0xDEADBEEF\nhex2 = 0xdeadbeef\nhex3 = 0xdead_beef\noct1 = 0o01234567\noct2 = 0o755\nbin1 = 0b11010110\nzero = 0x0\n"),
    ("integer-extremes", "max = 9223372036854775807\nmin = -9223372036854775808\nhexmax = 0x7FFFFFFFFFFFFFFF\noctmax = 0o777777777777777777777\nbinmax = 0b111111111111111111111111111111111111111111111111111111111111111\n"),
    ("integer-signed-zero", "a = +0\nb = -0\n"),
    ("integer-leading-zero", "a = 01\n"),
    ("integer-leading-zero-signed", "a = -01\n"),
    ("integer-double-underscore", "a = 1__000\n"),
    ("integer-trailing-underscore", "a = 1000_\n"),
    ("integer-leading-underscore", "a = _1000\n"),
    ("integer-hex-upper-x", "a = 0XFF\n"),
    ("integer-hex-signed", "a = +0xFF\n"),
    ("integer-hex-empty", "a = 0x\n"),
    ("integer-hex-underscore-first", "a = 0x_FF\n"),
    ("integer-oct-bad-digit", "a = 0o8\n"),
    ("integer-bin-bad-digit", "a = 0b2\n"),
    ("integer-capital-prefixes", "a = 0O7\n"),
    ("integer-text-after", "a = 12abc\n"),
    ("integer-in-array-ok", "a = [1,2,3]\n"),
    # --- floats
    ("floats", "flt1 = +1.0\nflt2 = 3.1415\nflt3 = -0.01\nflt4 = 5e+22\nflt5 = 1e06\nflt6 = -2E-2\nflt7 = 6.626e-34\nflt8 = 224_617.445_991_228\nflt9 = 0e0\nflt10 = 1E5\n"),
    ("float-specials", "sf1 = inf\nsf2 = +inf\nsf3 = -inf\nsf4 = nan\nsf5 = +nan\nsf6 = -nan\n"),
    ("float-signed-zero", "a = -0.0\nb = +0.0\nc = 0.0\n"),
    ("float-extremes", "big = 1.7976931348623157e308\nover = 1e400\ntiny = 5e-324\nunder = 1e-400\n"),
    ("float-many-digits", "a = 3.14159265358979323846264338327950288419716939937510\n"),
    ("float-no-leading-digit", "a = .5\n"),
    ("float-no-trailing-digit", "a = 5.\n"),
    ("float-dot-exponent", "a = 1.e5\n"),
    ("float-exponent-empty", "a = 1e\n"),
    ("float-exponent-sign-only", "a = 1e+\n"),
    ("float-exponent-underscore", "a = 1e_5\n"),
    ("float-leading-zero", "a = 03.14\n"),
    ("float-leading-zero-exponent", "a = 1e05\nb = 1e-05\n"),
    ("float-underscore-dot", "a = 1_.5\n"),
    ("float-dot-underscore", "a = 1._5\n"),
    ("float-infinity-word", "a = infinity\n"),
    ("float-inf-capital", "a = Inf\n"),
    ("float-nan-capital", "a = NaN\n"),
    ("float-double-sign", "a = +-1.0\n"),
    ("float-two-dots", "a = 1.2.3\n"),
    # --- booleans
    ("booleans", "a = true\nb = false\n"),
    ("boolean-capital", "a = True\n"),
    ("boolean-short", "a = tru\n"),
    ("boolean-long", "a = truex\n"),
    ("boolean-falsey", "a = fals\n"),
    ("boolean-quoted-ok", "a = \"true\"\n"),
    # --- dates and times
    ("datetimes", "odt1 = 1979-05-27T07:32:00Z\nodt2 = 1979-05-27T00:32:00-07:00\nodt3 = 1979-05-27T00:32:00.999999-07:00\nodt4 = 1979-05-27 07:32:00Z\nodt5 = 1979-05-27t07:32:00z\n"),
    ("local-datetimes", "ldt1 = 1979-05-27T07:32:00\nldt2 = 1979-05-27T00:32:00.999999\nldt3 = 1979-05-27 07:32:00\n"),
    ("local-dates", "ld1 = 1979-05-27\nld2 = 2000-02-29\n"),
    ("local-times", "lt1 = 07:32:00\nlt2 = 00:32:00.999999\nlt3 = 23:59:59\nlt4 = 00:00:00\n"),
    ("datetime-fraction-long", "a = 1979-05-27T00:32:00.123456789123Z\nb = 00:00:00.1234567\n"),
    ("datetime-fraction-short", "a = 1979-05-27T00:32:00.1Z\n"),
    ("datetime-fraction-empty", "a = 1979-05-27T00:32:00.Z\n"),
    ("datetime-offset-extremes", "a = 1979-05-27T00:32:00+23:59\nb = 1979-05-27T00:32:00-00:00\nc = 1979-05-27T00:32:00+00:00\n"),
    ("datetime-offset-bad-hour", "a = 1979-05-27T00:32:00+24:00\n"),
    ("datetime-offset-no-colon", "a = 1979-05-27T00:32:00+0700\n"),
    ("datetime-no-seconds", "a = 1979-05-27T07:32Z\n"),
    ("time-no-seconds", "a = 07:32\n"),
    ("datetime-leap-second", "a = 1990-12-31T23:59:60Z\n"),
    ("datetime-hour-24", "a = 1979-05-27T24:00:00\n"),
    ("datetime-month-13", "a = 1979-13-01\n"),
    ("datetime-month-00", "a = 1979-00-01\n"),
    ("datetime-day-32", "a = 1979-01-32\n"),
    ("datetime-day-00", "a = 1979-01-00\n"),
    ("datetime-feb-29-non-leap", "a = 2023-02-29\n"),
    ("datetime-feb-29-1900", "a = 1900-02-29\n"),
    ("datetime-feb-29-2000", "a = 2000-02-29T00:00:00Z\n"),
    ("datetime-apr-31", "a = 2021-04-31\n"),
    ("datetime-year-0", "a = 0000-01-01\n"),
    ("datetime-year-9999", "a = 9999-12-31T23:59:59.999999Z\n"),
    ("datetime-short-year", "a = 979-05-27\n"),
    ("datetime-one-digit-month", "a = 1979-5-27\n"),
    ("datetime-trailing-T", "a = 1979-05-27T\n"),
    ("datetime-space-then-comment", "a = 1979-05-27 # date only\n"),
    ("datetime-space-then-junk", "a = 1979-05-27 junk\n"),
    ("datetime-double-space", "a = 1979-05-27  07:32:00\n"),
    ("datetime-underscore", "a = 1979-05-27_07:32:00\n"),
    ("datetime-in-array", "a = [1979-05-27, 07:32:00, 1979-05-27T07:32:00Z, 1979-05-27 07:32:00]\n"),
    ("datetime-in-inline", "a = {d = 1979-05-27T07:32:00Z, t = 07:32:00}\n"),
    ("time-with-offset", "a = 07:32:00Z\n"),
    ("time-one-digit-hour", "a = 7:32:00\n"),
    # --- arrays
    ("arrays", "integers = [ 1, 2, 3 ]\ncolors = [ \"red\", \"yellow\", \"green\" ]\nnested_arrays_of_ints = [ [ 1, 2 ], [3, 4, 5] ]\nnested_mixed_array = [ [ 1, 2 ], [\"a\", \"b\", \"c\"] ]\nstring_array = [ \"all\", 'strings', \"\"\"are the same\"\"\", '''type''' ]\nnumbers = [ 0.1, 0.2, 0.5, 1, 2, 5 ]\ncontributors = [\n  \"Foo Bar <foo@example.com>\",\n  { name = \"Baz Qux\", email = \"bazqux@example.com\", url = \"https://example.com/bazqux\" }\n]\n"),
    ("array-multiline-comments", "a = [ # start\n  1, # one\n  # alone\n  2, # two\n] # end\n"),
    ("array-trailing-comma", "a = [1, 2,]\nb = [\n  1,\n  2,\n]\n"),
    ("array-empty", "a = []\nb = [ ]\nc = [\n]\nd = [[]]\ne = [ # c\n]\n"),
    ("array-only-comma", "a = [,]\n"),
    ("array-double-comma", "a = [1,,2]\n"),
    ("array-leading-comma", "a = [,1]\n"),
    ("array-missing-comma", "a = [1 2]\n"),
    ("array-unclosed", "a = [1, 2\n"),
    ("array-unclosed-eof", "a = [1, 2"),
    ("array-unclosed-next-key", "a = [1, 2\nb = 3\n"),
    ("array-close-only", "a = ]\n"),
    ("array-of-inline-tables", "points = [ { x = 1, y = 2, z = 3 },\n           { x = 7, y = 8, z = 9 },\n           { x = 2, y = 4, z = 8 } ]\n"),
    ("array-nested-deep-ok", "a = [[[[[[[[[[1]]]]]]]]]]\n"),
    ("array-mixed-types", "a = [1, 1.5, \"s\", true, 1979-05-27, [1], {x = 1}]\n"),
    ("array-bad-control-in-comment", "a = [ # \x01\n1]\n"),
    ("array-string-with-bracket", "a = [\"]\", ']', \"[\"]\n"),
    ("array-extend-with-key", "a = [1]\na.b = 2\n"),
    ("array-then-array-of-tables", "a = []\n[[a]]\n"),
    ("array-of-inline-then-array-of-tables", "a = [{b = 1}]\n[[a]]\nc = 1\n"),
    ("array-then-subtable", "a = [{}]\n[a.b]\n"),
    # --- inline tables
    ("inline-tables", "name = { first = \"Tom\", last = \"Preston-Werner\" }\npoint = { x = 1, y = 2 }\nanimal = { type.name = \"pug\" }\n"),
    ("inline-empty", "a = {}\nb = { }\n"),
    ("inline-nested", "a = { b = { c = { d = 1 } }, e = [ { f = 2 } ] }\n"),
    ("inline-dotted-keys", "a = { b.c = 1, b.d = 2, e = 3 }\n"),
    ("inline-dotted-over-value", "a = { b = 1, b.c = 2 }\n"),
    ("inline-dotted-over-inline", "a = { b = {}, b.c = 2 }\n"),
    ("inline-value-over-dotted", "a = { b.c = 1, b = 2 }\n"),
    ("inline-dotted-over-array", "a = { b = [], b.c = 2 }\n"),
    ("inline-duplicate", "a = { b = 1, b = 2 }\n"),
    ("inline-trailing-comma", "a = { b = 1, }\n"),
    ("inline-leading-comma", "a = { , b = 1 }\n"),
    ("inline-double-comma", "a = { b = 1,, c = 2 }\n"),
    ("inline-no-comma", "a = { b = 1 c = 2 }\n"),
    ("inline-newline", "a = { b = 1,\n c = 2 }\n"),
    ("inline-newline-after-open", "a = {\n b = 1 }\n"),
    ("inline-newline-in-array-ok", "a = { b = [\n1,\n2] }\n"),
    ("inline-unclosed", "a = { b = 1\n"),
    ("inline-unclosed-eof", "a = { b = 1"),
    ("inline-comment-inside", "a = { b = 1 # c\n}\n"),
    ("inline-then-key", "a = {}\na.b = 1\n"),
    ("inline-then-table", "a = {}\n[a]\n"),
    ("inline-then-subtable", "a = { b = 1 }\n[a.c]\n"),
    ("inline-then-array-of-tables", "a = { b = 1 }\n[[a.c]]\n"),
    ("inline-in-table-then-subtable", "[product]\ntype = { name = \"Nail\" }\n[product.type.x]\n"),
    ("inline-in-table-then-dotted", "[product]\ntype = { name = \"Nail\" }\ntype.edible = false\n"),
    ("inline-key-quoted", "a = { \"b c\" = 1, 'd' = 2 }\n"),
    ("inline-equals-missing", "a = { b 1 }\n"),
    ("inline-value-missing", "a = { b = }\n"),
    ("inline-spaces", "a = {b=1,c=2}\nd = {  e  =  1  ,  f  =  2  }\n"),
    # --- tables
    ("tables", "[table-1]\nkey1 = \"some string\"\nkey2 = 123\n\n[table-2]\nkey1 = \"another string\"\nkey2 = 456\n"),
    ("table-dotted-header", "[dog.\"tater.man\"]\ntype.name = \"pug\"\n"),
    ("table-header-whitespace", "[a.b.c]\n[ d.e.f ]\n[ g .  h  . i ]\n[ j . \"ʞ\" . 'l' ]\n"),
    ("table-implicit-super", "# [x] you\n# [x.y] don't\n# [x.y.z] need these\n[x.y.z.w] # for this to work\n[x] # defining a super-table afterward is ok\n"),
    ("table-empty", "[a]\n"),
    ("table-empty-name", "[]\n"),
    ("table-empty-quoted-name", "[\"\"]\na = 1\n"),
    ("table-unclosed", "[a\n"),
    ("table-unclosed-eof", "[a"),
    ("table-extra-bracket", "[a]]\n"),
    ("table-junk-after", "[a] b\n"),
    ("table-key-after-on-line", "[a] b = 1\n"),
    ("table-comment-after", "[a] # ok\nb = 1\n"),
    ("table-defined-twice", "[fruit]\napple = \"red\"\n[fruit]\norange = \"orange\"\n"),
    ("table-twice-via-subtable", "[fruit]\napple = \"red\"\n[fruit.apple]\ntexture = \"smooth\"\n"),
    ("table-super-after-sub", "[a.b]\nc = 1\n[a]\nd = 2\n"),
    ("table-super-twice-after-sub", "[a.b]\n[a]\n[a]\n"),
    ("table-dotted-keys-then-header", "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple]\n"),
    ("table-dotted-keys-then-subheader-ok", "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple.texture]\nsmooth = true\n"),
    ("table-dotted-keys-then-deep-header", "[fruit]\napple.taste.sweet = true\n[fruit.apple.taste]\n"),
    ("table-root-dotted-then-header", "a.b = 1\n[a]\n"),
    ("table-root-dotted-then-subheader", "a.b = 1\n[a.c]\nd = 1\n"),
    ("table-header-then-dotted-from-super", "[a.b.c]\nz = 9\n[a]\nb.c.t = 9\n"),
    ("table-implicit-then-dotted-from-super", "[a.b.c]\nz = 9\n[a]\nb.t = 9\n"),
    ("table-implicit-then-dotted-then-header", "[a.b.c]\n[a]\nb.t = 9\n[a.b]\n"),
    ("table-header-over-value", "a = 1\n[a]\n"),
    ("table-header-through-value", "a = 1\n[a.b]\n"),
    ("table-header-over-key-in-table", "[a]\nb = 1\n[a.b]\nc = 2\n"),
    ("table-quoted-header-same", "[a]\n[\"a\"]\n"),
    ("table-whitespace-in-name", "[a b]\n"),
    ("table-newline-in-header", "[a\n.b]\n"),
    ("table-after-array-of-tables", "[[a]]\n[a]\n"),
    ("table-sub-of-array-element", "[[a]]\n[a.b]\nc = 1\n[[a]]\n[a.b]\nc = 2\n"),
    ("table-sub-of-array-twice", "[[a]]\n[a.b]\n[a.b]\n"),
    ("tables-many-levels", "[a]\n[a.b]\n[a.b.c]\n[a.b.c.d]\nx = 1\n[a.e]\n"),
    ("table-keys-order", "z = 1\ny = 2\n[b]\n[a]\n"),
    # --- arrays of tables
    ("arrays-of-tables", "[[products]]\nname = \"Hammer\"\nsku = 738594937\n\n[[products]]  # empty table within the array\n\n[[products]]\nname = \"Nail\"\nsku = 284758393\ncolor = \"gray\"\n"),
    ("arrays-of-tables-nested", "[[fruits]]\nname = \"apple\"\n\n[fruits.physical]  # subtable\ncolor = \"red\"\nshape = \"round\"\n\n[[fruits.varieties]]  # nested array of tables\nname = \"red delicious\"\n\n[[fruits.varieties]]\nname = \"granny smith\"\n\n\n[[fruits]]\nname = \"banana\"\n\n[[fruits.varieties]]\nname = \"plantain\"\n"),
    ("array-of-tables-sub-before-parent", "[fruit.physical]\ncolor = \"red\"\n[[fruit]]\nname = \"apple\"\n"),
    ("array-of-tables-over-static", "fruits = []\n[[fruits]]\n"),
    ("array-of-tables-then-same-subtable-as-array", "[[fruits]]\nname = \"apple\"\n[[fruits.varieties]]\nname = \"red delicious\"\n[fruits.varieties]\nname = \"granny smith\"\n"),
    ("array-of-tables-sub-then-array", "[[fruits]]\nname = \"apple\"\n[fruits.physical]\ncolor = \"red\"\n[[fruits.physical]]\ncolor = \"green\"\n"),
    ("array-of-tables-unclosed", "[[a]\n"),
    ("array-of-tables-space-between", "[ [a]]\n"),
    ("array-of-tables-space-end", "[[a] ]\n"),
    ("array-of-tables-empty-name", "[[]]\n"),
    ("array-of-tables-triple", "[[[a]]]\n"),
    ("array-of-tables-dotted-into", "[[a]]\n[b]\na.c = 1\n"),
    ("array-of-tables-key-then-dotted", "[[a]]\nb.c = 1\n[[a]]\nb.c = 2\n"),
    ("array-of-tables-dotted-then-sub", "[[a]]\nb.c = 1\n[a.b]\n"),
    ("array-of-tables-dotted-then-deep-sub", "[[a]]\nb.c = 1\n[a.b.d]\n"),
    ("array-of-tables-key-twice", "[[a]]\nb = 1\nb = 2\n"),
    ("array-of-tables-implicit-parent-then-table", "[[a.b]]\n[a]\nc = 1\n"),
    ("array-of-tables-parent-is-table-ok", "[a]\n[[a.b]]\n[[a.b]]\n"),
    ("array-of-tables-over-table", "[a]\n[[a]]\n"),
    ("array-of-tables-over-implicit-table", "[a.b]\n[[a]]\n"),
    ("array-of-tables-over-dotted", "a.b = 1\n[[a]]\n"),
    ("array-of-tables-over-value", "a = 1\n[[a]]\n"),
    ("array-of-tables-over-inline", "a = {}\n[[a]]\n"),
    # --- spec's full example
    ("spec-example", '''# This is a TOML document

title = "TOML Example"

[owner]
name = "Tom Preston-Werner"
dob = 1979-05-27T07:32:00-08:00

[database]
enabled = true
ports = [ 8000, 8001, 8002 ]
data = [ ["delta", "phi"], [3.14] ]
temp_targets = { cpu = 79.5, case = 72.0 }

[servers]

[servers.alpha]
ip = "10.0.0.1"
role = "frontend"

[servers.beta]
ip = "10.0.0.2"
role = "backend"
'''),
    # --- shaped like alertrelay.conf
    ("alertrelay-shaped", '''[[kafka]]
  enabled = true
  id = "infra-monitoring"
  brokers = ["127.0.0.1:9092", "k2:9092"]
  timeout = "10s"
  batch-size = 100
  [kafka.librdkafka]
    "linger.ms" = "5"
    "queue.buffering.max.messages" = 100000
    "enable.idempotence" = true

[[kafka]]
  enabled = false
  id = "second"

[[udp]]
  enabled = true
  bind-address = ":8089"
  database = "telegraf"

[[httppost]]
  endpoint = "alerts"
  url = "https://alerts.example.com/hook"
  headers = { X-Team = "infra", "Content-Type" = "application/json" }
  basic-auth = { username = "relay", password = "secret" }
  alert-template = """{{ .Message }}"""

[relay]
  queue-size = 100_000
  shutdown-timeout = '10s'
'''),
]


def generated():
    out = []
    # Every ASCII character after a backslash, in basic and multi-line basic strings.
    for c in range(0x20, 0x7F):
        ch = chr(c)
        esc = "\\" + ch
        out.append((f"escape-basic-{c:02x}", f's = "a{esc}b"\n'))
        out.append((f"escape-multiline-{c:02x}", f's = """a{esc}b"""\n'))
    # Every control character in every place text can be.
    for c in list(range(0x00, 0x20)) + [0x7F]:
        ch = chr(c)
        for place, doc in [
            ("basic", f's = "a{ch}b"\n'), ("multiline-basic", f's = """a{ch}b"""\n'),
            ("literal", f"s = 'a{ch}b'\n"), ("multiline-literal", f"s = '''a{ch}b'''\n"),
            ("comment", f"a = 1 # x{ch}y\n"), ("quoted-key", f'"a{ch}b" = 1\n'), ("bare", f"a{ch}b = 1\n"),
            ("before-value", f"a ={ch}1\n"), ("after-value", f"a = 1{ch}\n"), ("in-array", f"a = [1,{ch}2]\n"),
        ]:
            out.append((f"control-{c:02x}-{place}", doc))
    # Quotes next to multi-line delimiters.
    for q in ['"', "'"]:
        d = q * 3
        for body in ["", "a", q, q * 2, "a" + q, "a" + q * 2, q + "a", q * 2 + "a", q * 3, "a" + q * 3 + "b"]:
            for extra in range(0, 4):
                kind = "basic" if q == '"' else "literal"
                name = f"quotes-{kind}-{body.replace(q, 'Q')}-{extra}"
                out.append((name, f"s = {d}{body}{d}{q * extra}\n"))
    # Unicode escapes around the edges of the scalar values.
    for v in [0x0, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000, 0xFFFD, 0xFFFF, 0x10000,
              0x10FFFF, 0x110000, 0x7FFFFFFF, 0xFFFFFFFF]:
        if v <= 0xFFFF:
            out.append((f"unicode-u-{v:04x}", f's = "\\u{v:04X}"\n'))
        out.append((f"unicode-U-{v:08x}", f's = "\\U{v:08X}"\n'))
    # Number-like tokens: a fixed-seed sample over the characters numbers are made of.
    rng = random.Random(20)
    alphabet = ["0", "1", "7", "9", "_", ".", "e", "E", "+", "-", "x", "o", "b", "f", "a", "i", "n"]
    tokens = set()
    for a, b in itertools.product(alphabet, repeat=2):
        tokens.add(a + b)
    for p in ["0x", "0o", "0b", "+", "-", "1", "0", "1.", "1e", "1_", "-0", "+1.5"]:
        for a in alphabet:
            tokens.add(p + a)
            if p in ["0x", "1.", "1e", "-0"]:
                for b in alphabet:
                    tokens.add(p + a + b)
    while len(tokens) < 2000:
        tokens.add("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 7))))
    for i, t in enumerate(sorted(tokens)):
        if i % 5 == 0:
            out.append((f"number-array-{t}", f"v = [{t}, 1]\n"))
        else:
            out.append((f"number-{t}", f"v = {t}\n"))
    for word in ["inf", "nan"]:
        for sign in ["", "+", "-"]:
            for tail in ["", "x", "1", ".0", "e1", "_"]:
                out.append((f"special-{sign}{word}{tail}", f"v = {sign}{word}{tail}\n"))
    # Date and time tokens: one-character changes of valid ones.
    bases = ["1979-05-27T07:32:00Z", "1979-05-27 07:32:00.999999-07:00", "1979-05-27", "07:32:00", "1979-05-27T00:32:00.5",
             "2000-02-29", "23:59:59.999999999"]
    subs = "09:-.TtZz +_a"
    dates = set()
    for base in bases:
        dates.add(base)
        for i in range(len(base)):
            dates.add(base[:i] + base[i + 1:])
            for s in subs:
                dates.add(base[:i] + s + base[i + 1:])
        for s in subs:
            dates.add(base + s)
    for i, t in enumerate(sorted(dates)):
        out.append((f"date-{t}", f"v = {t}\n" if i % 4 else f"v = [{t}]\n"))
    for year in [1, 1600, 1900, 2000, 2023, 2024, 2100, 9999]:
        for month, days in [(1, 31), (2, 28), (2, 29), (2, 30), (4, 30), (4, 31), (12, 31), (12, 32)]:
            out.append((f"calendar-{year:04d}-{month:02d}-{days:02d}", f"v = {year:04d}-{month:02d}-{days:02d}\n"))
    # Fractional seconds of every length.
    for n in range(1, 13):
        out.append((f"fraction-{n}", f"a = 00:00:00.{'123456789012'[:n]}\nb = 1979-05-27T00:00:00.{'987654321098'[:n]}Z\n"))
    # Every sequence of three table statements from a pool, and a sample of longer ones: TOML's
    # rules for what can be defined twice, and by what.
    pool = ["[a]", "[a.b]", "[[a]]", "[[a.b]]", "[a.b.c]", "a.b = 1", "b.c = 1", "b = 1", "a = {}", "a = []",
            "b = {c = 1}", "[b]", "c = 1", "a.b.c = 1"]
    for seq in itertools.product(pool, repeat=3):
        out.append(("statements " + " | ".join(seq), "\n".join(seq) + "\n"))
    longer = set()
    while len(longer) < 800:
        longer.add(tuple(rng.choice(pool) for _ in range(rng.randint(4, 6))))
    for seq in sorted(longer):
        out.append(("statements " + " | ".join(seq), "\n".join(seq) + "\n"))
    # The same documents with CRLF line ends.
    for name, doc in HAND[:60]:
        if "\r" not in doc:
            out.append((name + "-crlf", doc.replace("\n", "\r\n")))
    return out


# Documents tomllib accepts that we refuse on purpose, with why.
DEPTH = "nested more than 100 deep (TOMLParser.maximumDepth: recursion bounded on untrusted input)"
DEVIATIONS = [
    ("integer-overflow", "a = 9223372036854775808\n", None),
    ("integer-underflow", "a = -9223372036854775809\n", None),
    ("integer-hex-overflow", "a = 0x8000000000000000\n", None),
    ("integer-bin-overflow", "a = 0b" + "1" * 64 + "\n", None),
    ("integer-oct-overflow", "a = 0o1777777777777777777777\n", None),
    ("depth-arrays-101", "a = " + "[" * 101 + "]" * 101 + "\n", DEPTH),
    ("depth-inline-101", "a = " + "{b = " * 100 + "{}" + "}" * 100 + "\n", DEPTH),
    ("depth-dotted-102", ".".join(["a"] * 102) + " = 1\n", DEPTH),
    ("depth-header-101", "[" + ".".join(["a"] * 101) + "]\n", DEPTH),
    ("depth-mixed-101", "[" + ".".join(["a"] * 50) + "]\n" + ".".join(["b"] * 50) + " = [{}]\n", DEPTH),
]

# Just inside the bound: accepted.
AT_LIMIT = [
    ("depth-arrays-100", "a = " + "[" * 100 + "]" * 100 + "\n"),
    ("depth-inline-100", "a = " + "{b = " * 99 + "{}" + "}" * 99 + "\n"),
    ("depth-dotted-101", ".".join(["a"] * 101) + " = 1\n"),
    ("depth-header-100", "[" + ".".join(["a"] * 100) + "]\nx = 1\n"),
    ("depth-mixed-100", "[" + ".".join(["a"] * 50) + "]\n" + ".".join(["b"] * 49) + " = [{}]\n"),
]


def all_cases():
    cases = [(n, d, None) for n, d in HAND + AT_LIMIT + generated()]
    cases += DEVIATIONS
    seen = set()
    unique = []
    for n, d, dev in cases:
        if n in seen:
            continue
        seen.add(n)
        unique.append((n, d, dev))
    return unique
