// zlib (Debian zlib1g-dev) for gzip request bodies on HTTP /write.
#include <zlib.h>
