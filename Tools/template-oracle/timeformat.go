package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"text/template"
	"time"
)

// timeFormatCases records {{.T.Format LAYOUT}} for layouts x instants x zones: Go's time.Format
// as templates reach it (Kapacitor's alert Time is a time.Time).
func timeFormatCases() {
	layouts := []string{
		time.ANSIC, time.UnixDate, time.RubyDate, time.RFC822, time.RFC822Z, time.RFC850, time.RFC1123, time.RFC1123Z,
		time.RFC3339, time.RFC3339Nano, time.Kitchen, time.Stamp, time.StampMilli, time.StampMicro, time.StampNano,
		"2006-01-02", "02/01/06 15:04", "Jan _2 3:4:5 pm", "Monday January 2 2006", "Mon Jan Janet Monet", "_2006 __2 002",
		"15:04:05.000", "15:04:05,999", "15:04:05.9", "05.00000", "Z07 Z0700 Z07:00 Z070000 Z07:00:00",
		"-07 -0700 -07:00 -070000 -07:00:00", "MST", "PM pm 3PM 03", "1 01 2 02 _2 4 04 5 05 06 2006",
		"2006-01-02T15:04:05.999999999Z07:00 literal text 123", "", "no tokens here", ".0.9,0,9", "Jan2006Jan",
	}
	instants := []int64{0, 1764288010123456789, -1, 1000000000, 86399999999999, 951782400000000000, -62135596800000000, 253402300799999999999 / 1000}
	zones := []*time.Location{time.UTC, time.FixedZone("CET", 3600), time.FixedZone("", -(3*3600 + 30*60 + 15)), time.FixedZone("IST", 5*3600+30*60)}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	n := 0
	for _, l := range layouts {
		for _, ns := range instants {
			for _, z := range zones {
				t := time.Unix(0, ns).In(z)
				tmpl := template.Must(template.New("t").Parse(`{{.T.Format .L}}`))
				var b bytes.Buffer
				if err := tmpl.Execute(&b, map[string]interface{}{"T": t, "L": l}); err != nil {
					panic(err)
				}
				_, off := t.Zone()
				name, _ := t.Zone()
				enc.Encode(map[string]interface{}{"layout": l, "ns": ns, "offset": off, "zone": name, "out": b.String()})
				n++
			}
		}
	}
	// The zero time.
	for _, l := range layouts {
		enc.Encode(map[string]interface{}{"layout": l, "zero": true, "offset": 0, "zone": "UTC", "out": time.Time{}.Format(l)})
	}
	fmt.Fprintln(os.Stderr, n, "time format cases")
}
