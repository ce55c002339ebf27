// The one place librdkafka's C API enters Swift. KafkaDispatch is its only user.
#ifndef ALERTRELAY_CRDKAFKA_SHIM_H
#define ALERTRELAY_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#endif
