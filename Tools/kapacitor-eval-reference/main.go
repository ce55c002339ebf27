// kapacitor-eval-reference: the per-point work of Kapacitor's alert node, built from Kapacitor's
// own tick/ast and tick/stateful packages: for each point, the rules of its measurement; per rule
// the group ID (models.ToGroupID), the group's state, EvalPredicate (scope fill + EvalBool) with
// alert.go's determineLevel, the history ring, and for each event the id/message text templates
// and the html/template details with `json`. Kapacitor's edge/channel plumbing is left out, so
// this is a lower bound on Kapacitor's cost. Same rules and points as Benchmarks' RuleBenchmark.
//
// usage: kapacitor-eval-reference RULES ALERT_SHARE   prints "evaluations/s E events/s V"
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	html "html/template"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"strings"
	text "text/template"
	"time"

	"github.com/influxdata/kapacitor/tick/ast"
	"github.com/influxdata/kapacitor/tick/stateful"
)

type point struct {
	name   string
	tags   map[string]string
	fields map[string]interface{}
	time   time.Time
}

type level int

func (l level) String() string { return [...]string{"OK", "INFO", "WARNING", "CRITICAL"}[l] }

type rule struct {
	id          string
	levels      [4]stateful.Expression
	pools       [4]stateful.ScopePool
	dims        []string
	groups      map[string]*state
	idTmpl      *text.Template
	messageTmpl *text.Template
	detailsTmpl *html.Template
	changesOnly bool
}

type state struct {
	history []level
	idx     int
	changed bool
}

func (s *state) addEvent(l level) {
	s.changed = s.history[s.idx] != l
	s.idx = (s.idx + 1) % len(s.history)
	s.history[s.idx] = l
}

func compile(expr string) (stateful.Expression, stateful.ScopePool) {
	lambda, err := ast.ParseLambda(expr)
	if err != nil {
		panic(err)
	}
	se, err := stateful.NewExpression(lambda.Expression)
	if err != nil {
		panic(err)
	}
	return se, stateful.NewScopePool(ast.FindReferenceVariables(lambda.Expression))
}

// EvalPredicate and fillScope from Kapacitor's expr.go.
func evalPredicate(se stateful.Expression, pool stateful.ScopePool, p *point) (bool, error) {
	vars := pool.Get()
	defer pool.Put(vars)
	for _, name := range pool.ReferenceVariables() {
		if v, ok := p.fields[name]; ok {
			vars.Set(name, v)
		} else if v, ok := p.tags[name]; ok {
			vars.Set(name, v)
		} else {
			vars.Set(name, ast.MissingValue)
		}
	}
	if _, err := se.Type(vars); err != nil {
		return false, err
	}
	return se.EvalBool(vars)
}

func (r *rule) determineLevel(p *point, current level) level {
	for l := 3; l > int(current)-1 && l > 0; l-- {
		if r.levels[l] == nil {
			continue
		}
		if pass, err := evalPredicate(r.levels[l], r.pools[l], p); err == nil && pass {
			return level(l)
		}
	}
	for l := int(current); l > 0; l-- {
		if r.levels[l] == nil {
			continue
		}
		if pass, err := evalPredicate(r.levels[l], r.pools[l], p); err == nil && pass {
			return level(l)
		}
	}
	return 0
}

func groupID(p *point, dims []string) string {
	var b strings.Builder
	for i, d := range dims {
		if i != 0 {
			b.WriteRune(',')
		}
		b.WriteString(d)
		b.WriteRune('=')
		b.WriteString(p.tags[d])
	}
	return b.String()
}

type idInfo struct {
	Name, TaskName, Group string
	Tags                  map[string]string
}

type messageInfo struct {
	idInfo
	ID       string
	Fields   map[string]interface{}
	Level    string
	Time     time.Time
	Duration time.Duration
}

type detailsInfo struct {
	messageInfo
	Message string
}

var events int

func (r *rule) point(p *point) {
	g := groupID(p, r.dims)
	s := r.groups[g]
	if s == nil {
		s = &state{history: make([]level, 21)}
		r.groups[g] = s
	}
	l := r.determineLevel(p, s.history[s.idx])
	s.addEvent(l)
	if r.changesOnly && !s.changed {
		return
	}
	if l == 0 && !s.changed {
		return
	}
	var buf bytes.Buffer
	ii := idInfo{Name: p.name, TaskName: r.id, Group: g, Tags: p.tags}
	r.idTmpl.Execute(&buf, ii)
	id := buf.String()
	buf.Reset()
	mi := messageInfo{idInfo: ii, ID: id, Fields: p.fields, Level: l.String(), Time: p.time}
	r.messageTmpl.Execute(&buf, mi)
	msg := buf.String()
	buf.Reset()
	r.detailsTmpl.Execute(&buf, detailsInfo{messageInfo: mi, Message: msg})
	events++
}

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	share, _ := strconv.ParseFloat(os.Args[2], 64)
	byName := map[string][]*rule{}
	for i := 0; i < n; i++ {
		r := &rule{id: fmt.Sprintf("rule-%d", i), dims: []string{"host"}, groups: map[string]*state{}, changesOnly: true}
		r.levels[2], r.pools[2] = compile(`"value" > 80`)
		r.levels[3], r.pools[3] = compile(`"value" > 90`)
		r.idTmpl = text.Must(text.New("id").Parse("{{ .Name }}:{{ .Group }}"))
		r.messageTmpl = text.Must(text.New("message").Parse("{{ .ID }} is {{ .Level }}"))
		r.detailsTmpl = html.Must(html.New("details").Funcs(html.FuncMap{"json": func(v interface{}) (html.JS, error) {
			b, err := json.Marshal(v)
			return html.JS(b), err
		}}).Parse("{{ json . }}"))
		sort.Strings(r.dims)
		name := fmt.Sprintf("m%d", i%100)
		byName[name] = append(byName[name], r)
	}
	rng := rand.New(rand.NewSource(42))
	points := make([]point, 1000000)
	for i := range points {
		v := rng.Float64() * 70
		if rng.Float64() < share {
			v = 80 + rng.Float64()*20
		}
		points[i] = point{name: fmt.Sprintf("m%d", i%100),
			tags:   map[string]string{"host": fmt.Sprintf("host-%d", i/100%10), "region": "eu"},
			fields: map[string]interface{}{"value": v, "other": int64(i)},
			time:   time.Unix(0, int64(i)*1000000)}
	}
	evaluations := 0
	passes := 0
	events = 0
	start := time.Now()
	for time.Since(start) < time.Second {
		for i := range points {
			for _, r := range byName[points[i].name] {
				r.point(&points[i])
				evaluations++
			}
		}
		passes++
	}
	secs := time.Since(start).Seconds()
	fmt.Printf("%.0f %.0f %.0f\n", float64(evaluations)/secs, float64(passes*len(points))/secs, float64(events)/secs)
}
