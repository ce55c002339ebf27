// Command template-oracle runs Go's own text/template (Go 1.19, Debian golang-go) over template
// cases and records what it produces, so alertrelay's GoTemplate tests compare against Go without
// needing Go.
//
//	template-oracle parse > parse.jsonl    every parse case: the trees Go builds (Node.String()) or its error
//	template-oracle exec > exec.jsonl      every exec case: output (partial on error) and error
//	template-oracle json > json.jsonl      json.Marshal of data built by the data rule
//	template-oracle zone|printf|methods|typed|html > NAME.jsonl   the cases of one topic (gaps.go, html.go)
//	template-oracle entities > HTMLEntities.swift   Go's HTML character references as a Swift table
//	template-oracle bench N RUNS           renders/s of the Kapacitor-style benchmark template
//
// Build in GOPATH mode (GO111MODULE=off); see generate.sh.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/template"
)

// caseSets are the exec-case fixtures written by name.
var caseSets = map[string]func() []execCase{
	"zone": zoneCases, "printf": printfCases, "methods": methodCases, "typed": typedDataCases, "html": htmlCases,
}

type parseCase struct {
	Name  string            `json:"name"`
	Text  string            `json:"text"`
	Left  string            `json:"left,omitempty"`
	Right string            `json:"right,omitempty"`
	Trees map[string]string `json:"trees,omitempty"`
	Err   string            `json:"err,omitempty"`
}

// funcs are extra function names some cases call (Kapacitor registers json and jsonCompact).
var funcs = template.FuncMap{"json": func(v any) string { return "" }, "jsonCompact": func(v any) string { return "" }}

func parseOne(c parseCase) (out parseCase) {
	out = c
	defer func() {
		if r := recover(); r != nil {
			out.Err = fmt.Sprintf("PANIC: %v", r)
		}
	}()
	t, err := template.New(c.Name).Delims(c.Left, c.Right).Funcs(funcs).Parse(c.Text)
	if err != nil {
		out.Err = err.Error()
		return
	}
	out.Trees = map[string]string{}
	for _, tt := range t.Templates() {
		if tt.Tree != nil && tt.Tree.Root != nil {
			out.Trees[tt.Name()] = tt.Tree.Root.String()
		}
	}
	return
}

// literals returns the string literals of a Go test file of text/template.
func literals(file string) []string {
	f, err := parser.ParseFile(token.NewFileSet(), "/usr/lib/go-1.19/src/text/template/"+file, nil, 0)
	if err != nil {
		panic(err)
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if s, err := strconv.Unquote(lit.Value); err == nil && len(s) < 2000 {
				out = append(out, s)
			}
		}
		return true
	})
	return out
}

func main() {
	if len(os.Args) >= 2 && os.Args[1] == "timeformat" {
		timeFormatCases()
		return
	}
	if len(os.Args) >= 2 && os.Args[1] == "entities" {
		entitiesSwift()
		return
	}
	if len(os.Args) >= 2 && caseSets[os.Args[1]] != nil {
		w := bufio.NewWriter(os.Stdout)
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, c := range caseSets[os.Args[1]]() {
			if err := enc.Encode(c); err != nil {
				panic(err)
			}
		}
		w.Flush()
		return
	}
	if len(os.Args) < 2 || (os.Args[1] != "parse" && os.Args[1] != "exec" && os.Args[1] != "bench" && os.Args[1] != "json") {
		fmt.Fprintln(os.Stderr, "usage: template-oracle parse|exec|bench N RUNS")
		os.Exit(64)
	}
	if os.Args[1] == "bench" {
		n, _ := strconv.Atoi(os.Args[2])
		runs, _ := strconv.Atoi(os.Args[3])
		bench(n, runs)
		return
	}
	if os.Args[1] == "json" {
		w := bufio.NewWriter(os.Stdout)
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, c := range jsonCases() {
			if err := enc.Encode(c); err != nil {
				panic(err)
			}
		}
		w.Flush()
		return
	}
	if os.Args[1] == "exec" {
		w := bufio.NewWriter(os.Stdout)
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, c := range execCases() {
			if err := enc.Encode(c); err != nil {
				panic(err)
			}
		}
		w.Flush()
		return
	}
	var cases []parseCase
	seen := map[string]bool{}
	add := func(name, text, l, r string) {
		key := l + "\x00" + r + "\x00" + text
		if seen[key] {
			return
		}
		seen[key] = true
		cases = append(cases, parseCase{Name: name, Text: text, Left: l, Right: r})
	}
	for i, s := range handParse {
		add(fmt.Sprintf("hand-%03d", i), s, "", "")
	}
	for _, file := range []string{"parse/parse_test.go", "parse/lex_test.go", "exec_test.go", "multi_test.go"} {
		for i, s := range literals(file) {
			if strings.Contains(s, "{{") || strings.Contains(s, "}}") || i%7 == 0 {
				add(fmt.Sprintf("%s-%03d", strings.TrimSuffix(strings.TrimPrefix(file, "parse/"), "_test.go"), i), s, "", "")
			}
		}
	}
	for i, s := range []string{"<<.>>", "<<if .>>x<<end>>", "{{.}}<<.X>>", "<<- .A ->>", "<<", "<<.", "<</* c */>>"} {
		add(fmt.Sprintf("delims-%02d", i), s, "<<", ">>")
	}
	sort.SliceStable(cases, func(i, j int) bool { return false })
	w := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, c := range cases {
		if err := enc.Encode(parseOne(c)); err != nil {
			panic(err)
		}
	}
	w.Flush()
}

var handParse = []string{
	"{{.ID}} is {{.Level}}", "{{ .Name }}:{{ .Group }}", `{{index .Tags "host"}}`, `{{ index .Fields "value" | printf "%.2f" }}`,
	`{{ if eq .Level "OK" }}ok{{ else if eq .Level "CRITICAL" }}crit{{ else }}other{{ end }}`,
	"{{range .Data.Series}}{{.Name}}{{end}}", "{{range $i, $v := .}}{{$i}}={{$v}}{{else}}none{{end}}",
	"{{with .X}}{{.}}{{else}}no{{end}}", `{{define "a"}}A{{end}}{{template "a" .}}`, `{{block "b" .}}B{{end}}`,
	"{{- .X -}}", "a {{- .X}} b", "{{/* comment */}}", "{{- /* comment */ -}}", "{{$x := 1}}{{$x = 2}}{{$x}}",
	"{{(print 1 2).X}}", "{{.A.B.C}}", "{{$.A}}", "{{1}}{{1.5}}{{0x1F}}{{0o17}}{{0b101}}{{1e3}}{{'a'}}{{1_000}}{{-3}}{{+3}}",
	"{{nil}}", "{{true}}{{false}}", "{{`raw`}}", `{{"quoted\n"}}`, "{{range .}}{{break}}{{end}}", "{{range .}}{{continue}}{{end}}",
	"{{break}}", "{{continue}}", "{{.X | printf \"%d\" | len}}", "{{and 1 0}}{{or 0 1}}{{not true}}",
	"{{", "}}", "{{.X", "{{end}}", "{{else}}", "{{if}}", "{{if .X}}", "{{range}}{{end}}", "{{nosuchfunc}}", "{{$undefined}}",
	"{{.X.}}", "{{3.X}}", `{{"s".X}}`, "{{(1)}}", "{{1 2}}", "{{.X 1 | 2}}", "{{define}}", `{{define "x"}}`, `{{define "x"}}{{end}}{{define "x"}}y{{end}}`,
	"{{template}}", `{{template "x" 1 2}}`, "{{.X)}}", "{{(.X}}", "{{'ab'}}", "{{'\\n'}}", "{{\"unterminated}}", "{{`unterminated}}",
	"{{0x}}", "{{1.2.3}}", "{{9223372036854775808}}", "{{18446744073709551616}}", "{{1i}}", "{{1+2i}}", "{{$x, $y := .}}",
	"{{range $x, $y, $z := .}}{{end}}", "{{with $x, $y := .}}{{end}}", "{{range $x := .}}{{$x}}{{end}}{{$x}}",
	"line1\n{{.X\n}}", "{{.X}}\n{{.Y\n", "{{/* unclosed", "{{/* a */ .X}}", "{{ |}}", "{{.X |}}", "{{| .X}}",
	"{{.X:=1}}", "{{$x:=1}}{{$x}}", "{{$x=1}}", "{{@}}", "{{é}}", "{{.é}}", "{{.X.Y | len | print}}", "{{ print (len .X) }}",
	"{{if .A}}a{{else}}b{{else}}c{{end}}", "{{range .}}{{else if .}}{{end}}", "{{with .}}{{else with .}}{{end}}",
	"{{json .}}", "{{ jsonCompact . }}", "{{.ID -}}\n\n{{- .Message}}", "{{ .Time.Unix }}", "{{ .Duration }}",
	"{{-3}}", "{{- 3}}", "{{3 -}}", "{{3-}}", "{{$}}", "{{$.}}", "{{ $ }}",
}
