package main

import (
	"bytes"
	"fmt"
	"sort"
	"text/template"
	"time"
)

// alertContext has the shape of Kapacitor's message template context.
type alertContext struct {
	ID       string
	Name     string
	TaskName string
	Group    string
	Tags     map[string]string
	Fields   map[string]interface{}
	Level    string
	Time     time.Time
	Duration time.Duration
}

const benchTemplate = `{{.ID}} is {{.Level}} value={{index .Fields "value"}} host={{index .Tags "host"}}`

// bench prints renders/s of benchTemplate (median of runs, one goroutine).
func bench(n, runs int) {
	t := template.Must(template.New("bench").Parse(benchTemplate))
	data := alertContext{
		ID: "cpu:host=server01", Name: "cpu", TaskName: "cpu_alert", Group: "host=server01",
		Tags:   map[string]string{"host": "server01", "cpu": "cpu-total"},
		Fields: map[string]interface{}{"value": 97.5, "usage_user": 1.25},
		Level:  "CRITICAL", Time: time.Unix(1795822382, 0).UTC(), Duration: 90 * time.Second,
	}
	var buf bytes.Buffer
	var rates []float64
	for r := 0; r < runs; r++ {
		start := time.Now()
		for i := 0; i < n; i++ {
			buf.Reset()
			if err := t.Execute(&buf, data); err != nil {
				panic(err)
			}
		}
		rates = append(rates, float64(n)/time.Since(start).Seconds())
	}
	sort.Float64s(rates)
	fmt.Printf("%.0f %s\n", rates[len(rates)/2], buf.String())
}
