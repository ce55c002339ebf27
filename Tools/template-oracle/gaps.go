package main

import (
	"fmt"
	"strings"
)

// The cases of issue 17 item 6, one fixture per topic: zones, printf, methods, typed data.

// zoneCases: times with a fixed offset keep it (time.Parse gives time.FixedZone("", offset), whose
// empty name prints as the offset), +00:00 is Local (UTC under TZ=UTC); Kapacitor's contexts are UTC.
func zoneCases() []execCase {
	times := []string{"2026-01-02T03:04:05+02:00", "2026-01-02T03:04:05.123456789-03:30", "2026-01-02T03:04:05+00:00",
		"2026-01-02T03:04:05-00:00", "2026-01-02T03:04:05Z", "2026-06-30T23:59:59.5+05:45", "1970-01-01T00:00:00+14:00",
		"1999-12-31T23:00:00-12:00", "2026-01-02T03:04:05,5+01:00", "2026-03-01T00:30:00+24:00"}
	templates := []string{"{{.}}", `{{printf "%v|%s|%q|%20.10s|%x" . . . . .}}`, "{{.UTC}}", "{{.Local}}", "{{.Hour}}:{{.Minute}} {{.Day}} {{.Weekday}} {{.YearDay}}",
		`{{.Format "2006-01-02T15:04:05Z07:00 MST -0700 Z0700 -07"}}`, `{{.Format "Mon Jan 2 15:04:05 MST 2006"}}`, "{{.Unix}} {{.UnixNano}}",
		"{{.Add 3600000000000}} {{.Truncate 3600000000000}} {{.Round 86400000000000}}", "{{.AddDate 0 0 1}}",
		"{{.IsZero}} {{.Equal .UTC}}"}
	var out []execCase
	for i, t := range times {
		for j, tmpl := range templates {
			out = append(out, execOne(execCase{Name: fmt.Sprintf("zone-%02d-%02d", i, j), Template: tmpl, Data: `{"$time":"` + t + `"}`}))
		}
		out = append(out, execOne(execCase{Name: fmt.Sprintf("zone-%02d-map", i), Template: "{{.}} {{.T.Sub .U}} {{.U.Sub .T}}",
			Data: `{"T":{"$time":"` + t + `"},"U":{"$time":"2026-01-02T03:04:05Z"}}`}))
		for _, kind := range []string{"alert", "alert_details"} {
			c := execCase{Name: fmt.Sprintf("zone-%02d-%s", i, kind), Template: "{{.Time}} {{.Time.Hour}} {{.Time.Format \"-07:00 MST\"}}",
				Data: `{"Time":"` + t + `"}`, Kind: kind}
			if kind == "alert" {
				out = append(out, execKapacitor(c))
			} else {
				c.Template += " {{json .Time}}"
				out = append(out, execDetails(c))
			}
		}
	}
	return out
}

// printfCases: %+v, nil arguments and elements, and bad verbs with flags, width and precision.
func printfCases() []execCase {
	data := `{"L":[1,-2,3.5,"s",null,true],"M":{"a":1,"b":-1.5,"n":null,"s":"x"},"N":[[1,-2],{"x":-3}],"Nil":null,"I":-5,"F":1.5,
"S":"two","E":[],"U":{"$uint":18446744073709551615},"D":{"$duration":"1m30s"},"T":{"$time":"2026-11-27T10:00:00.5Z"},
"Z":{"$time":"2026-11-27T10:00:00.5+02:00"},"SM":{"$strmap":{"k":"v"}},"W":"héllo wörld"}`
	plus := []string{
		`{{printf "%+v" .L}}`, `{{printf "%+v" .M}}`, `{{printf "%+v" .N}}`, `{{printf "%+v %+v %+v" .I .F .U}}`, `{{printf "%+d" .L}}`,
		`{{printf "%+.2f" .L}}`, `{{printf "% d" .L}}`, `{{printf "%+q" .W}}`, `{{printf "%+q" .L}}`, `{{printf "%+v" .SM}}`, `{{printf "%+v %+s" .T .D}}`,
		`{{printf "%#v" .L}}`, `{{printf "%#v" .M}}`, `{{printf "%#v" .N}}`, `{{printf "%#v %#v %#v %#v" .I .F .U .S}}`, `{{printf "%#v" .SM}}`,
		`{{printf "%#v" .E}}`, `{{printf "%#v %#v" .D .T}}`, `{{printf "%#v" .Nil}}`, `{{printf "%+#v" .L}}`, `{{printf "%-+8v|" .I}}`, `{{printf "%+08v" .I}}`,
		`{{printf "%+v" .Z}}`, `{{printf "%#x %#o %#b %#X" .L .I .I .U}}`,
	}
	nils := []string{
		`{{printf "%d" nil}}`, `{{printf "%s|%x|%X|%o|%q|%t|%e|%c|%U" nil nil nil nil nil nil nil nil nil}}`, `{{printf "%v|%5v|%-5v|%05v|%T|%5T" nil nil nil nil nil nil}}`,
		`{{printf "%d" .Nil}}`, `{{printf "%s" .Missing}}`, `{{printf "%d" .L}}`, `{{printf "%s" .L}}`, `{{printf "%x" .L}}`, `{{printf "%5d|" .L}}`, `{{printf "%q" .L}}`,
		`{{printf "%T %T" .L .Nil}}`, `{{printf "%d" .M}}`, `{{printf "%s" .M}}`, `{{printf "%x" .M}}`, `{{printf "%v" .M}}`, `{{printf "%#v" .M}}`,
		`{{print nil}} {{print nil 1 nil "a" nil}}`, `{{println nil 1 nil}}`, `{{printf "x" nil 1 .Nil}}`, `{{printf "%v %v" .Nil .Missing}}`,
		`{{printf "%.1d|%8.3x|%-6s|" .L .L .L}}`, `{{printf "%p" nil}}`, `{{print .L .M}}`, `{{.L}} {{.M}}`,
	}
	bad := []string{
		`{{printf "%.2f" "two"}}`, `{{printf "%5d|%-5d|%05d|%.1d" "ab" "ab" "ab" "abc"}}`, `{{printf "%x %X %d %5.1e" true false true true}}`,
		`{{printf "%+s|% s|%#s|%s" 5 5 255 -5}}`, `{{printf "%.1s|%5.1q|%-8.3c|%08.3s" 3.14159 1.5 2.5 "hello"}}`, `{{printf "%e %E %g %f" "s" "s" "s" "s"}}`,
		`{{printf "%d|%5d|%.2d|%x" 1.5 1.5 1.5 1.5}}`, `{{printf "%z|%!|%5z|%.3z" 1 2 3 4}}`, `{{printf "%d" .T}}`, `{{printf "%e" .T}}`, `{{printf "%x %X" .T .T}}`,
		`{{printf "%q %s %10.4v|" .T .T .T}}`, `{{printf "%d %x %o %e %c %q" .D .D .D .D .D .D}}`, `{{printf "%t %.3t %5t|" 1 true 0}}`,
		`{{printf "%U %U %#U %#U %.6U" 1.5 65 65 10 65}}`, `{{printf "%c|%q|%5c|%-4q|" "x" "x" 97 98}}`, `{{printf "%[2]d %[1]s" "a" 3}}`,
		`{{printf "%[3]d|%[0]d|%[x]d|%[1]" 1 2}}`, `{{printf "%[2]*[1]d|" 12 5}}`, `{{printf "%5.|%.|%5" 1 2 3}}`, `{{printf "%-+ #0v" 1}}`,
		`{{printf "%*d|%.*d|%*.*f" "x" 1 -2 3 1.5 2 3.14159}}`, `{{printf "%-*d|" -4 5}}`, `{{printf "%10.4v|%-10v|" .M .L}}`, `{{printf "%p %p" 1 "s"}}`,
		`{{printf "%x|%X|%b|%#g|%#.3e|%#x|%#.0f" 1.5 -2.75 1.0 1.0 1.0 1.5 2.0}}`, `{{printf "%g %g %G %e %.3e" 1e21 1e-7 1e-7 0.0 123456.789}}`,
		`{{printf "%.0f %.0f %.0f %.0f %.1f %.2f" 0.5 1.5 2.5 -0.5 0.25 1.005}}`, `{{printf "%08.3f|%+08.3f|% .3e|%-9.2f|%+.0e" -3.14159 3.14159 31.4159 2.5 15.0}}`,
		`{{printf "%.3g %.3g %.10g %#.3g %#g %#.4x" 100.0 0.0001234 0.3333333333333333 1.0 100000.0 3.0}}`, `{{printf "%5.2f%%|%-5%|%5%" 99.5}}`,
		`{{printf "%b %o %O %x %X" -5 -8 8 -255 255}}`, `{{printf "%08b|%-8o|%#08x|%+#x|% #x" 5 8 255 255 255}}`, `{{printf "%.3x|%.5d|%8.5d|%-8.5d|%08.5d" 5 -42 42 42 42}}`,
		`{{printf "%d %v" .U .U}}`, `{{printf "%x % x %#x % #x %X" .S .S .S .S .W}}`, `{{printf "%.3x|%10x|%-10x|" .W .S .S}}`, `{{printf "%s %10s %-10s| %.2s" .W .W .W .W}}`,
		`{{printf "%q %#q %+q %#+q" .W .W .W "a` + "`" + `b"}}`, `{{printf "%v %.2v %8.3v|" 1e6 123456.0 0.000012345}}`, `{{printf "%e %.2E %10.3e|" 1e100 -1e-100 5e-324}}`,
		`{{printf "%6.2v|%-8.2f|%+.1e|% .2g" 3.14159 2.5 12345.678 0.000123}}`, `{{printf "%s" .D}}`, `{{printf "%v|%s|%d" .SM .SM .SM}}`,
	}
	var out []execCase
	for i, t := range plus {
		out = append(out, execOne(execCase{Name: fmt.Sprintf("plusv-%02d", i), Template: t, Data: data}))
	}
	for i, t := range nils {
		out = append(out, execOne(execCase{Name: fmt.Sprintf("nil-%02d", i), Template: t, Data: data}))
	}
	for i, t := range bad {
		out = append(out, execOne(execCase{Name: fmt.Sprintf("badverb-%02d", i), Template: t, Data: data}))
	}
	for i, t := range []string{`{{printf "%+v" .}}`, `{{printf "%+v" .ServerInfo}}`, `{{printf "%d" .}}`, `{{printf "%x" .Tags}}`} {
		for j, d := range []string{kapacitorData, `{}`} {
			out = append(out, execKapacitor(execCase{Name: fmt.Sprintf("plusv-alert-%02d-%d", i, j), Template: t, Data: d, Kind: "alert"}))
		}
	}
	return out
}

// methodCases: the methods of time.Time, time.Duration, time.Month and time.Weekday, with Go's
// results and Go's errors for wrong argument counts and types.
func methodCases() []execCase {
	times := []string{"2026-11-27T10:00:00.5Z", "0001-01-01T00:00:00Z", "2024-02-29T23:59:59.999999999Z", "2026-01-01T01:30:00+05:45",
		"1969-12-31T23:59:59.5Z", "9999-12-31T23:59:59.999999999Z", "0000-01-01T00:00:00Z", "2000-01-01T00:00:00-08:00", "1677-09-21T00:12:43.145224191Z"}
	durations := []string{"1m30s", "-1.5s", "0s", "1h2m3.5s", "9223372036854775807ns", "-9223372036854775808ns", "1ns", "999999999ns", "-2h45m30.0000005s"}
	timeTemplates := []string{
		"{{.T.Year}} {{.T.Month}} {{.T.Day}} {{.T.Hour}}:{{.T.Minute}}:{{.T.Second}}.{{.T.Nanosecond}} {{.T.Weekday}} {{.T.YearDay}}",
		`{{printf "%d %v %s %02d %q %x %T" .T.Month .T.Month .T.Month .T.Month .T.Month .T.Month .T.Month}}`,
		`{{printf "%d %v %-10s| %c %U %T" .T.Weekday .T.Weekday .T.Weekday .T.Weekday .T.Weekday .T.Weekday}}`,
		"{{.T.Unix}} {{.T.UnixNano}} {{.T.UnixMilli}} {{.T.UnixMicro}} {{.T.IsZero}} {{.T.IsDST}}",
		"{{.T.UTC}} | {{.T.Local}} | {{.T.String}} | {{.T.GoString}}",
		"{{.T.Add .D}} | {{.T.Add 3600000000000}} | {{.T.Add -1}} | {{.D | .T.Add}}",
		"{{.T.Sub .U}} {{.U.Sub .T}} {{.T.Sub .T}} {{.T.Before .U}} {{.T.After .U}} {{.T.Equal .U}} {{.T.Equal .T}} {{.T.Equal .T.UTC}}",
		"{{.T.Truncate 3600000000000}} | {{.T.Round 3600000000000}} | {{(.T.Truncate 3600000000000).Hour}} | {{.T.Truncate 0}} | {{.T.Round -1}}",
		"{{.T.Round .D}} | {{.T.Truncate .D}} | {{.T.Truncate 86400000000000}} | {{.T.Round 7000000000}} | {{.T.Round 604800000000000}}",
		"{{.T.AddDate 0 1 0}} | {{.T.AddDate -1 -13 40}} | {{.T.AddDate 0 0 -1}} | {{(.T.AddDate 1 0 0).YearDay}}",
		`{{(.T.Add .D).Format "2006-01-02 15:04:05.000"}} {{.T.Add .D | printf "%v"}} {{$t := .T.Add .D}}{{$t.Year}} {{.T.Month.String}} {{.T.Weekday.String}}`,
		"{{eq .T.Month 11}} {{eq .T.Weekday 5}} {{lt .T.Day 28}} {{eq .T.Year 2026}} {{if .T.Month}}m{{end}} {{ne .T.Month .U.Month}} {{le .T.Hour 10}}",
		`{{range $i, $t := .L}}{{$i}}:{{$t.Year}}/{{$t.Month}}/{{$t.Weekday}} {{end}}{{(index .L 0).Unix}}`,
		"{{.T.Year 1}}", "{{.T.Add}}", "{{.T.Add 1 2}}", `{{.T.Add "x"}}`, "{{.T.Add 1.5}}", "{{.T.Add nil}}", "{{.T.Add .I}}", "{{.T.Add .Missing}}",
		"{{.T.Add .Nil}}", "{{.T.Add .T}}", "{{.T.Sub 5}}", "{{.T.Sub .D}}", "{{.T.Sub nil}}", `{{.T.Before "x"}}`, "{{.T.After .I}}", "{{.T.Format 3}}",
		"{{.T.Format .I}}", "{{.T.AddDate 1 2}}", "{{.T.AddDate .I 0 0}}", "{{.T.AddDate 1.5 0 0}}", "{{.T.Zone}}", "{{.T.Date}}", "{{.T.Clock}}",
		"{{.T.ISOWeek}}", "{{.T.ZoneBounds}}", "{{.T.Nope}}", "{{.T.Year.X}}", "{{.T.Month.Foo}}", "{{.D | .T.Sub}}", "{{1 | .T.Add}}", "{{.T.Add true}}",
		"{{.T.Truncate 'a'}} {{.T.Add 1e9}} {{.T.Add 0x10}}", "{{.T.Add 18446744073709551615}}", "{{.T.UTC 1}}", "{{.T.Month 1}}", "{{.I | .T.Format}}",
		"{{.T.Add $}}", "{{.T.Add .}}", "{{with .D}}{{$.T.Add .}}{{end}}", "{{.T.Sub .L}}", "{{.T.Add (len .L)}}", "{{.T.Equal}}", "{{.T.Equal .T .T}}",
	}
	durTemplates := []string{
		"{{.D.Hours}} {{.D.Minutes}} {{.D.Seconds}} {{.D.Milliseconds}} {{.D.Microseconds}} {{.D.Nanoseconds}} {{.D.String}} {{.D.Abs}}",
		`{{printf "%.20f %v %T" .D.Hours .D.Seconds .D.Seconds}}`,
		"{{.D.Round 1000}} {{.D.Round 60000000000}} {{.D.Round 0}} {{.D.Round -5}} {{.D.Round 3}} {{.D.Round 1000000000}} {{.D.Round 7200000000000}}",
		"{{.D.Truncate 1000}} {{.D.Truncate 60000000000}} {{.D.Truncate 0}} {{.D.Truncate -5}} {{.D.Truncate 3}} {{.D.Truncate .D}}",
		"{{.D.Round}}", `{{.D.Round "x"}}`, "{{.D.Round .T}}", "{{.D.Hours 1}}", "{{.D.Round .I}}", "{{.D.Abs.Hours}} {{(.D.Round 1000000000).Seconds}}",
		"{{eq .D.Abs .D}} {{lt .D.Seconds 10.0}}", "{{.D.Nope}}",
	}
	var out []execCase
	for i, t := range times {
		d := durations[i%len(durations)]
		data := `{"T":{"$time":"` + t + `"},"U":{"$time":"2026-01-01T00:00:00Z"},"D":{"$duration":"` + d + `"},"I":5,"Nil":null,` +
			`"L":[{"$time":"` + t + `"},{"$time":"2026-03-08T12:00:00Z"}]}`
		for j, tmpl := range timeTemplates {
			if i > 0 && j > 12 {
				break // error cases once
			}
			out = append(out, execOne(execCase{Name: fmt.Sprintf("time-%02d-%02d", i, j), Template: tmpl, Data: data}))
		}
	}
	for i, d := range durations {
		data := `{"T":{"$time":"2026-11-27T10:00:00.5Z"},"D":{"$duration":"` + d + `"},"I":5}`
		for j, tmpl := range durTemplates {
			if i > 0 && j > 3 && j != 9 && j != 10 {
				continue
			}
			out = append(out, execOne(execCase{Name: fmt.Sprintf("duration-%02d-%02d", i, j), Template: tmpl, Data: data}))
		}
	}
	for i, t := range []string{"{{.Time.Year}} {{.Time.Month}} {{.Time.Weekday}} {{.Time.Add .Duration}}", "{{.Duration.Minutes}} {{.Time.Truncate .Duration}}",
		"{{(.Time.Round 3600000000000).Format \"15:04\"}} {{.Time.Sub .Time}}", "{{.Time.Add .Fields.count}}"} {
		for j, d := range []string{kapacitorData, `{}`, `{"Name":"mem","Time":1700000000000000000,"Duration":1500000000,"Tags":{}}`} {
			out = append(out, execKapacitor(execCase{Name: fmt.Sprintf("method-alert-%02d-%d", i, j), Template: t, Data: d, Kind: "alert"}))
		}
	}
	return out
}

// typedDataCases: the data rule's typed integers written as strings (JSON numbers lose 64-bit
// precision in many JSON readers) and floats written with a point.
func typedDataCases() []execCase {
	datas := []string{`{"$uint":"18446744073709551615"}`, `{"$uint":18446744073709551615}`, `{"$uint":"0"}`, `{"$int":"-5"}`, `{"$int":-5}`,
		`{"$int":"9223372036854775807"}`, `{"$int":"-9223372036854775808"}`, `3.0`, `3`, `-0.0`, `3e0`, `1E2`, `[3.0,3,3e0,-0.0,0.5]`,
		`{"a":3.0,"b":3,"c":{"$uint":"18446744073709551615"},"d":{"$int":"-5"}}`, `[{"$int":"1"},{"$uint":"2"},{"$float":3}]`,
		`9223372036854775807`, `9223372036854775808`, `-9223372036854775808`, `18446744073709551615`, `1.7976931348623157e308`}
	templates := []string{"{{.}}", `{{printf "%T %v %d" . . .}}`}
	var out []execCase
	for i, d := range datas {
		for j, t := range templates {
			out = append(out, execOne(execCase{Name: fmt.Sprintf("typed-%02d-%d", i, j), Template: t, Data: d}))
		}
	}
	for i, t := range []string{"{{.c}} {{.d}} {{lt .d 0}} {{gt .c .b}} {{eq .a 3.0}} {{printf \"%T %T %T %T\" .a .b .c .d}}", "{{range .}}{{printf \"%T \" .}}{{end}}"} {
		out = append(out, execOne(execCase{Name: fmt.Sprintf("typed-use-%d", i), Template: t, Data: strings.TrimSpace(datas[13])}))
	}
	return out
}
