// Command lineprotocol-oracle runs InfluxDB 1.6.7's own line-protocol parser (Debian's
// golang-github-influxdb-influxdb-dev, models package, unsigned integers enabled as in 2.x) over
// a set of cases and records what it accepts, rejects and produces. alertrelay's LineProtocol
// tests compare against the recorded file without needing Go.
//
//	lineprotocol-oracle fixtures > oracle.jsonl     cases + InfluxDB's answers
//	lineprotocol-oracle corpus N SEED > lines.lp    N realistic Telegraf-like lines
//	lineprotocol-oracle bench FILE RUNS             ParsePoints + full decode, lines/s
//
// Build in GOPATH mode (GO111MODULE=off); see generate.sh.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/influxdata/influxdb/models"
)

// defaultTime is given to points without a timestamp (then truncated to the precision).
const defaultTime = int64(1700000000123456789)

type testCase struct {
	Name      string `json:"name"`
	Input     string `json:"input"`
	Precision string `json:"precision"`
	// reference, when set, is what InfluxDB is given instead of Input (Input with LF line ends).
	reference string
}

type fieldOut struct {
	Key   string `json:"key"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

type pointOut struct {
	Measurement string      `json:"measurement"`
	Tags        [][2]string `json:"tags"`
	Fields      []fieldOut  `json:"fields"`
	Time        string      `json:"time"`
}

type fixture struct {
	testCase
	Points []pointOut `json:"points"`
	// Errors counts the lines InfluxDB rejected, plus accepted points whose fields fail to decode.
	Errors int `json:"errors"`
	// Panic is set when InfluxDB's parser crashed on the input: alertrelay must reject it cleanly.
	Panic bool `json:"panic,omitempty"`
	// CRLF marks cases with \r\n line ends (and no quotes): InfluxDB 1.x rejects those lines;
	// alertrelay accepts them, so the expectation is InfluxDB's answer with \n line ends.
	CRLF bool `json:"crlf,omitempty"`
	// LineByLine marks cases with a record that spans lines and fails while one of its lines is a
	// point on its own: alertrelay takes such a record line by line (an unterminated quote must not
	// cost the lines it swallowed), so the expectation is InfluxDB's answer for each of its lines.
	LineByLine bool `json:"lineByLine,omitempty"`
}

func main() {
	models.EnableUintSupport()
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: lineprotocol-oracle fixtures | corpus N SEED | bench FILE RUNS")
		os.Exit(64)
	}
	switch os.Args[1] {
	case "fixtures":
		writeFixtures()
	case "corpus":
		n, _ := strconv.Atoi(os.Args[2])
		seed, _ := strconv.ParseInt(os.Args[3], 10, 64)
		w := bufio.NewWriter(os.Stdout)
		r := rand.New(rand.NewSource(seed))
		for i := 0; i < n; i++ {
			w.WriteString(telegrafLine(r, i))
			w.WriteByte('\n')
		}
		w.Flush()
	case "bench":
		runs, _ := strconv.Atoi(os.Args[3])
		bench(os.Args[2], runs)
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(64)
	}
}

func oracle(c testCase) (f fixture) {
	f.testCase = c
	input := c.Input
	if c.reference != "" && c.reference != c.Input {
		f.CRLF = true
		input = c.reference
	} else if strings.Contains(input, "\r\n") && !strings.Contains(input, "\"") {
		f.CRLF = true
		input = strings.ReplaceAll(input, "\r\n", "\n")
	}
	defer func() {
		if recover() != nil {
			f.Points = nil
			f.Errors = 0
			f.Panic = true
		}
	}()
	if points, errors, changed := lineByLine(input, c.Precision); changed {
		f.Points, f.Errors, f.LineByLine = points, errors, true
	} else {
		f.Points, f.Errors = answer(input, c.Precision)
	}
	return f
}

// answer is InfluxDB's answer for input: the points, and how many lines it rejects plus how many
// accepted points have fields that fail to decode.
func answer(input, precision string) ([]pointOut, int) {
	errors := 0
	pts, err := models.ParsePointsWithPrecision([]byte(input), time.Unix(0, defaultTime).UTC(), precision)
	if err != nil {
		errors = strings.Count(err.Error(), "unable to parse '")
	}
	points := []pointOut{}
	for _, p := range pts {
		if _, err := p.Fields(); err != nil {
			errors++
			continue
		}
		out := pointOut{Measurement: string(p.Name()), Tags: [][2]string{}, Fields: []fieldOut{}, Time: strconv.FormatInt(p.UnixNano(), 10)}
		for _, t := range p.Tags() {
			out.Tags = append(out.Tags, [2]string{string(t.Key), string(t.Value)})
		}
		it := p.FieldIterator()
		for it.Next() {
			if len(it.FieldKey()) == 0 {
				continue
			}
			fo := fieldOut{Key: string(it.FieldKey())}
			switch it.Type() {
			case models.Float:
				v, _ := it.FloatValue()
				fo.Type, fo.Value = "float", strconv.FormatFloat(v, 'g', -1, 64)
			case models.Integer:
				v, _ := it.IntegerValue()
				fo.Type, fo.Value = "integer", strconv.FormatInt(v, 10)
			case models.Unsigned:
				v, _ := it.UnsignedValue()
				fo.Type, fo.Value = "unsigned", strconv.FormatUint(v, 10)
			case models.String:
				fo.Type, fo.Value = "string", it.StringValue()
			case models.Boolean:
				v, _ := it.BooleanValue()
				fo.Type, fo.Value = "boolean", strconv.FormatBool(v)
			default:
				continue
			}
			out.Fields = append(out.Fields, fo)
		}
		points = append(points, out)
	}
	return points, errors
}

// lineByLine is InfluxDB's answer for each record of input, except that a record that spans
// lines (a quoted or escaped newline) and fails is answered line by line when one of its lines
// is a point with a field on its own, as alertrelay takes it. changed is false when input has no
// such record.
func lineByLine(input, precision string) (points []pointOut, errors int, changed bool) {
	buf := []byte(input)
	points = []pointOut{}
	for pos := 0; pos < len(buf); {
		end := scanLine(buf, pos)
		block := string(buf[pos:end])
		pos = end + 1
		p, e := answer(block, precision)
		if e > 0 && strings.Contains(block, "\n") {
			lp, le, usable := []pointOut{}, 0, false
			for _, line := range strings.Split(block, "\n") {
				a, b := answer(line, precision)
				for _, pt := range a {
					usable = usable || len(pt.Fields) > 0
				}
				lp, le = append(lp, a...), le+b
			}
			if usable {
				p, e, changed = lp, le, true
			}
		}
		points, errors = append(points, p...), errors+e
	}
	return points, errors, changed
}

// scanLine is InfluxDB's models.scanLine (unexported there): the end of the record at i, the
// next newline neither escaped nor inside a quoted field value.
func scanLine(buf []byte, i int) int {
	quoted, fields := false, false
	equals, commas := 0, 0
	for i < len(buf) {
		if buf[i] == '\\' && i+2 < len(buf) {
			i += 2
			continue
		}
		if buf[i] == ' ' {
			fields = true
		}
		if fields {
			if !quoted && buf[i] == '=' {
				i++
				equals++
				continue
			} else if !quoted && buf[i] == ',' {
				i++
				commas++
				continue
			} else if buf[i] == '"' && equals > commas {
				i++
				quoted = !quoted
				continue
			}
		}
		if buf[i] == '\n' && !quoted {
			break
		}
		i++
	}
	return i
}

func writeFixtures() {
	var cases []testCase
	add := func(name, input, precision string) {
		cases = append(cases, testCase{Name: name, Input: input, Precision: precision})
	}
	for i, s := range handWritten {
		add(fmt.Sprintf("rule-%03d", i), s, "n")
	}
	for i, s := range precisionCases {
		for _, p := range []string{"n", "u", "ms", "s", "m", "h"} {
			add(fmt.Sprintf("precision-%02d-%s", i, p), s, p)
		}
	}
	for i, s := range pointsTestLiterals() {
		add(fmt.Sprintf("points_test-%03d", i), s, "n")
	}
	r := rand.New(rand.NewSource(20261127))
	for i := 0; i < 300; i++ {
		add(fmt.Sprintf("telegraf-%03d", i), telegrafLine(r, i), "n")
	}
	for i := 0; i < 40; i++ {
		var b, ref strings.Builder
		for j := 0; j < 2+r.Intn(6); j++ {
			line := telegrafLine(r, j)
			b.WriteString(line)
			ref.WriteString(line)
			sep := []string{"\n", "\n", "\n\n", "\n# comment\n", "\r\n"}[r.Intn(5)]
			b.WriteString(sep)
			ref.WriteString(strings.ReplaceAll(sep, "\r\n", "\n"))
		}
		cases = append(cases, testCase{Name: fmt.Sprintf("telegraf-batch-%02d", i), Input: b.String(), Precision: "n", reference: ref.String()})
	}
	// Mutations: one byte inserted, replaced or deleted in a valid line.
	special := []byte(" ,=\"\\\n\t#tTfFiue.-+0123456789NaxX\r")
	for i := 0; i < 900; i++ {
		base := []byte(telegrafLine(r, i))
		if i%3 == 0 {
			base = []byte(handWritten[r.Intn(len(handWritten))])
		}
		if len(base) == 0 {
			continue
		}
		pos := r.Intn(len(base))
		c := special[r.Intn(len(special))]
		var m []byte
		switch r.Intn(3) {
		case 0:
			m = append(append(append([]byte{}, base[:pos]...), c), base[pos:]...)
		case 1:
			m = append([]byte{}, base...)
			m[pos] = c
		default:
			m = append(append([]byte{}, base[:pos]...), base[pos+1:]...)
		}
		add(fmt.Sprintf("mutation-%03d", i), string(m), "n")
	}
	w := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	seen := map[string]bool{}
	for _, c := range cases {
		key := c.Precision + "\x00" + c.Input
		if seen[key] {
			continue
		}
		seen[key] = true
		if err := enc.Encode(oracle(c)); err != nil {
			panic(err)
		}
	}
	w.Flush()
}

// pointsTestLiterals are the string literals of InfluxDB's own models/points_test.go.
func pointsTestLiterals() []string {
	path := "/usr/share/gocode/src/github.com/influxdata/influxdb/models/points_test.go"
	file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		panic(err)
	}
	var out []string
	seen := map[string]bool{}
	ast.Inspect(file, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		// Error messages quoting a line would confuse the count of rejected lines.
		if err != nil || len(s) > 4000 || seen[s] || !(strings.ContainsAny(s, " =")) || strings.Contains(s, "unable to parse '") {
			return true
		}
		seen[s] = true
		out = append(out, s)
		return true
	})
	sort.Strings(out)
	return out
}

var measurements = []string{"cpu", "mem", "disk", "net", "system", "diskio", "processes", "swap", "kernel", "docker_container_cpu"}
var tagKeys = []string{"host", "region", "dc", "cpu", "device", "fstype", "interface", "path", "mode", "container_name", "env"}
var fieldKeys = []string{"usage_idle", "usage_user", "usage_system", "used_percent", "free", "total", "bytes_sent", "bytes_recv", "load1", "load5", "n_cpus", "uptime_format", "reads", "writes", "io_time", "errin", "dropout", "status", "healthy"}

func telegrafLine(r *rand.Rand, i int) string {
	var b strings.Builder
	b.WriteString(measurements[r.Intn(len(measurements))])
	keys := append([]string{}, tagKeys...)
	r.Shuffle(len(keys), func(a, c int) { keys[a], keys[c] = keys[c], keys[a] })
	for _, k := range keys[:3+r.Intn(4)] {
		b.WriteString("," + k + "=")
		switch r.Intn(12) {
		case 0:
			b.WriteString(`my\ server`)
		case 1:
			b.WriteString(`a\,b`)
		case 2:
			b.WriteString(`x\=y`)
		default:
			b.WriteString(fmt.Sprintf("%s-%02d", k, r.Intn(60)))
		}
	}
	b.WriteByte(' ')
	fks := append([]string{}, fieldKeys...)
	r.Shuffle(len(fks), func(a, c int) { fks[a], fks[c] = fks[c], fks[a] })
	for j, k := range fks[:5+r.Intn(6)] {
		if j > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k + "=")
		switch r.Intn(10) {
		case 0, 1, 2, 3:
			b.WriteString(strconv.FormatFloat(r.Float64()*100, 'f', 1+r.Intn(10), 64))
		case 4, 5:
			b.WriteString(strconv.Itoa(r.Intn(1 << 30)) + "i")
		case 6:
			b.WriteString(strconv.FormatUint(uint64(r.Int63()), 10) + "u")
		case 7:
			b.WriteString(`"up 3 days, 4:05"`)
		case 8:
			b.WriteString([]string{"t", "true", "F", "false", "TRUE", "False"}[r.Intn(6)])
		default:
			b.WriteString(strconv.FormatFloat((r.Float64()-0.5)*1e12, 'e', 3, 64))
		}
	}
	if r.Intn(5) > 0 {
		b.WriteString(" " + strconv.FormatInt(1700000000000000000+int64(i)*1000000000, 10))
	}
	return b.String()
}

func bench(path string, runs int) {
	buf, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	lines := bytes.Count(buf, []byte{'\n'})
	var rates []float64
	for run := 0; run < runs; run++ {
		start := time.Now()
		pts, err := models.ParsePointsWithPrecision(buf, time.Now(), "n")
		if err != nil {
			panic(err)
		}
		var sink int
		for _, p := range pts {
			sink += len(p.Name())
			for _, t := range p.Tags() {
				sink += len(t.Key) + len(t.Value)
			}
			fields, err := p.Fields()
			if err != nil {
				panic(err)
			}
			sink += len(fields)
			sink += int(p.UnixNano() & 1)
		}
		elapsed := time.Since(start).Seconds()
		rates = append(rates, float64(lines)/elapsed)
		_ = sink
	}
	sort.Float64s(rates)
	m := rates[len(rates)/2]
	fmt.Printf("%.0f %.1f\n", m, m*float64(len(buf))/float64(lines)/1e6)
}
