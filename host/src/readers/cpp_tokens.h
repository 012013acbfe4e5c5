// A C++ tokenizer for generated model sources: enough of the language to read declarations and
// their initialisers, with byte offsets so a patch can edit the text in place.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace eiota::host {

struct Token {
  enum Kind { kIdent, kNumber, kString, kChar, kPunct };
  Kind kind;
  std::string_view text;
  size_t begin;  // byte offset in the source
  size_t end;
  int line;
};

// Splits `src` into tokens. Comments and preprocessor directives produce no tokens; of each
// #if/#ifdef/#ifndef chain only the first branch is kept, so brace nesting stays balanced.
// Throws std::runtime_error naming `what` and the line on malformed input.
std::vector<Token> tokenize(std::string_view src, const std::string& what);

// The preprocessor `#define NAME value` lines of a header, as (name, value text) pairs.
std::vector<std::pair<std::string, std::string>> read_defines(std::string_view src);

}  // namespace eiota::host
