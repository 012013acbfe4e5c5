#include "cpp_tokens.h"

#include <cctype>
#include <stdexcept>

namespace eiota::host {
namespace {

bool ident_start(char c) { return std::isalpha((unsigned char)c) || c == '_'; }
bool ident_char(char c) { return std::isalnum((unsigned char)c) || c == '_'; }

// Tracks #if chains: a stack of "this branch is kept" flags.
struct Conditionals {
  struct Level { bool outer_active; bool first_branch; };
  std::vector<Level> stack;

  bool active() const {
    return stack.empty() || (stack.back().outer_active && stack.back().first_branch);
  }
  void directive(std::string_view word) {
    if (word == "if" || word == "ifdef" || word == "ifndef") {
      stack.push_back({active(), true});
    } else if (word == "elif" || word == "else" || word == "elifdef" || word == "elifndef") {
      if (!stack.empty()) stack.back().first_branch = false;
    } else if (word == "endif") {
      if (!stack.empty()) stack.pop_back();
    }
  }
};

class Lexer {
 public:
  Lexer(std::string_view src, const std::string& what) : s_(src), what_(what) {}

  std::vector<Token> run() {
    std::vector<Token> out;
    bool line_start = true;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '\n') { line_++; i_++; line_start = true; continue; }
      if (std::isspace((unsigned char)c)) { i_++; continue; }
      if (c == '/' && peek(1) == '/') { skip_line(); continue; }
      if (c == '/' && peek(1) == '*') { skip_block_comment(); continue; }
      if (c == '#' && line_start) { directive(); continue; }
      line_start = false;
      Token t = next();
      if (cond_.active()) out.push_back(t);
    }
    return out;
  }

 private:
  char peek(size_t k) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }

  [[noreturn]] void error(const std::string& msg) const {
    throw std::runtime_error(what_ + ":" + std::to_string(line_) + ": " + msg);
  }

  void skip_line() {
    while (i_ < s_.size() && s_[i_] != '\n') i_++;
  }

  void skip_block_comment() {
    size_t close = s_.find("*/", i_ + 2);
    if (close == std::string_view::npos) error("unterminated comment");
    for (size_t k = i_; k < close; k++)
      if (s_[k] == '\n') line_++;
    i_ = close + 2;
  }

  // A directive runs to the end of the line, continued by backslashes.
  void directive() {
    i_++;
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) i_++;
    size_t w = i_;
    while (i_ < s_.size() && ident_char(s_[i_])) i_++;
    cond_.directive(s_.substr(w, i_ - w));
    while (i_ < s_.size() && s_[i_] != '\n') {
      if (s_[i_] == '\\' && peek(1) == '\n') { i_ += 2; line_++; continue; }
      if (s_[i_] == '/' && peek(1) == '*') { skip_block_comment(); continue; }
      i_++;
    }
  }

  Token make(Token::Kind k, size_t b) {
    return Token{k, s_.substr(b, i_ - b), b, i_, line_};
  }

  Token next() {
    size_t b = i_;
    char c = s_[i_];
    if (ident_start(c)) {
      while (i_ < s_.size() && ident_char(s_[i_])) i_++;
      if (i_ < s_.size() && (s_[i_] == '"' || s_[i_] == '\'')) return quoted(b);  // u8"", L''
      return make(Token::kIdent, b);
    }
    if (std::isdigit((unsigned char)c) || (c == '.' && std::isdigit((unsigned char)peek(1)))) {
      while (i_ < s_.size()) {
        char d = s_[i_];
        if ((d == '+' || d == '-') && (s_[i_ - 1] == 'e' || s_[i_ - 1] == 'E' ||
                                       s_[i_ - 1] == 'p' || s_[i_ - 1] == 'P')) {
          i_++;
        } else if (ident_char(d) || d == '.') {
          i_++;
        } else {
          break;
        }
      }
      return make(Token::kNumber, b);
    }
    if (c == '"' || c == '\'') return quoted(b);
    static const char* const kLong[] = {"::", "->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "++", "--"};
    for (const char* p : kLong) {
      if (s_.substr(i_, 2) == p) { i_ += 2; return make(Token::kPunct, b); }
    }
    i_++;
    return make(Token::kPunct, b);
  }

  Token quoted(size_t b) {
    char q = s_[i_++];
    while (i_ < s_.size() && s_[i_] != q) {
      if (s_[i_] == '\\') i_++;
      if (i_ < s_.size() && s_[i_] == '\n') error("newline in string literal");
      i_++;
    }
    if (i_ >= s_.size()) error("unterminated literal");
    i_++;
    return make(q == '"' ? Token::kString : Token::kChar, b);
  }

  std::string_view s_;
  std::string what_;
  size_t i_ = 0;
  int line_ = 1;
  Conditionals cond_;
};

}  // namespace

std::vector<Token> tokenize(std::string_view src, const std::string& what) {
  return Lexer(src, what).run();
}

std::vector<std::pair<std::string, std::string>> read_defines(std::string_view src) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos < src.size()) {
    size_t eol = src.find('\n', pos);
    if (eol == std::string_view::npos) eol = src.size();
    std::string_view line = src.substr(pos, eol - pos);
    pos = eol + 1;
    size_t k = line.find_first_not_of(" \t");
    if (k == std::string_view::npos || line[k] != '#') continue;
    k = line.find_first_not_of(" \t", k + 1);
    if (k == std::string_view::npos || line.substr(k, 6) != "define") continue;
    k = line.find_first_not_of(" \t", k + 6);
    if (k == std::string_view::npos) continue;
    size_t e = k;
    while (e < line.size() && ident_char(line[e])) e++;
    std::string name(line.substr(k, e - k));
    std::string value(line.substr(e));
    size_t comment = value.find("//");
    if (comment != std::string::npos) value.resize(comment);
    size_t a = value.find_first_not_of(" \t\r");
    size_t z = value.find_last_not_of(" \t\r");
    out.emplace_back(name, a == std::string::npos ? "" : value.substr(a, z - a + 1));
  }
  return out;
}

}  // namespace eiota::host
