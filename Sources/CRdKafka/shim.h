// The one place librdkafka's C API enters Swift. KafkaDispatch is its only user.
#ifndef ALERTRELAY_CRDKAFKA_SHIM_H
#define ALERTRELAY_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
// mallopt, for the heap settings group mode's consumers run with (KafkaConsumerHeap.swift):
// Swift's Glibc module leaves malloc.h out.
#include <malloc.h>
#endif
