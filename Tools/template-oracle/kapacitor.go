package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	html "html/template"
	"strings"
	"time"
)

// The shapes of Kapacitor 1.5's alert template contexts (alert.go): written here from the
// documented fields so the oracle renders what Kapacitor renders.
type ServerInfo struct {
	Hostname  string
	ClusterID string
	ServerID  string
}

type idInfo struct {
	Name       string
	TaskName   string
	Group      string
	Tags       map[string]string
	ServerInfo ServerInfo
}

type detailsInfo struct {
	messageInfo
	Message string
}

type messageInfo struct {
	idInfo
	ID       string
	Fields   map[string]interface{}
	Level    string
	Time     time.Time
	Duration time.Duration
}

func kapacitorContext(kind string, raw any) any {
	m, _ := toData(raw).(map[string]any)
	str := func(k string) string { s, _ := m[k].(string); return s }
	var tags map[string]string
	switch t := m["Tags"].(type) {
	case map[string]string:
		tags = t
	case map[string]any:
		tags = map[string]string{}
		for k, v := range t {
			tags[k] = v.(string)
		}
	}
	var si ServerInfo
	if s, ok := m["ServerInfo"].(map[string]any); ok {
		si.Hostname, _ = s["Hostname"].(string)
		si.ClusterID, _ = s["ClusterID"].(string)
		si.ServerID, _ = s["ServerID"].(string)
	}
	id := idInfo{Name: str("Name"), TaskName: str("TaskName"), Group: str("Group"), Tags: tags, ServerInfo: si}
	if kind == "alert_id" {
		return id
	}
	fields, _ := m["Fields"].(map[string]any)
	var t time.Time
	switch x := m["Time"].(type) {
	case time.Time:
		t = x
	case int64:
		t = time.Unix(0, x).UTC()
	case string:
		t, _ = time.Parse(time.RFC3339Nano, x)
	}
	var d time.Duration
	switch x := m["Duration"].(type) {
	case time.Duration:
		d = x
	case int64:
		d = time.Duration(x)
	case string:
		d, _ = time.ParseDuration(x)
	}
	msg := messageInfo{idInfo: id, ID: str("ID"), Fields: fields, Level: str("Level"), Time: t.UTC(), Duration: d}
	if kind == "alert_details" {
		return detailsInfo{messageInfo: msg, Message: str("Message")}
	}
	return msg
}

// detailsTemplates run through html/template as Kapacitor's details do (text context only).
var detailsTemplates = []string{
	"{{ json . }}", "{{json .}}", "{{.Message}}", "{{.ID}}: {{.Message}} & {{index .Tags \"host\"}}", "{{.Nope}}", "{{.Fields.nope}}|",
	"{{.Fields}} {{.Time}} {{.Duration}}", "{{printf \"%s+%d\" .Level 1}}", "{{if eq .Level \"CRITICAL\"}}'crit' \"now\"{{end}}",
	"{{range $k, $v := .Tags}}{{$k}}={{$v}}&{{end}}", "{{ json .Fields }}", "{{ json .Tags }}", "{{json .Time}}", "{{.}}",
}

func execDetails(c execCase) (out execCase) {
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
	t, err := html.New(c.Name).Funcs(html.FuncMap{
		"json": func(v interface{}) html.JS {
			var b bytes.Buffer
			json.NewEncoder(&b).Encode(v)
			return html.JS(b.String())
		},
	}).Parse(c.Template)
	if err != nil {
		out.Err = err.Error()
		return
	}
	var buf bytes.Buffer
	err = t.Execute(&buf, kapacitorContext(c.Kind, raw))
	out.Out = buf.String()
	if err != nil {
		out.Err = err.Error()
	}
	return
}

const kapacitorData = `{"Name":"cpu","TaskName":"cpu_alert","Group":"host=server01","Tags":{"host":"server01","cpu":"cpu-total"},
"ServerInfo":{"Hostname":"kapacitor-0","ClusterID":"c1","ServerID":"s1"},"ID":"cpu:host=server01",
"Fields":{"usage_idle":5.5,"count":3},"Level":"CRITICAL","Time":"2026-11-27T10:00:00.5Z","Duration":"1m30s"}`

var kapacitorTemplates = []string{
	"{{ .Name }}:{{ .Group }}", "{{.TaskName}}/{{.Name}}/{{index .Tags \"host\"}}", "{{.}}", "{{.ServerInfo.Hostname}} {{.ServerInfo}}",
	"{{.Tags}}", "{{.Tags.host}}", "{{.Nope}}", "{{.ID}} is {{.Level}}", "{{.Fields}}", "{{ index .Fields \"usage_idle\" | printf \"%.2f\" }}",
	"{{.Time}} {{.Duration}} {{.Time.Unix}}", "{{if eq .Level \"CRITICAL\"}}page{{else}}log{{end}}", "{{.idInfo}}",
	"{{range $k, $v := .Tags}}{{$k}}={{$v}},{{end}}", "{{.Fields.nope}}|{{.Tags.nope}}|", "{{.Level.X}}",
}

func kapacitorCases() []execCase {
	var out []execCase
	for i, t := range detailsTemplates {
		for j, data := range []string{kapacitorData[:len(kapacitorData)-1] + `,"Message":"cpu is <b>CRITICAL</b> & 'loud' + \"x\""}`, `{}`} {
			out = append(out, execDetails(execCase{Name: fmt.Sprintf("alert_details-%02d-%d", i, j), Template: t, Data: data, Kind: "alert_details"}))
		}
	}
	for _, kind := range []string{"alert", "alert_id"} {
		for i, t := range kapacitorTemplates {
			for j, data := range []string{kapacitorData, `{}`, `{"Name":"mem","Time":1700000000000000000,"Duration":1500000000,"Tags":{}}`} {
				c := execCase{Name: fmt.Sprintf("%s-%02d-%d", kind, i, j), Template: t, Data: data, Kind: kind}
				out = append(out, execKapacitor(c))
			}
		}
	}
	return out
}

func execKapacitor(c execCase) execCase {
	return execWith(c, func(raw any) any { return kapacitorContext(c.Kind, raw) })
}
