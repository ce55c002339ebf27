// The system libyaml (Debian libyaml-dev, pkg-config yaml-0.1): rule and handler files are read
// with it, so Debian's security updates to libyaml reach the relay.
#include <yaml.h>
