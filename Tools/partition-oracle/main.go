// Command partition-oracle records which partition Sarama (the Kafka client Kapacitor uses)
// picks for a set of keys and partition counts, for the hash partitioners alertrelay must match:
//
//	fnv-1a  : sarama.NewHashPartitioner            (Kapacitor partitionAlgorithm "fnv-1a")
//	murmur3 : sarama.NewCustomHashPartitioner(murmur3.New32)  (Kapacitor "murmur3")
//	crc32   : crc32.ChecksumIEEE(key) % n, Go's standard library (Kapacitor's "crc32" partitioner)
//
// Build with Debian's golang-go, golang-github-shopify-sarama-dev and
// golang-github-spaolacci-murmur3-dev in GOPATH mode; see generate.sh.
package main

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"os"

	"github.com/Shopify/sarama"
	"github.com/spaolacci/murmur3"
)

type vector struct {
	Algorithm  string `json:"algorithm"`
	Key        string `json:"key"`
	Partitions int32  `json:"partitions"`
	Partition  int32  `json:"partition"`
}

func keys() []string {
	ks := []string{"", "a", "ab", "abc", "abcd", "abcde", "hello", "hello2", "hello3", "hello4", "hello5",
		"cpu:nil", "cpu_alert:nil", "kafka-cpu-alert:nil", "cpu:host=server01", "cpu:cpu=cpu-total,host=web-1",
		"mem:host=db-7", "disk:device=sda1,host=a", "ünïcödé:ключ", "21", "foobar"}
	for i := 0; i < 200; i++ {
		ks = append(ks, fmt.Sprintf("alert-%d:host=server%03d", i*7919, i))
	}
	return ks
}

func main() {
	counts := []int32{1, 2, 3, 4, 7, 12, 100, 1000}
	var out []vector
	for _, k := range keys() {
		for _, n := range counts {
			msg := &sarama.ProducerMessage{Key: sarama.ByteEncoder([]byte(k))}
			p, err := sarama.NewHashPartitioner("t").Partition(msg, n)
			if err != nil {
				panic(err)
			}
			out = append(out, vector{"fnv-1a", k, n, p})
			p, err = sarama.NewCustomHashPartitioner(murmur3.New32)("t").Partition(msg, n)
			if err != nil {
				panic(err)
			}
			out = append(out, vector{"murmur3", k, n, p})
			if k != "" { // an empty key is placed at random by Kapacitor's crc32 partitioner
				out = append(out, vector{"crc32", k, n, int32(crc32.ChecksumIEEE([]byte(k)) % uint32(n))})
			}
		}
	}
	enc := json.NewEncoder(os.Stdout)
	for _, v := range out {
		if err := enc.Encode(v); err != nil {
			panic(err)
		}
	}
}
