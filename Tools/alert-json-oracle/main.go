// alert-json-oracle records what Kapacitor's Kafka handler writes for an alert: the bytes of
// json.NewEncoder(w).Encode(alert.Data) and text/template renderings of alert.Data, using struct
// shapes copied from Kapacitor (alert/types.go, models/result.go). Output: one JSON line per case,
// {"case":{...input...},"json":"<bytes>","templates":[{"text":..,"out":..,"err":..}]}.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"text/template"
	"time"
)

// Level is Kapacitor's alert.Level.
type Level int

const (
	OK Level = iota
	Info
	Warning
	Critical
)

func (l Level) String() string {
	switch l {
	case OK:
		return "OK"
	case Info:
		return "INFO"
	case Warning:
		return "WARNING"
	case Critical:
		return "CRITICAL"
	}
	panic("unknown level")
}

func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// Row is Kapacitor's models.Row.
type Row struct {
	Name    string            `json:"name,omitempty"`
	Tags    map[string]string `json:"tags,omitempty"`
	Columns []string          `json:"columns,omitempty"`
	Values  [][]interface{}   `json:"values,omitempty"`
}

// Result is Kapacitor's models.Result.
type Result struct {
	Series []*Row `json:"series"`
	Err    error  `json:"error,omitempty"`
}

// Data is Kapacitor's alert.Data.
type Data struct {
	ID            string        `json:"id"`
	Message       string        `json:"message"`
	Details       string        `json:"details"`
	Time          time.Time     `json:"time"`
	Duration      time.Duration `json:"duration"`
	Level         Level         `json:"level"`
	Data          Result        `json:"data"`
	PreviousLevel Level         `json:"previousLevel"`
	Recoverable   bool          `json:"recoverable"`
}

type field struct {
	Key, Type, Text string
}

type input struct {
	ID            string            `json:"id"`
	Message       string            `json:"message"`
	Details       string            `json:"details"`
	Time          int64             `json:"time"`
	PointTime     int64             `json:"pointTime"`
	Duration      int64             `json:"duration"`
	Level         string            `json:"level"`
	PreviousLevel string            `json:"previousLevel"`
	Recoverable   bool              `json:"recoverable"`
	Name          string            `json:"name"`
	Tags          map[string]string `json:"tags"`
	Fields        [][3]string       `json:"fields"`
}

var levels = map[string]Level{"OK": OK, "INFO": Info, "WARNING": Warning, "CRITICAL": Critical}

func value(f [3]string) interface{} {
	switch f[1] {
	case "float":
		v, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			panic(err)
		}
		return v
	case "integer":
		v, _ := strconv.ParseInt(f[2], 10, 64)
		return v
	case "unsigned":
		v, _ := strconv.ParseUint(f[2], 10, 64)
		return v
	case "string":
		return f[2]
	case "boolean":
		return f[2] == "true"
	}
	panic(f[1])
}

// build is edge.pointMessage.ToRow + alert.Event.AlertData.
func build(in input) Data {
	row := &Row{Name: in.Name, Tags: in.Tags}
	fields := map[string]interface{}{}
	for _, f := range in.Fields {
		fields[f[0]] = value(f)
	}
	row.Columns = []string{"time"}
	for k := range fields {
		row.Columns = append(row.Columns, k)
	}
	sort.Strings(row.Columns[1:])
	row.Values = [][]interface{}{make([]interface{}, len(row.Columns))}
	row.Values[0][0] = time.Unix(0, in.PointTime).UTC()
	for i, c := range row.Columns[1:] {
		row.Values[0][i+1] = fields[c]
	}
	return Data{
		ID: in.ID, Message: in.Message, Details: in.Details,
		Time: time.Unix(0, in.Time).UTC(), Duration: time.Duration(in.Duration),
		Level: levels[in.Level], Data: Result{Series: []*Row{row}},
		PreviousLevel: levels[in.PreviousLevel], Recoverable: in.Recoverable,
	}
}

var templates = []string{
	`{{.ID}} {{.Level}} {{.PreviousLevel}} {{.Recoverable}}`,
	`{{.Message}}|{{.Details}}|{{.Time}}|{{.Duration}}`,
	`{{range .Data.Series}}{{.Name}} {{.Tags}} {{.Columns}} {{.Values}}{{end}}`,
	`{{with index .Data.Series 0}}{{range $i, $c := .Columns}}{{$c}}={{index (index $.Data.Series 0).Values 0 $i}};{{end}}{{end}}`,
	`{{if eq .Level.String "CRITICAL"}}page{{else}}ticket{{end}} {{printf "%q %v %d" .ID .Level .Duration}}`,
	`{{.Time.Unix}} {{.Duration.Seconds}} {{.Data.Err}} {{len .Data.Series}}`,
	`{"alert":"{{.ID}}","level":"{{.Level}}","host":"{{index (index .Data.Series 0).Tags "host"}}"}`,
}

func render(t string, d Data) (string, string) {
	tmpl, err := template.New("kafka alert template").Parse(t)
	if err != nil {
		return "", err.Error()
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, d); err != nil {
		return b.String(), err.Error()
	}
	return b.String(), ""
}

func hand() []input {
	base := input{ID: "cpu:nil", Message: "Hey, check your CPU", Details: "", Time: 1764288010000000000, PointTime: 1764288010000000000,
		Level: "CRITICAL", PreviousLevel: "OK", Recoverable: true, Name: "cpu",
		Tags: map[string]string{"host": "web-1", "cpu": "cpu-total"},
		Fields: [][3]string{{"usage_idle", "float", "8.2"}, {"usage_user", "float", "85.3"}}}
	out := []input{base}
	c := base
	c.Tags = nil
	c.Message = "<b>&amp; \u2028 \u2029 \"quoted\" \\ tab\t nl\n ctl\x01"
	c.Details = "{&#34;Name&#34;:&#34;cpu&#34;}"
	out = append(out, c)
	c = base
	c.Fields = [][3]string{{"f", "float", "1e21"}, {"g", "float", "1e-7"}, {"h", "float", "0.000001"}, {"i", "integer", "-9223372036854775808"},
		{"j", "unsigned", "18446744073709551615"}, {"k", "string", "a<b>&c"}, {"l", "boolean", "true"}, {"m", "float", "-0"}, {"n", "float", "123456789012345680000"}}
	c.Time = 1764288010123456789
	c.PointTime = 1764288010123456000
	c.Duration = 90 * 1e9
	c.Level = "OK"
	c.PreviousLevel = "CRITICAL"
	c.Recoverable = false
	out = append(out, c)
	c = base
	c.Tags = map[string]string{"Z": "1", "a": "2", "é": "3", "_": "4", "host": "h\"x"}
	c.Fields = [][3]string{{"B", "float", "2"}, {"a", "float", "1.5"}, {"é", "integer", "3"}, {"Z", "string", ""}}
	c.Level = "WARNING"
	c.PreviousLevel = "INFO"
	c.Time = 0
	c.PointTime = -1
	out = append(out, c)
	return out
}

func random(r *rand.Rand) input {
	lv := []string{"OK", "INFO", "WARNING", "CRITICAL"}
	words := []string{"cpu", "mem", "disk", "host", "web-1", "a b", "x,y", "q\"t", "<tag>", "ü", "日本", "", "0", "us-east"}
	in := input{
		ID: words[r.Intn(len(words))] + ":" + words[r.Intn(len(words))], Message: words[r.Intn(len(words))] + " is " + lv[r.Intn(4)],
		Details: words[r.Intn(len(words))], Time: r.Int63n(4e18) - 1e18, Duration: r.Int63n(1e13),
		Level: lv[r.Intn(4)], PreviousLevel: lv[r.Intn(4)], Recoverable: r.Intn(2) == 0, Name: words[r.Intn(3)],
		Tags: map[string]string{},
	}
	in.PointTime = in.Time
	for i := r.Intn(4); i > 0; i-- {
		in.Tags[words[r.Intn(len(words))]+strconv.Itoa(i)] = words[r.Intn(len(words))]
	}
	seen := map[string]bool{}
	for i := r.Intn(5) + 1; i > 0; i-- {
		k := words[r.Intn(len(words))] + strconv.Itoa(r.Intn(3))
		if seen[k] {
			continue
		}
		seen[k] = true
		switch r.Intn(6) {
		case 0, 1:
			f := r.NormFloat64() * math.Pow(10, float64(r.Intn(40)-20))
			in.Fields = append(in.Fields, [3]string{k, "float", strconv.FormatFloat(f, 'g', -1, 64)})
		case 2:
			in.Fields = append(in.Fields, [3]string{k, "integer", strconv.FormatInt(r.Int63()-r.Int63(), 10)})
		case 3:
			in.Fields = append(in.Fields, [3]string{k, "unsigned", strconv.FormatUint(r.Uint64(), 10)})
		case 4:
			in.Fields = append(in.Fields, [3]string{k, "string", words[r.Intn(len(words))]})
		case 5:
			in.Fields = append(in.Fields, [3]string{k, "boolean", strconv.FormatBool(r.Intn(2) == 0)})
		}
	}
	return in
}

func main() {
	r := rand.New(rand.NewSource(20261128))
	cases := hand()
	for i := 0; i < 300; i++ {
		cases = append(cases, random(r))
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	for _, in := range cases {
		d := build(in)
		var b bytes.Buffer
		if err := json.NewEncoder(&b).Encode(d); err != nil {
			panic(err)
		}
		var ts []map[string]string
		for _, t := range templates {
			o, e := render(t, d)
			ts = append(ts, map[string]string{"text": t, "out": o, "err": e})
		}
		if err := enc.Encode(map[string]interface{}{"case": in, "json": b.String(), "templates": ts}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
