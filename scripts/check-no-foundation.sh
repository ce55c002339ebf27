#!/usr/bin/env bash
# Fails when BINARY links Foundation or ICU (issue 20: the full Foundation with its ICU data is
# ~70 MB of the image; every target imports FoundationEssentials only). Looks at the symbol table
# (`nm`, so BINARY must not be stripped) and, for a dynamic binary, at the libraries it loads;
# names what it found. Run by scripts/test.sh (every CI run, on the debug build) and by
# Deploy/verify-image.sh (on the release build the image ships, before it is stripped).
# usage: scripts/check-no-foundation.sh BINARY
set -euo pipefail
binary=$1
symbols=$(nm "$binary" 2>/dev/null | awk '{ print $NF }') || true
if [ -z "$symbols" ]; then
  echo "FAIL: $binary has no symbol table (stripped?): check the binary before strip" >&2; exit 2
fi
# $s10Foundation…: Foundation's Swift symbols; …Internationalization…: FoundationInternationalization's
# (its own module and its extensions of FoundationEssentials' types); icu_76::…, ucol_open_76,
# icudt76_dat: ICU's C++ and C API and its data.
found=$(printf '%s\n' "$symbols" \
  | grep -E '^\$s10Foundation|^\$s26FoundationInternationalization|0A20InternationalizationE|^_ZN?K?6icu_[0-9]+|^icudt[0-9]+_dat$|^u[a-z]+_[A-Za-z0-9]+_[0-9]{2}$' \
  | sort -u || true)
libraries=$(ldd "$binary" 2>/dev/null | grep -E 'lib(Foundation|FoundationInternationalization|_FoundationICU|icu[a-z]*)[.-]' | awk '{ print $1 }' || true)
if [ -n "$found" ] || [ -n "$libraries" ]; then
  echo "FAIL: $binary links Foundation or ICU:" >&2
  [ -z "$libraries" ] || echo "  libraries: $(echo $libraries)" >&2
  if [ -n "$found" ]; then
    echo "  $(printf '%s\n' "$found" | wc -l) symbols, first:" >&2
    printf '%s\n' "$found" | head -5 | while read -r s; do
      echo "    $s  ($(printf '%s' "$s" | swift demangle --compact 2>/dev/null | cut -c1-120))" >&2
    done
  fi
  echo "  A call that resolves to Foundation (String.contains(\"x\"), range(of:), components(separatedBy:)," >&2
  echo "  String(format:)) or an 'import Foundation' brings it in; link with -Xlinker --why-extract=FILE to see which." >&2
  exit 1
fi
echo "no Foundation or ICU symbol in $binary"
