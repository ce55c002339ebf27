package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
)

// tValJSON is the part of Go's exec_test.go tVal that JSON data can hold, under the same names
// (methods, funcs, pointers and typed maps have no JSON form; templates using them fail the same
// way in both engines, and those errors are compared too).
const tValJSON = `{"True":true,"I":17,"U16":{"$uint":16},"X":"x","S":"xyz","U":{"V":"v"},"V0":{"j":6666},"V1":{"j":7777},
"W0":{"k":888},"W1":{"k":999},"SI":[3,4,5],"SICap":[0,0,0,0,0],"AI":[3,4,5],"SB":[true,false],
"MSI":{"one":1,"two":2,"three":3},"MSIone":{"one":1},"MSIEmpty":{},"SMSI":[{"one":1,"two":2},{"eleven":11,"twelve":12}],
"Empty0":null,"Empty1":3,"Empty2":"empty2","Empty3":[7,8],"Empty4":{"V":"UinEmpty"},"NonEmptyInterface":{"X":"x"},
"Str":"foozle","PI":23,"PS":"a string","PSI":[21,22,23],"FloatZero":{"$float":0},"IntZero":0,"StrZero":""}`

// execTableInputs are the template inputs of Go's own execTests table.
func execTableInputs() []string {
	f, err := parser.ParseFile(token.NewFileSet(), "/usr/lib/go-1.19/src/text/template/exec_test.go", nil, 0)
	if err != nil {
		panic(err)
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "execTests" || len(vs.Values) != 1 {
			return true
		}
		for _, e := range vs.Values[0].(*ast.CompositeLit).Elts {
			c, ok := e.(*ast.CompositeLit)
			if !ok || len(c.Elts) < 2 {
				continue
			}
			if lit, ok := c.Elts[1].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					out = append(out, s)
				}
			}
		}
		return false
	})
	return out
}

func execTableCases() []execCase {
	var out []execCase
	for i, input := range execTableInputs() {
		out = append(out, execOne(execCase{Name: fmt.Sprintf("exec_test-%03d", i), Template: input, Data: tValJSON}))
	}
	return out
}
