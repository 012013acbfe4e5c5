#include "cpp_decls.h"

#include <stdexcept>

namespace eiota::host {
namespace {

// Generated sources nest initialisers a few levels deep (a struct of arrays of structs); a bound
// keeps the recursive list parser (and Init's recursive destructor) off the end of the stack.
constexpr int kMaxListDepth = 64;

bool is(const Token& t, std::string_view s) { return t.text == s; }

class Splitter {
 public:
  explicit Splitter(Source& src) : src_(src), t_(src.toks) {}

  void run() {
    while (i_ < t_.size()) {
      if (is(t_[i_], "namespace")) { open_namespace(); continue; }
      if (is(t_[i_], "extern") && i_ + 2 < t_.size() && t_[i_ + 1].kind == Token::kString &&
          is(t_[i_ + 2], "{")) {
        scopes_.push_back("");
        i_ += 3;
        continue;
      }
      if (is(t_[i_], "}")) {
        if (scopes_.empty()) error(i_, "unbalanced '}'");
        scopes_.pop_back();
        i_++;
        continue;
      }
      if (is(t_[i_], ";")) { i_++; continue; }
      declaration();
    }
    if (!scopes_.empty()) error(t_.size() - 1, "unclosed namespace");
  }

 private:
  [[noreturn]] void error(size_t k, const std::string& msg) const {
    throw std::runtime_error(src_.where(k) + ": " + msg);
  }

  std::string ns() const {
    std::string out;
    for (const auto& s : scopes_) {
      if (s.empty()) continue;
      if (!out.empty()) out += "::";
      out += s;
    }
    return out;
  }

  void open_namespace() {
    size_t k = i_ + 1;
    std::string name;
    if (k < t_.size() && t_[k].kind == Token::kIdent) name = std::string(t_[k++].text);
    if (k < t_.size() && is(t_[k], "{")) {
      scopes_.push_back(name);
      i_ = k + 1;
      return;
    }
    while (k < t_.size() && !is(t_[k], ";")) k++;  // using namespace / alias
    i_ = k + 1;
  }

  // Index just past the bracket that closes the one at `k`.
  size_t skip_group(size_t k) const {
    int depth = 0;
    for (; k < t_.size(); k++) {
      std::string_view s = t_[k].text;
      if (s == "(" || s == "[" || s == "{") depth++;
      if (s == ")" || s == "]" || s == "}") {
        if (--depth == 0) return k + 1;
      }
    }
    error(t_.size() - 1, "unbalanced brackets");
  }

  void declaration() {
    Decl d;
    d.first = i_;
    d.ns = ns();
    size_t k = i_;
    size_t last_ident = SIZE_MAX;
    while (k < t_.size()) {
      std::string_view s = t_[k].text;
      if (s == ";") { d.last = k + 1; break; }
      if (s == "=" && !d.has_init) {
        d.kind = Decl::kVariable;
        d.has_init = true;
        d.eq_tok = k;
        name_before(d, k, last_ident);
        k = parse_init(k + 1, &d.init);
        continue;
      }
      if (s == "{" && !d.has_init) {
        if (k > 0 && is(t_[k - 1], ")")) {  // a function body
          d.kind = Decl::kFunction;
          d.body_open = k;
          name_of_function(d, k);
          d.last = skip_group(k);
          break;
        }
        k = skip_group(k);  // struct / enum / class body
        continue;
      }
      if (s == "(" || s == "[") {
        if (s == "[" && last_ident != SIZE_MAX && d.array_dims_first.size() < 8 && !d.has_init)
          d.array_dims_first.push_back(k + 1);
        k = skip_group(k);
        continue;
      }
      if (t_[k].kind == Token::kIdent) last_ident = k;
      k++;
    }
    if (k >= t_.size()) error(d.first, "declaration without ';'");
    if (d.kind == Decl::kOther && d.last == 0) d.last = k + 1;
    i_ = d.last;
    src_.decls.push_back(std::move(d));
  }

  // The declared name: the last identifier before '=' that is not inside brackets.
  void name_before(Decl& d, size_t eq, size_t last_ident) {
    size_t k = eq;
    while (k > d.first) {
      k--;
      if (is(t_[k], "]") || is(t_[k], ")")) {
        int depth = 0;
        for (; k > d.first; k--) {
          if (is(t_[k], "]") || is(t_[k], ")")) depth++;
          if (is(t_[k], "[") || is(t_[k], "(")) {
            if (--depth == 0) break;
          }
        }
        continue;
      }
      if (t_[k].kind == Token::kIdent) { d.name_tok = k; d.name = std::string(t_[k].text); return; }
    }
    if (last_ident != SIZE_MAX) { d.name_tok = last_ident; d.name = std::string(t_[last_ident].text); }
  }

  void name_of_function(Decl& d, size_t brace) {
    size_t close = brace - 1;
    int depth = 0;
    size_t k = close;
    for (; k > d.first; k--) {
      if (is(t_[k], ")")) depth++;
      if (is(t_[k], "(")) {
        if (--depth == 0) break;
      }
    }
    if (k > d.first && t_[k - 1].kind == Token::kIdent) {
      d.name_tok = k - 1;
      d.name = std::string(t_[k - 1].text);
    }
  }

  // Parses an initialiser starting at `k`; returns the index of the terminating ';'.
  size_t parse_init(size_t k, Init* out) {
    if (k < t_.size() && is(t_[k], "{")) {
      size_t end = parse_list(k, out, 1);
      if (end >= t_.size() || !is(t_[end], ";")) error(k, "expected ';' after initialiser");
      return end;
    }
    out->first = k;
    while (k < t_.size() && !is(t_[k], ";")) {
      if (is(t_[k], "(") || is(t_[k], "[") || is(t_[k], "{")) k = skip_group(k);
      else k++;
    }
    out->last = k;
    return k;
  }

  // Parses `{ item, item, ... }` at `k`; returns the index past the closing brace.
  size_t parse_list(size_t k, Init* out, int depth) {
    if (depth > kMaxListDepth)
      error(k, "initialiser lists nested more than " + std::to_string(kMaxListDepth) + " deep");
    out->is_list = true;
    out->first = k;
    k++;
    while (k < t_.size() && !is(t_[k], "}")) {
      Init item;
      if (is(t_[k], "{")) {
        k = parse_list(k, &item, depth + 1);
      } else {
        item.first = k;
        while (k < t_.size() && !is(t_[k], ",") && !is(t_[k], "}")) {
          if (is(t_[k], "(") || is(t_[k], "[") || is(t_[k], "{")) k = skip_group(k);
          else k++;
        }
        item.last = k;
      }
      out->items.push_back(std::move(item));
      if (k < t_.size() && is(t_[k], ",")) k++;
    }
    if (k >= t_.size()) error(t_.size() - 1, "unterminated initialiser list");
    out->last = k + 1;
    return k + 1;
  }

  Source& src_;
  const std::vector<Token>& t_;
  size_t i_ = 0;
  std::vector<std::string> scopes_;
};

}  // namespace

std::string Init::text(const std::vector<Token>& toks) const {
  std::string out;
  for (size_t k = first; k < last; k++) {
    if (!out.empty()) out += ' ';
    out += toks[k].text;
  }
  return out;
}

bool Decl::spec_has(const std::vector<Token>& toks, std::string_view word) const {
  for (size_t k = first; k < name_tok; k++)
    if (toks[k].text == word) return true;
  return false;
}

const Decl* Source::find(std::string_view name) const {
  for (const auto& d : decls)
    if (d.name == name) return &d;
  return nullptr;
}

std::string Source::where(size_t tok) const {
  int line = toks.empty() ? 0 : toks[std::min(tok, toks.size() - 1)].line;
  return path + ":" + std::to_string(line);
}

Source parse_source(std::string path, std::string text) {
  Source s;
  s.path = std::move(path);
  s.owned = std::make_shared<const std::string>(std::move(text));
  s.text = *s.owned;
  s.toks = tokenize(s.text, s.path);
  Splitter(s).run();
  return s;
}

}  // namespace eiota::host
