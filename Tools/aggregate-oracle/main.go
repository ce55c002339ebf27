// Command aggregate-oracle runs InfluxDB 1.6.7's own InfluxQL reducers (the query package Debian
// ships; Kapacitor's InfluxQL node runs the same reducers) over random windows and prints one JSON
// line per case: the function, the field type, the window's values and times, and what the
// reducer emits (value, and for selectors the chosen point's index). The AlertRules tests compare
// AggregateFunction with it.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"strconv"

	"github.com/influxdata/influxdb/query"
)

type out struct {
	Fn         string   `json:"fn"`
	Percentile float64  `json:"percentile,omitempty"`
	Type       string   `json:"type"`
	Values     []string `json:"values"`
	Times      []int64  `json:"times"`
	Result     *string  `json:"result"`
	ResultType string   `json:"resultType,omitempty"`
	Index      int      `json:"index"`
}

func f(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

type floatReducer interface {
	query.FloatPointAggregator
	query.FloatPointEmitter
}

type intReducer interface {
	query.IntegerPointAggregator
	query.IntegerPointEmitter
}

func main() {
	rng := rand.New(rand.NewSource(20261201))
	enc := json.NewEncoder(os.Stdout)
	fns := []string{"count", "sum", "mean", "median", "mode", "spread", "stddev", "min", "max", "first", "last", "percentile"}
	for i := 0; i < 3000; i++ {
		fn := fns[i%len(fns)]
		isInt := (i/len(fns))%2 == 1
		n := 1 + rng.Intn(40)
		if fn == "mode" || fn == "percentile" || fn == "median" {
			// Go sorts at most 12 elements by insertion (stable), as the tests do for any size.
			n = 1 + rng.Intn(12)
		}
		distinct := 1 + rng.Intn(8)
		o := out{Fn: fn, Type: "float", Index: -1}
		if isInt {
			o.Type = "integer"
		}
		p := 0.0
		if fn == "percentile" {
			p = []float64{0, 1, 5, 25, 50, 75, 90, 95, 99, 100, 33.3}[rng.Intn(11)]
			o.Percentile = p
		}
		var fpts []query.FloatPoint
		var ipts []query.IntegerPoint
		t := int64(0)
		for k := 0; k < n; k++ {
			if rng.Intn(4) != 0 {
				t += int64(1 + rng.Intn(3))
			}
			o.Times = append(o.Times, t)
			if isInt {
				v := int64(rng.Intn(distinct)*7 - 20)
				if rng.Intn(10) == 0 {
					v = rng.Int63() - rng.Int63()
				}
				ipts = append(ipts, query.IntegerPoint{Time: t, Value: v, Aux: []interface{}{k}})
				o.Values = append(o.Values, strconv.FormatInt(v, 10))
			} else {
				v := float64(rng.Intn(distinct))*1.25 - 3.5
				if rng.Intn(5) == 0 {
					v = rng.NormFloat64() * 1e3
				}
				fpts = append(fpts, query.FloatPoint{Time: t, Value: v, Aux: []interface{}{k}})
				o.Values = append(o.Values, f(v))
			}
		}
		var res []interface{}
		if isInt {
			var r intReducer
			var rf interface {
				query.IntegerPointAggregator
				query.FloatPointEmitter
			}
			switch fn {
			case "count":
				r = query.NewIntegerFuncReducer(query.IntegerCountReduce, &query.IntegerPoint{Value: 0})
			case "sum":
				r = query.NewIntegerFuncReducer(query.IntegerSumReduce, &query.IntegerPoint{Value: 0})
			case "mean":
				rf = query.NewIntegerMeanReducer()
			case "median":
				rf = query.NewIntegerSliceFuncFloatReducer(query.IntegerMedianReduceSlice)
			case "mode":
				r = query.NewIntegerSliceFuncReducer(query.IntegerModeReduceSlice)
			case "spread":
				r = query.NewIntegerSpreadReducer()
			case "stddev":
				rf = query.NewIntegerSliceFuncFloatReducer(query.IntegerStddevReduceSlice)
			case "min":
				r = query.NewIntegerFuncReducer(query.IntegerMinReduce, nil)
			case "max":
				r = query.NewIntegerFuncReducer(query.IntegerMaxReduce, nil)
			case "first":
				r = query.NewIntegerFuncReducer(query.IntegerFirstReduce, nil)
			case "last":
				r = query.NewIntegerFuncReducer(query.IntegerLastReduce, nil)
			case "percentile":
				r = query.NewIntegerSliceFuncReducer(query.NewIntegerPercentileReduceSliceFunc(p))
			}
			for k := range ipts {
				pt := ipts[k]
				if r != nil {
					r.AggregateInteger(&pt)
				} else {
					rf.AggregateInteger(&pt)
				}
			}
			if r != nil {
				for _, e := range r.Emit() {
					res = append(res, e)
				}
			} else {
				for _, e := range rf.Emit() {
					res = append(res, e)
				}
			}
		} else {
			var r floatReducer
			var ri interface {
				query.FloatPointAggregator
				query.IntegerPointEmitter
			}
			switch fn {
			case "count":
				ri = query.NewFloatFuncIntegerReducer(query.FloatCountReduce, &query.IntegerPoint{Value: 0})
			case "sum":
				r = query.NewFloatFuncReducer(query.FloatSumReduce, &query.FloatPoint{Value: 0})
			case "mean":
				r = query.NewFloatMeanReducer()
			case "median":
				r = query.NewFloatSliceFuncReducer(query.FloatMedianReduceSlice)
			case "mode":
				r = query.NewFloatSliceFuncReducer(query.FloatModeReduceSlice)
			case "spread":
				r = query.NewFloatSpreadReducer()
			case "stddev":
				r = query.NewFloatSliceFuncReducer(query.FloatStddevReduceSlice)
			case "min":
				r = query.NewFloatFuncReducer(query.FloatMinReduce, nil)
			case "max":
				r = query.NewFloatFuncReducer(query.FloatMaxReduce, nil)
			case "first":
				r = query.NewFloatFuncReducer(query.FloatFirstReduce, nil)
			case "last":
				r = query.NewFloatFuncReducer(query.FloatLastReduce, nil)
			case "percentile":
				r = query.NewFloatSliceFuncReducer(query.NewFloatPercentileReduceSliceFunc(p))
			}
			for k := range fpts {
				pt := fpts[k]
				if r != nil {
					r.AggregateFloat(&pt)
				} else {
					ri.AggregateFloat(&pt)
				}
			}
			if r != nil {
				for _, e := range r.Emit() {
					res = append(res, e)
				}
			} else {
				for _, e := range ri.Emit() {
					res = append(res, e)
				}
			}
		}
		if len(res) == 1 {
			var s string
			switch e := res[0].(type) {
			case query.FloatPoint:
				if math.IsNaN(e.Value) {
					s = "NaN"
				} else {
					s = f(e.Value)
				}
				o.ResultType = "float"
				if len(e.Aux) == 1 {
					o.Index = e.Aux[0].(int)
				}
			case query.IntegerPoint:
				s = strconv.FormatInt(e.Value, 10)
				o.ResultType = "integer"
				if len(e.Aux) == 1 {
					o.Index = e.Aux[0].(int)
				}
			}
			o.Result = &s
		}
		if err := enc.Encode(o); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
