package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"time"
)

type execCase struct {
	Name     string   `json:"name"`
	Template string   `json:"template"`
	Data     string   `json:"data"`
	Options  []string `json:"options,omitempty"`
	Kind     string   `json:"kind,omitempty"`
	Out      string   `json:"out"`
	Err      string   `json:"err,omitempty"`
}

// toData applies the data rule of `alertrelay render`.
func toData(v any) any {
	switch x := v.(type) {
	case json.Number:
		s := x.String()
		if !strings.ContainsAny(s, ".eE") {
			if n, err := x.Int64(); err == nil {
				return n
			}
		}
		f, _ := x.Float64()
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toData(e)
		}
		return out
	case map[string]any:
		if len(x) == 1 {
			for k, e := range x {
				switch k {
				case "$int":
					n, err := strconv.ParseInt(numberText(e), 10, 64)
					if err != nil {
						panic(err)
					}
					return int(n)
				case "$uint":
					n, err := strconv.ParseUint(numberText(e), 10, 64)
					if err != nil {
						panic(err)
					}
					return n
				case "$float":
					f, _ := e.(json.Number).Float64()
					return f
				case "$time":
					if s, ok := e.(string); ok {
						// time.Parse keeps the offset: a fixed zone named "" (or Local, UTC here, for +00:00).
						t, err := time.Parse(time.RFC3339Nano, s)
						if err != nil {
							panic(err)
						}
						return t
					}
					n, _ := e.(json.Number).Int64()
					return time.Unix(0, n).UTC()
				case "$duration":
					if s, ok := e.(string); ok {
						d, err := time.ParseDuration(s)
						if err != nil {
							panic(err)
						}
						return d
					}
					n, _ := e.(json.Number).Int64()
					return time.Duration(n)
				case "$strmap":
					m := map[string]string{}
					for mk, mv := range e.(map[string]any) {
						m[mk] = mv.(string)
					}
					return m
				}
			}
		}
		out := map[string]any{}
		for k, e := range x {
			out[k] = toData(e)
		}
		return out
	}
	return v
}

// numberText is the digits of a typed integer, written as a JSON number or as a string (which
// keeps all 64 bits where JSON readers go through float64).
func numberText(e any) string {
	if s, ok := e.(string); ok {
		return s
	}
	return e.(json.Number).String()
}

func execOne(c execCase) execCase {
	return execWith(c, toData)
}

// execWith renders case c against its JSON data turned into Go values by build.
func execWith(c execCase, build func(any) any) (out execCase) {
	out = c
	defer func() {
		if r := recover(); r != nil {
			out.Err = fmt.Sprintf("PANIC: %v", r)
		}
	}()
	dec := json.NewDecoder(strings.NewReader(c.Data))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		panic(err)
	}
	t, err := template.New(c.Name).Option(c.Options...).Parse(c.Template)
	if err != nil {
		out.Err = err.Error()
		return
	}
	var buf bytes.Buffer
	err = t.Execute(&buf, build(raw))
	out.Out = buf.String()
	if err != nil {
		out.Err = err.Error()
	}
	return
}

const alertData = `{"ID":"cpu:host=server01","Name":"cpu","TaskName":"cpu_alert","Group":"host=server01","Level":"CRITICAL",
"Message":"cpu:host=server01 is CRITICAL","Tags":{"$strmap":{"host":"server01","cpu":"cpu-total"}},
"Fields":{"usage_idle":5.5,"usage_user":93.25,"count":97,"big":1e21,"small":0.00001,"mid":123456789.5},
"Time":{"$time":"2026-11-27T10:00:00.5Z"},"Duration":{"$duration":"1m30s"},
"Data":{"Series":[{"Name":"cpu","Tags":{"$strmap":{"host":"a"}},"Columns":["time","usage_idle"],"Values":[[1,5.5],[2,6.5]]},{"Name":"mem","Tags":{"$strmap":{}},"Columns":["time"],"Values":[]}]},
"List":[1,2,3],"Empty":[],"Str":"héllo <world> & \"q\"","Zero":0,"F":1.5,"Neg":-7,"U":{"$uint":18446744073709551615},"I":{"$int":42},"True":true,"Nil":null,
"Nested":{"A":{"B":{"C":"deep"}}},"Map":{"b":2,"a":1,"c":3}}`

var execTemplates = []string{
	// Kapacitor-style alert templates.
	"{{.ID}} is {{.Level}}", "{{ .Name }}:{{ .Group }}", `{{index .Tags "host"}}`, `{{index .Tags "nope"}}|`,
	`{{ index .Fields "usage_idle" | printf "%.2f" }}`, `{{ index .Fields "count" | printf "%.2f" }}`,
	`{{ if eq .Level "OK" }}ok{{ else if eq .Level "CRITICAL" }}crit{{ else }}other{{ end }}`,
	"{{range .Data.Series}}{{.Name}}:{{range .Values}}{{index . 1}},{{end}};{{end}}",
	"{{.Time}}", "{{.Duration}}", "{{.Time.Unix}}", "{{.Time.UnixNano}}", "{{.Duration.Seconds}}", "{{.Fields}}", "{{.Tags}}",
	`{{.ID}} value={{index .Fields "usage_idle"}} host={{index .Tags "host"}}`,
	"{{.Fields.usage_idle}} {{.Fields.big}} {{.Fields.small}} {{.Fields.mid}} {{.Fields.count}}", "{{.Nested.A.B.C}}",
	// Printing.
	"{{.List}}", "{{.Empty}}", "{{.Map}}", "{{.Nil}}", "{{.Missing}}", "{{.Fields.nope}}", "{{.Tags.nope}}|", "{{.True}}", "{{.U}}", "{{.I}}",
	"{{1}} {{1.5}} {{1e6}} {{0x1F}} {{'a'}} {{-3}} {{1e-7}} {{100000000000000000000.0}}", `{{"s"}} {{true}} {{print nil}}`,
	"{{print 1 2 \"a\" \"b\" 3}}", "{{println 1 \"a\"}}", "{{print .List .Map}}",
	// printf.
	`{{printf "%d %5d %-5d| %05d %+d %x %X %o %b %c %q %U" 42 42 42 42 42 255 255 8 5 65 65 65}}`,
	`{{printf "%s|%10s|%-10s|%.2s|%q|%x|% x|%#q" "abc" "abc" "abc" "abc" "a\"b" "hi" "hi" "x"}}`,
	`{{printf "%f|%.2f|%8.3f|%-8.1f|%e|%E|%g|%G|%.3g|%v" 3.14159 3.14159 3.14159 3.14159 1234.5678 1234.5678 1234.5678 0.000012345 1234.5678 2.5}}`,
	`{{printf "%t %v" true false}}`, `{{printf "%d"}}`, `{{printf "%d %d" 1}}`, `{{printf "x" 1 "a"}}`, `{{printf "%z" 1}}`,
	`{{printf "%d" "s"}}`, `{{printf "%s" 5}}`, `{{printf "%f" 5}}`, `{{printf "%.2f" .Fields.count}}`, `{{printf "%d" 1.5}}`,
	`{{printf "%v %v %v" .List .Map .Tags}}`, `{{printf "%v|%s" .Time .Duration}}`, `{{printf "%d" .Duration}}`, `{{printf "%5.1f%%" 99.44}}`,
	`{{printf "%*d|%-*d|%.*f" 5 1 5 2 2 3.14159}}`, `{{printf "%v" nil}}`, `{{printf "%d" nil}}`, `{{printf "%6.2v" 3.14159}}`,
	`{{printf "%x" -255}}`, `{{printf "%#x %#o %#b" 255 8 5}}`, `{{printf "% d|%+.1e" 5 12345.678}}`, `{{printf 3}}`,
	// Control flow.
	"{{if .True}}yes{{end}}", "{{if .Zero}}yes{{else}}no{{end}}", "{{if .Empty}}yes{{else}}no{{end}}", "{{if .Missing}}yes{{else}}no{{end}}",
	"{{with .Str}}[{{.}}]{{end}}", "{{with .Missing}}x{{else}}none{{end}}", "{{range .List}}<{{.}}>{{end}}",
	"{{range $i, $v := .List}}{{$i}}={{$v}} {{end}}", "{{range $k, $v := .Map}}{{$k}}={{$v}} {{end}}", "{{range .Empty}}x{{else}}empty{{end}}",
	"{{range .Tags}}{{.}},{{end}}", "{{range $i, $e := .List}}{{if eq $e 2}}{{continue}}{{end}}{{$e}}{{end}}",
	"{{range .List}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}}", "{{range .Str}}x{{end}}", "{{range .Missing}}x{{else}}none{{end}}",
	"{{$x := 1}}{{$x}}{{$x = 2}}{{$x}}", "{{with $x := .Str}}{{$x}}{{end}}", "{{$}}{{$.Level}}", "{{range .List}}{{$.Level}}{{end}}",
	`{{define "T"}}[{{.}}]{{end}}{{template "T" .Level}}{{template "T"}}`, `{{block "B" .ID}}<{{.}}>{{end}}`, `{{template "nope"}}`,
	"{{- .Level -}}  \n  {{- .Name}}", "a {{/* c */}} b", "{{.Level | len}}", "{{.Level | printf \"%s!\"}}", "{{(.Level)}}",
	// Builtins and comparisons.
	"{{and 1 0 2}} {{and 1 2}} {{or 0 \"\" 3}} {{or 0 0}} {{not 0}} {{not .True}}", "{{and .True .Missing.X}}", "{{or .True .Missing.X}}",
	"{{len .List}} {{len .Map}} {{len .Str}} {{len .Tags}}", "{{len 3}}", "{{len .Nil}}",
	"{{index .List 1}} {{index .Map \"b\"}} {{index .Map \"zz\"}}|", "{{index .List 5}}", "{{index .List -1}}", "{{index .List \"a\"}}",
	"{{index .Str 1}}", "{{index 3 1}}", "{{index .Data.Series 0 \"Name\"}}", "{{slice .List 1}} {{slice .List 1 2}} {{slice .Str 1 3}}",
	"{{slice .List 2 1}}", "{{slice 3 1}}",
	"{{eq 1 1}} {{eq 1 2}} {{eq 1 2 3 1}} {{eq \"a\" \"a\"}} {{eq .I 42}} {{eq .Fields.count 97}} {{eq 1.5 .F}}",
	"{{eq 1 \"a\"}}", "{{eq .List .List}}", "{{eq .Nil .Nil}}", "{{eq .Missing 1}}", "{{eq 1}}", "{{ne 1 2}} {{ne \"a\" \"a\"}}",
	"{{lt 1 2}} {{le 2 2}} {{gt 3 2}} {{ge 1 2}} {{lt \"a\" \"b\"}} {{lt 1.5 2.5}} {{lt .U 1}} {{lt .Neg .U}}",
	"{{lt 1 \"a\"}}", "{{lt true false}}", "{{lt .List 1}}", "{{lt 1.5 2}}",
	"{{html .Str}}", "{{js .Str}}", "{{urlquery .Str}}", "{{html 1 2}}", "{{urlquery \"a b&c=d\"}}",
	// Errors.
	"{{.Level.Foo}}", "{{.List.X}}", "{{.Nil.X}}", "{{.Missing.X}}", "{{nil}}", "{{.Level 1}}", "{{1 2}}", "{{.Map.a 1}}",
	"{{template \"x\"}}", "{{printf}}", "{{index}}", "{{len 1 2}}", "line1\n  {{.List.X}}", "{{9223372036854775808}}",
	"{{range 3}}x{{end}}", "{{if .Map}}map{{end}}", "{{with .Time}}{{.}}{{end}}", "{{.I.X}}", "{{.Time.Nope}}",
	"ok {{.Level}} then {{index .List 9}} never",
}

func execCases() []execCase {
	var out []execCase
	for i, t := range execTemplates {
		out = append(out, execCase{Name: fmt.Sprintf("exec-%03d", i), Template: t, Data: alertData})
	}
	for i, t := range []string{"{{.Missing}}", "{{.Tags.nope}}", "{{.Fields.nope}}", "{{.Missing.X}}", "{{index .Fields \"nope\"}}"} {
		for _, opt := range []string{"missingkey=default", "missingkey=zero", "missingkey=error"} {
			out = append(out, execCase{Name: fmt.Sprintf("missingkey-%02d-%s", i, opt), Template: t, Data: alertData, Options: []string{opt}})
		}
	}
	floats := []string{"0", "1", "-1", "0.1", "1e+06", "999999", "1e-05", "0.0001", "123456789", "1.5e+300", "-2.5e-300", "100000", "1234567",
		"0.000123", "3.141592653589793", "2.220446049250313e-16", "1e21", "123456.7", "-0.0", "5e-324", "1.7976931348623157e308"}
	for i, f := range floats {
		out = append(out, execCase{Name: fmt.Sprintf("float-%02d", i), Template: "{{.}} {{printf \"%v %g %.3f %e\" . . . .}}", Data: `{"$float":` + f + `}`})
	}
	ints := []string{"0", "1", "-1", "9223372036854775807", "-9223372036854775808", "42"}
	for i, n := range ints {
		out = append(out, execCase{Name: fmt.Sprintf("int-%02d", i), Template: `{{.}} {{printf "%d %x %08d %+d" . . . .}}`, Data: n})
	}
	durations := []string{"0", "1", "1000", "1500000", "90000000000", "93780500000000", "-1500000000"}
	for i, d := range durations {
		out = append(out, execCase{Name: fmt.Sprintf("duration-%02d", i), Template: "{{.}}", Data: `{"$duration":` + d + `}`})
	}
	times := []string{`"2026-11-27T10:00:00Z"`, `"2026-11-27T10:00:00.5Z"`, `"2026-11-27T10:00:00.123456789Z"`, `"1970-01-01T00:00:00Z"`, `0`, `-1`, `"1999-12-31T23:59:59.999Z"`}
	for i, t := range times {
		out = append(out, execCase{Name: fmt.Sprintf("time-%02d", i), Template: "{{.}}", Data: `{"$time":` + t + `}`})
	}
	for i := range out {
		out[i] = execOne(out[i])
	}
	out = append(out, execTableCases()...)
	return append(out, kapacitorCases()...)
}

type jsonCase struct {
	Name string `json:"name"`
	Data string `json:"data"`
	Out  string `json:"out"`
}

// jsonCases records json.Marshal of data built by the data rule.
func jsonCases() []jsonCase {
	datas := []string{alertData, `null`, `true`, `0`, `-1`, `9223372036854775807`, `"<a href=\"x\">&amp;</a>"`,
		`"line\nbreak\ttab\u0001\u001f\u007f é 😀 \u2028 \u2029 \\ /"`, `[]`, `{}`, `[1,"a",null,{"b":[]}]`,
		`{"z":1,"a":2,"A":3,"é":4,"_":5,"10":6,"9":7}`, `{"$duration":"1m30s"}`, `{"$time":"2026-11-27T10:00:00.000000001Z"}`,
		`{"$time":"2026-11-27T10:00:00Z"}`, `{"$int":5}`, `{"$uint":18446744073709551615}`, `{"$strmap":{"b":"2","a":"<1>"}}`}
	for _, f := range []string{"0.1", "1e-6", "9.99e-7", "1e-7", "1.5e-10", "1e20", "1e21", "1.2345e21", "123456789.123", "-0.000001",
		"5e-324", "1.7976931348623157e308", "100", "1e6", "0.5", "-2.5e-300", "12345678901234567890"} {
		datas = append(datas, `{"$float":`+f+`}`)
	}
	var out []jsonCase
	for i, d := range datas {
		dec := json.NewDecoder(strings.NewReader(d))
		dec.UseNumber()
		var raw any
		if err := dec.Decode(&raw); err != nil {
			panic(err)
		}
		b, err := json.Marshal(toData(raw))
		if err != nil {
			panic(err)
		}
		out = append(out, jsonCase{Name: fmt.Sprintf("json-%02d", i), Data: d, Out: string(b)})
	}
	return out
}
