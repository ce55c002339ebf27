#!/usr/bin/env python3
"""What the image adds over Debian minbase: the Dockerfile's runtime packages and everything they
depend on that minbase (the required packages and apt) does not already carry, by dpkg's
Installed-Size (KiB), read from the root's /var/lib/dpkg/status.

usage: runtime-size.py ROOTFS PKG,PKG,...   prints "KIB pkg:kib pkg:kib ..."
"""
import re
import sys


def packages(root):
    out = {}
    with open(root + "/var/lib/dpkg/status", encoding="utf-8") as f:
        for para in f.read().split("\n\n"):
            fields = dict(m.groups() for m in re.finditer(r"^([A-Za-z-]+): ?(.*)$", para, re.M))
            if "Package" not in fields or "installed" not in fields.get("Status", ""):
                continue
            deps = []
            for field in ("Depends", "Pre-Depends"):
                for alternatives in fields.get(field, "").split(","):
                    names = [re.sub(r"[ (:].*", "", a.strip()) for a in alternatives.split("|") if a.strip()]
                    if names:
                        deps.append(names)
            out[fields["Package"]] = (fields.get("Priority", ""), int(fields.get("Installed-Size", "0")), deps)
    return out


def closure(pk, start):
    seen, todo = set(), list(start)
    while todo:
        p = todo.pop()
        if p in seen or p not in pk:
            continue
        seen.add(p)
        for alternatives in pk[p][2]:
            installed = [a for a in alternatives if a in pk]
            todo.extend(installed[:1])  # the first installed alternative is the one that satisfies it
    return seen


def main():
    root, wanted = sys.argv[1], sys.argv[2].split(",")
    pk = packages(root)
    minbase = closure(pk, [p for p, v in pk.items() if v[0] == "required"] + ["apt"])
    extra = sorted(closure(pk, wanted) - minbase)
    print(sum(pk[p][1] for p in extra), " ".join(f"{p}:{pk[p][1]}" for p in extra))


if __name__ == "__main__":
    main()
