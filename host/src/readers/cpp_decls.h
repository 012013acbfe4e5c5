// Namespace-level declarations of a generated C++ file: variables with their brace
// initialisers, and function definitions, each with its token span.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cpp_tokens.h"

namespace eiota::host {

// One initialiser: either a braced list of items or an expression (a token range).
struct Init {
  bool is_list = false;
  std::vector<Init> items;   // is_list
  size_t first = 0, last = 0;  // token index range [first, last), braces included for a list

  // The tokens joined with single spaces.
  std::string text(const std::vector<Token>& toks) const;
};

struct Decl {
  enum Kind { kVariable, kFunction, kOther };
  Kind kind = kOther;
  std::string name;
  std::string ns;                 // enclosing named namespaces, "g0" or "" (anonymous ones omitted)
  size_t first = 0, last = 0;     // token range [first, last), last is past ';' or '}'
  size_t name_tok = 0;
  std::vector<size_t> array_dims_first;  // token index after each '[' following the name
  size_t eq_tok = 0;              // kVariable with initialiser: index of '='
  bool has_init = false;
  Init init;
  size_t body_open = 0;           // kFunction: index of the body's '{'

  bool spec_has(const std::vector<Token>& toks, std::string_view word) const;
};

struct Source {
  std::string path;               // for messages
  std::shared_ptr<const std::string> owned;  // tokens point into it, so moving a Source is safe
  std::string_view text;
  std::vector<Token> toks;
  std::vector<Decl> decls;

  const Decl* find(std::string_view name) const;  // first declaration of that name
  std::string where(size_t tok) const;            // "path:line"
};

// Tokenizes and splits `text`. Throws std::runtime_error naming `path` on malformed input.
Source parse_source(std::string path, std::string text);

}  // namespace eiota::host
