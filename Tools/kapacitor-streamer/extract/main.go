package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"strconv"
	"strings"
	"time"
)

var fset = token.NewFileSet()
var src []byte
var lastScript string

func text(n ast.Node) string {
	var b bytes.Buffer
	printer.Fprint(&b, fset, n)
	return b.String()
}

// raw JSON builder
type raw = json.RawMessage

func js(v interface{}) raw { b, _ := json.Marshal(v); return b }

var durUnits = map[string]int64{"Nanosecond": 1, "Microsecond": 1000, "Millisecond": 1e6, "Second": 1e9, "Minute": 60e9, "Hour": 3600e9}

// evalNum tries constant evaluation. returns value as float64 and whether float
func evalNum(e ast.Expr) (float64, bool, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind == token.INT {
			v, err := strconv.ParseInt(x.Value, 0, 64)
			return float64(v), false, err == nil
		}
		if x.Kind == token.FLOAT {
			v, err := strconv.ParseFloat(x.Value, 64)
			return v, true, err == nil
		}
	case *ast.ParenExpr:
		return evalNum(x.X)
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok && id.Name == "time" {
			if u, ok := durUnits[x.Sel.Name]; ok {
				return float64(u), false, true
			}
		}
	case *ast.UnaryExpr:
		if x.Op == token.SUB {
			v, f, ok := evalNum(x.X)
			return -v, f, ok
		}
	case *ast.BinaryExpr:
		a, fa, oka := evalNum(x.X)
		b, fb, okb := evalNum(x.Y)
		if !oka || !okb {
			return 0, false, false
		}
		f := fa || fb
		switch x.Op {
		case token.ADD:
			return a + b, f, true
		case token.SUB:
			return a - b, f, true
		case token.MUL:
			return a * b, f, true
		case token.QUO:
			if !f {
				return float64(int64(a) / int64(b)), f, true
			}
			return a / b, f, true
		}
	case *ast.CallExpr:
		if fn := text(x.Fun); len(x.Args) == 1 {
			v, f, ok := evalNum(x.Args[0])
			switch fn {
			case "float64", "float32":
				return v, true, ok
			case "int", "int64", "int32", "uint", "uint64", "time.Duration":
				return v, false, ok
			}
			_ = f
		}
	}
	return 0, false, false
}

func numJSON(v float64, isFloat bool) raw {
	if !isFloat {
		return raw(strconv.FormatInt(int64(v), 10))
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return raw(s)
}

var levels = map[string]string{"OK": "OK", "Info": "INFO", "Warning": "WARNING", "Critical": "CRITICAL"}

func conv(e ast.Expr) raw {
	switch x := e.(type) {
	case *ast.BasicLit:
		switch x.Kind {
		case token.STRING, token.CHAR:
			s, _ := strconv.Unquote(x.Value)
			return js(s)
		}
	case *ast.Ident:
		switch x.Name {
		case "true", "false", "nil":
			if x.Name == "nil" {
				return raw("null")
			}
			return raw(x.Name)
		}
		return js(map[string]string{"$ident": x.Name})
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok && id.Name == "alert" {
			if l, ok := levels[x.Sel.Name]; ok {
				return js(l)
			}
		}
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			return conv(x.X)
		}
	case *ast.CallExpr:
		fn := text(x.Fun)
		if fn == "time.Date" && len(x.Args) == 8 {
			var a [7]int
			okall := true
			for i := 0; i < 7; i++ {
				v, _, ok := evalNum(x.Args[i])
				if !ok {
					okall = false
				}
				a[i] = int(v)
			}
			if okall && text(x.Args[7]) == "time.UTC" {
				t := time.Date(a[0], time.Month(a[1]), a[2], a[3], a[4], a[5], a[6], time.UTC)
				return js(t.Format(time.RFC3339Nano))
			}
		}
	case *ast.CompositeLit:
		return convComp(x, "")
	}
	if v, f, ok := evalNum(e); ok {
		return numJSON(v, f)
	}
	// string concat
	if s, ok := strExpr(e); ok {
		return js(s)
	}
	return js(map[string]string{"$expr": text(e)})
}

func strExpr(e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind == token.STRING {
			s, _ := strconv.Unquote(x.Value)
			return s, true
		}
	case *ast.BinaryExpr:
		if x.Op == token.ADD {
			a, oka := strExpr(x.X)
			b, okb := strExpr(x.Y)
			if oka && okb {
				return a + b, true
			}
			if oka || okb {
				if !oka {
					a = "{{" + text(x.X) + "}}"
				}
				if !okb {
					b = "{{" + text(x.Y) + "}}"
				}
				return a + b, true
			}
		}
	case *ast.ParenExpr:
		return strExpr(x.X)
	case *ast.Ident:
		if x.Name == "script" && lastScript != "" {
			return lastScript, true
		}
	case *ast.CallExpr:
		if text(x.Fun) == "fmt.Sprintf" && len(x.Args) >= 1 {
			f, ok := strExpr(x.Args[0])
			if !ok {
				return "", false
			}
			for _, a := range x.Args[1:] {
				i := strings.Index(f, "%")
				for i >= 0 && i+1 < len(f) && f[i+1] == '%' {
					j := strings.Index(f[i+2:], "%")
					if j < 0 { i = -1 } else { i = i + 2 + j }
				}
				if i < 0 || i+1 >= len(f) {
					break
				}
				f = f[:i] + "{{" + text(a) + "}}" + f[i+2:]
			}
			return f, true
		}
	}
	return "", false
}

type kv struct {
	k string
	v raw
}

func obj(kvs []kv) raw {
	var b bytes.Buffer
	b.WriteString("{")
	for i, p := range kvs {
		if i > 0 {
			b.WriteString(",")
		}
		b.Write(js(p.k))
		b.WriteString(":")
		b.Write(p.v)
	}
	b.WriteString("}")
	return b.Bytes()
}

func convComp(x *ast.CompositeLit, inherited string) raw {
	typ := inherited
	if x.Type != nil {
		typ = text(x.Type)
	}
	isMap := strings.HasPrefix(typ, "map[")
	isSlice := strings.HasPrefix(typ, "[]") || strings.HasPrefix(typ, "[")
	if !isMap && !isSlice && typ != "" && len(x.Elts) > 0 {
		if _, ok := x.Elts[0].(*ast.KeyValueExpr); !ok {
			isSlice = true // e.g. models.Rows{...}
		}
	}
	if typ == "models.Rows" || typ == "models.Fields" || typ == "models.Tags" {
		// Rows is slice; Fields/Tags are maps
		isSlice = typ == "models.Rows"
		isMap = !isSlice
	}
	elemType := ""
	if isSlice && strings.HasPrefix(typ, "[]") {
		elemType = typ[2:]
	}
	if typ == "models.Rows" {
		elemType = "models.Row"
	}
	if isMap {
		if i := strings.Index(typ, "]"); i > 0 {
			elemType = typ[i+1:]
		}
	}
	if isSlice {
		var parts []string
		for _, el := range x.Elts {
			var r raw
			if c, ok := el.(*ast.CompositeLit); ok {
				r = convComp(c, elemType)
			} else if u, ok := el.(*ast.UnaryExpr); ok && u.Op == token.AND {
				if c, ok := u.X.(*ast.CompositeLit); ok {
					r = convComp(c, elemType)
				} else {
					r = conv(el)
				}
			} else {
				r = conv(el)
			}
			parts = append(parts, string(r))
		}
		return raw("[" + strings.Join(parts, ",") + "]")
	}
	var kvs []kv
	if !isMap && typ != "" && typ != "models.Row" && typ != "*models.Row" {
		kvs = append(kvs, kv{"$type", js(typ)})
	}
	for _, el := range x.Elts {
		p, ok := el.(*ast.KeyValueExpr)
		if !ok {
			kvs = append(kvs, kv{"$elem", conv(el)})
			continue
		}
		var k string
		if id, ok := p.Key.(*ast.Ident); ok && !isMap {
			k = id.Name
		} else if s, ok := strExpr(p.Key); ok {
			k = s
		} else {
			k = text(p.Key)
		}
		var v raw
		if c, ok := p.Value.(*ast.CompositeLit); ok {
			v = convComp(c, elemType)
		} else {
			v = conv(p.Value)
		}
		kvs = append(kvs, kv{k, v})
	}
	return obj(kvs)
}

type Lit struct {
	Var   string          `json:"var,omitempty"`
	Case  string          `json:"case,omitempty"`
	Type  string          `json:"type"`
	Line  int             `json:"line"`
	Value json.RawMessage `json:"value"`
}

type Test struct {
	Name     string   `json:"name"`
	Line     int      `json:"line"`
	Script   string   `json:"script"`
	Scripts  []string `json:"scripts,omitempty"`
	Calls    []string `json:"calls"`
	Checks   []string `json:"checks"`
	Lits     []Lit    `json:"lits"`
}

func main() {
	src, _ = os.ReadFile(os.Args[1])
	f, err := parser.ParseFile(fset, os.Args[1], src, 0)
	if err != nil {
		panic(err)
	}
	var out []Test
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || !strings.HasPrefix(fd.Name.Name, "Test") {
			continue
		}
		body := text(fd)
		if !strings.HasPrefix(fd.Name.Name, "TestStream_Alert") && !strings.Contains(body, "|alert()") {
			continue
		}
		lastScript = ""
		t := Test{Name: fd.Name.Name, Line: fset.Position(fd.Pos()).Line}
		// walk with stack
		var stack []ast.Node
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			stack = append(stack, n)
			switch x := n.(type) {
			case *ast.ValueSpec:
				for i, nm := range x.Names {
					if nm.Name == "script" && i < len(x.Values) {
						s, _ := strExpr(x.Values[i])
						t.Scripts = append(t.Scripts, s)
						lastScript = s
					}
				}
			case *ast.AssignStmt:
				for i, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == "script" && i < len(x.Rhs) {
						s, _ := strExpr(x.Rhs[i])
						t.Scripts = append(t.Scripts, s)
						lastScript = s
					}
				}
			case *ast.KeyValueExpr:
				if id, ok := x.Key.(*ast.Ident); ok && id.Name == "script" {
					s, _ := strExpr(x.Value)
					t.Scripts = append(t.Scripts, s)
				}
			case *ast.CallExpr:
				fn := text(x.Fun)
				if strings.HasPrefix(fn, "testStream") || fn == "fastForwardTask" {
					t.Calls = append(t.Calls, text(x))
				}
			case *ast.IfStmt:
				c := text(x.Cond)
				if !strings.Contains(c, "compare") && !strings.Contains(c, "err") {
					t.Checks = append(t.Checks, (func() string {
						if x.Init != nil {
							return text(x.Init) + "; " + c
						}
						return c
					})())
				}
			case *ast.CompositeLit:
				if x.Type == nil {
					return true
				}
				typ := text(x.Type)
				if strings.HasPrefix(typ, "map[string]map[") {
				} else if strings.HasPrefix(typ, "[]") || strings.HasPrefix(typ, "map[") || typ == "models.Rows" || strings.HasPrefix(typ, "struct") {
					if !strings.Contains(typ, "Test") && !strings.HasPrefix(typ, "[]") {
						return true
					}
				}
				if typ == "[]interface{}" || typ == "[][]interface{}" || typ == "[]string" {
					return true
				}
				l := Lit{Type: typ, Line: fset.Position(x.Pos()).Line, Value: convComp(x, "")}
				// find context
				for i := len(stack) - 2; i >= 0; i-- {
					switch p := stack[i].(type) {
					case *ast.CaseClause:
						if l.Case == "" {
							var cs []string
							for _, e := range p.List {
								cs = append(cs, text(e))
							}
							l.Case = strings.Join(cs, ",")
						}
					case *ast.AssignStmt:
						if l.Var == "" && len(p.Lhs) == 1 {
							l.Var = text(p.Lhs[0])
						}
					case *ast.ValueSpec:
						if l.Var == "" {
							l.Var = p.Names[0].Name
						}
					}
				}
				t.Lits = append(t.Lits, l)
				stack = stack[:len(stack)-1]
				return false // don't descend
			}
			return true
		})
		if len(t.Scripts) > 0 {
			t.Script = t.Scripts[len(t.Scripts)-1]
		}
		if len(t.Scripts) <= 1 {
			t.Scripts = nil
		}
		out = append(out, t)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	for _, t := range out {
		if err := enc.Encode(t); err != nil {
			fmt.Fprintln(os.Stderr, t.Name, err)
		}
	}
}
