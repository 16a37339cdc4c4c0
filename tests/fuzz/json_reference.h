// A plain recursive-descent JSON checker, written from RFC 8259 and the
// contract in core/json_reader.h, so keel_json_fuzz can tell whether
// core::JsonReader accepted exactly the bodies it should. Slow and simple
// on purpose: it shares no code with simdjson or Keel.
#pragma once

#include <string_view>

namespace keel::fuzz {

// True when `text` is one JSON object (surrounded by optional whitespace)
// that JsonReader must accept: strict RFC 8259 syntax, well-formed UTF-8,
// no lone surrogate escapes, every number finite as a double, and objects
// and arrays nested at most `max_nesting` deep (the top level is 1).
bool IsAcceptableJsonObject(std::string_view text, int max_nesting);

}  // namespace keel::fuzz
