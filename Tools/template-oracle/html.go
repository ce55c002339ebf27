package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	html "html/template"
	"strings"
)

// htmlFuncs are the functions html cases may call: Kapacitor's json (returns template.JS) and,
// for the content types' own escaping paths, constructors of html/template's safe types (the
// Swift tests register the same).
var htmlFuncs = html.FuncMap{
	"json": func(v interface{}) html.JS {
		var b bytes.Buffer
		json.NewEncoder(&b).Encode(v)
		return html.JS(b.String())
	},
	"safeHTML":     func(s string) html.HTML { return html.HTML(s) },
	"safeHTMLAttr": func(s string) html.HTMLAttr { return html.HTMLAttr(s) },
	"safeJS":       func(s string) html.JS { return html.JS(s) },
	"safeJSStr":    func(s string) html.JSStr { return html.JSStr(s) },
	"safeCSS":      func(s string) html.CSS { return html.CSS(s) },
	"safeURL":      func(s string) html.URL { return html.URL(s) },
	"safeSrcset":   func(s string) html.Srcset { return html.Srcset(s) },
}

// execHTML renders case c with html/template (kind "html") over data built by the data rule.
func execHTML(c execCase) (out execCase) {
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
	t, err := html.New(c.Name).Funcs(htmlFuncs).Option(c.Options...).Parse(c.Template)
	if err != nil {
		out.Err = err.Error()
		return
	}
	var buf bytes.Buffer
	err = t.Execute(&buf, toData(raw))
	out.Out = buf.String()
	if err != nil {
		out.Err = err.Error()
	}
	return
}

// htmlValues are the values the context templates print: the characters each context treats
// specially, unsafe and safe URLs, numbers, nil, lists, maps, times, JS from json.
var htmlValues = []string{
	`"<b>O'Reilly & \"friends\" + 1</b>"`, `"javascript:alert('x')"`, `"http://example.com/a b?q=1&r=<x>#frag"`,
	`"mailto:ops@example.com"`, `"a b&c=d/é?#%41"`, `42`, `-1.5`, `true`, `null`, `[1,"a<b",null]`, `{"k":"v</script>"}`,
	`""`, `"onclick"`, `"red; background:url(x)"`, `"#ff0000"`, `"expression(alert(1))"`, `"line\nbreak\u2028tab\t\u0000"`,
	`"é😀 \\ / ` + "`" + `"`, `{"$time":"2026-11-27T10:00:00.5Z"}`, `{"$duration":"1m30s"}`, `" 12px"`, `"a--b"`, `"\\41 bc"`,
}

// htmlContexts hold one {{.V}} each: text, RCDATA, attributes (quoted, unquoted, names), URLs
// (scheme, path, query, fragment), srcset, script (values, strings, regexps, comments), event
// handlers, style (values, strings, URLs) and comments.
var htmlContexts = []string{
	`<p>{{.V}}</p>`, `<title>{{.V}}</title>`, `<textarea>{{.V}}</textarea>`, `<a title="{{.V}}">x</a>`, `<a title='{{.V}}'>x</a>`,
	`<a title={{.V}}>x</a>`, `<a href="{{.V}}">x</a>`, `<a href='/search?q={{.V}}&x=1'>x</a>`, `<a href="/p/{{.V}}">x</a>`,
	`<a href="#{{.V}}">x</a>`, `<a href={{.V}}>x</a>`, `<img src="{{.V}}">`, `<img srcset="{{.V}} 2x">`, `<a data-url="{{.V}}">x</a>`,
	`<script>var v = {{.V}};</script>`, `<script>var s = "{{.V}}";</script>`, `<script>var s = '{{.V}}';</script>`,
	`<script>var r = /{{.V}}/;</script>`, `<script>// {{.V}}` + "\n" + `x()</script>`, `<button onclick="f({{.V}})">x</button>`,
	`<button onclick='alert("{{.V}}")'>x</button>`, `<style>p { color: {{.V}} }</style>`, `<p style="color: {{.V}}">x</p>`,
	`<style>p { font-family: "{{.V}}" }</style>`, `<style>p { background: url({{.V}}) }</style>`, `<p style="background: url('{{.V}}')">x</p>`,
	`<!-- {{.V}} -->ok`, `<div {{.V}}="x">y</div>`, `<script type="text/template">{{.V}}</script>`, `<a href="http://x.io/{{.V}}#{{.V}}">x</a>`,
}

// htmlTemplates are whole templates: structure, branches, loops, nested templates, predefined
// escapers, and the errors html/template gives.
var htmlTemplates = []string{
	`<b>{{.S}}</b> a < b, c > d & e {{.N}}`, `a<!-- comment {{.S}} -->b<!--c-->`, `<!DOCTYPE html><p>{{.S}}</p>`,
	`<p>{{.N}} {{.F}} {{.B}} {{.Nil}} {{.Missing}} {{.L}} {{.M}} {{.T}} {{.D}}</p>`, `<p>{{html .S}} {{.S | html}} {{html .Nil}} {{urlquery .S}}</p>`,
	`<a href="/x?q={{.S | urlquery}}">x</a>`, `<a title="{{.S | html}}">x</a>`, `<a title={{.S | html}}>x</a>`,
	`<a title="{{.S | html | printf "%s"}}">x</a>`, `<p>{{printf "%s<%d>" .S .N}}</p>`, `<p>{{json .M}}</p>`,
	`<script>var m = {{json .M}}, l = {{.L}}, n = {{.N}}, nil = {{.Nil}}, t = {{.T}}, d = {{.D}};</script>`,
	`<script>var a = {{.S}} / 2, b = {{.N}}/{{.N}};</script>`, `<script>x = /a/.test({{.S}}); y = a++ / {{.N}}</script>`,
	`<script>/* {{.S}} */ var x = 1; /* multi` + "\n" + `line */ y()</script>`, "<script>var t = `{{.S}}`;</script>",
	"<script>var t = `x`; var s = {{.S}};</script>", `<style>/* {{.S}} */ p { width: {{.N}}px }</style>`,
	`<input type="text" value="{{.S}}" {{if .B}}checked{{end}}>`, `<input {{.Attr}}="1" {{.Class}}>`, `<a title="x" {{.Attr}}>y</a>`,
	`<p class="a {{.Class}} b">x</p>`, `{{if .B}}<a href="{{.U}}">{{else}}<a href="/x">{{end}}ok</a>`,
	`{{if .B}}<a href="{{end}}x">`, `<a href="{{if .B}}/a{{else}}/b?x=1{{end}}{{.S}}">x</a>`,
	`<ul>{{range .L}}<li>{{.}}</li>{{else}}<li>none</li>{{end}}</ul>`, `{{range .L}}<a href="{{.}}">{{.}}</a>{{end}}`,
	`{{range .L}}<a title="{{.}}{{end}}">`, `{{range .L}}{{if not .}}{{break}}{{end}}<b>{{.}}</b>{{end}}`,
	`{{range .L}}<a title="{{if .}}{{break}}{{end}}">{{end}}`, `{{range .L}}<a title="{{if .}}{{continue}}{{end}}x">{{end}}`,
	`{{with .S}}<a title="{{.}}">{{.}}</a>{{end}}`, `{{define "x"}}<b>{{.}}</b>{{end}}{{template "x" .S}}`,
	`{{define "x"}}{{.}}{{end}}<a title="{{template "x" .S}}">{{template "x" .S}}</a>`,
	`{{define "x"}}{{.}}{{end}}<script>var a = {{template "x" .S}};</script><a href="{{template "x" .U}}">y</a>`,
	`{{define "x"}}<a href="{{end}}{{template "x"}}`, `{{template "nope"}}`, `<p>{{template "nope"}}</p>`,
	`{{define "r"}}{{if .}}<b>{{template "r" 0}}</b>{{end}}{{end}}{{template "r" 1}}`,
	`{{define "x"}}{{.Foo.Bar}}{{end}}<a title="{{template "x" .S}}">`, `{{define "x"}}<a href="{{.}}">{{end}}{{template "x" .U}}</a>`,
	`<a href="{{.U}}`, `<a title="{{.S}}`, `<script>var x = "{{.S}}`, `<a b=c"d>`, `<a "x">`, `<a b="c"d="e">`,
	`<script>{{if .B}}x = 1{{else}}/re/{{end}}/2</script>`, `<script>{{if .B}}a{{end}}/{{.N}}/</script>`, `<script>var x = "\`,
	`<p><{{.S}}></p>`, `<p>{{.S.X}}</p>`, `<a href="{{index .L 5}}">`, `<a href="x?a=1&amp;b={{.S}}&#35;{{.S}}">x</a>`,
	`<a onclick="var s=&quot;{{.S}}&quot;">x</a>`, `<a href="&#106;avascript:{{.S}}">x</a>`, `<a style="x:&#34;{{.S}}">x</a>`,
	`<textarea>{{.S}}</textarea><title>a</title>{{.S}}`, `<script>var s = "</script>{{.S}}`, `<style>p{}</style ><b>{{.S}}</b>`,
	`<SCRIPT>var s = {{.S}};</SCRIPT>`, `<script type="application/ld+json">{{.M}}</script>`, `<script type="module">x={{.N}}</script>`,
	`<img srcset="{{.U}} 1x, {{.S}} 2x">`, `<img srcset="/a.png 1x, {{.L}}">`, `<a xlink:href="{{.U}}">x</a>`, `<a xmlns:x="{{.U}}">x</a>`,
	`<form action="{{.U}}" method="{{.S}}">`, `<iframe srcdoc="{{.S}}"></iframe>`, `<a href="{{.U}}" rel="{{.S}}">x</a>`,
	`{{$x := .S}}<a title="{{$x}}">{{$x}}</a>`, `<p>{{.S}}` + "\n" + `{{- .N -}}` + "\n" + `</p>`, `<a title="{{.S}}"{{.S}}>`,
	`<a href="javascript:{{.S}}">x</a>`, `<a href="?{{.S}}">x</a>`, `<a href="  {{.U}}">x</a>`, `<a href="{{.U}}{{.S}}">x</a>`,
	`<p style="{{.S}}">x</p>`, `<p style="{{json .M}}">x</p>`, `<button onclick="{{json .M}}">x</button>`, `<script>{{.S}}</script>{{.S}}`,
	`<p title="{{.N}}{{.Nil}}{{.B}}">x</p>`, `<b>{{print .S .N nil}}</b>`, `<a href="{{.S}}" title={{.N}}>x</a>`,
}

const htmlData = `{"S":"<b>O'Reilly & \"friends\" + 1</b>","U":"javascript:alert(1)","N":42,"F":-1.5,"B":true,"Nil":null,
"L":[1,"a<b",null,"javascript:x"],"M":{"k":"v</script>","n":[1,2]},"T":{"$time":"2026-11-27T10:00:00.5Z"},
"D":{"$duration":"1m30s"},"Attr":"onclick","Class":"warn crit"}`

// kapacitorEmail is a realistic Kapacitor e-mail details template.
const kapacitorEmail = `<!DOCTYPE html>
<html><head><title>{{.Level}}: {{.Name}}</title>
<style>td { padding: 2px } .level { color: {{if eq .Level "CRITICAL"}}red{{else}}orange{{end}} }</style></head>
<body>
<h1 class="level">{{.Level}} {{.ID}}</h1>
<p>{{.Message}}</p>
<table>{{range $k, $v := .Tags}}<tr><td>{{$k}}</td><td title="{{$v}}">{{$v}}</td></tr>{{end}}</table>
<p>Fields: {{range $k, $v := .Fields}}<b>{{$k}}</b>={{printf "%.2f" $v}} {{end}}</p>
<a href="https://grafana.example.com/d/abc?var-host={{index .Tags "host"}}&from={{.Time.Unix}}000">graph</a>
<a href="{{.Message}}">raw</a>
<script>var alert = {{json .}};</script>
<p style="font-size: {{len .Tags}}0px">since {{.Time}} ({{.Duration}})</p>
</body></html>`

func htmlCases() []execCase {
	var out []execCase
	for i, ctx := range htmlContexts {
		for j, v := range htmlValues {
			c := execCase{Name: fmt.Sprintf("html-ctx-%02d-%02d", i, j), Template: ctx, Data: `{"V":` + v + `}`, Kind: "html"}
			out = append(out, execHTML(c))
		}
	}
	for i, ctx := range htmlContexts {
		c := execCase{Name: fmt.Sprintf("html-ctx-%02d-json", i), Template: strings.ReplaceAll(ctx, "{{.V}}", "{{json .V}}"),
			Data: `{"V":{"a":"<x>","b":[1,2.5,null]}}`, Kind: "html"}
		out = append(out, execHTML(c))
	}
	safe := []string{"safeHTML", "safeHTMLAttr", "safeJS", "safeJSStr", "safeCSS", "safeURL", "safeSrcset"}
	safeValues := []string{`"<b title=\"a>b\">bold</b> & <!-- c --> <script>x</script>t <i>"`, `"javascript:a(1) , b?c=d e"`, `"onclick"`}
	for i, ctx := range htmlContexts {
		for j, f := range safe {
			for k, v := range safeValues {
				c := execCase{Name: fmt.Sprintf("html-safe-%02d-%d-%d", i, j, k), Template: strings.ReplaceAll(ctx, "{{.V}}", "{{"+f+" .V}}"),
					Data: `{"V":` + v + `}`, Kind: "html"}
				out = append(out, execHTML(c))
			}
		}
	}
	for i, t := range htmlTemplates {
		out = append(out, execHTML(execCase{Name: fmt.Sprintf("html-%03d", i), Template: t, Data: htmlData, Kind: "html"}))
	}
	for j, data := range []string{kapacitorData[:len(kapacitorData)-1] + `,"Message":"cpu is <b>CRITICAL</b> & 'loud' javascript:x"}`, `{}`} {
		out = append(out, execDetails(execCase{Name: fmt.Sprintf("html-email-%d", j), Template: kapacitorEmail, Data: data, Kind: "alert_details"}))
	}
	return out
}
