#include "eon_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "eiota_format.h"
#include "numbers.h"

namespace eiota::host {
namespace {

struct Reader {
  EonModel& m;
  const std::vector<Token>& t;

  [[noreturn]] void error(size_t tok, const std::string& msg) const {
    throw std::runtime_error(m.src.where(tok) + ": " + msg);
  }

  // The last identifier in a token range ("(void*)g0::tensor_data3" -> "tensor_data3").
  std::string last_ident(size_t first, size_t last) const {
    for (size_t k = last; k > first; k--)
      if (t[k - 1].kind == Token::kIdent) return std::string(t[k - 1].text);
    return "";
  }

  bool range_has(size_t first, size_t last, std::string_view word) const {
    for (size_t k = first; k < last; k++)
      if (t[k].text == word) return true;
    return false;
  }

  std::string joined(const Init& e) const {
    if (e.is_list) error(e.first, "expected a number, found a braced list");
    std::string s = e.text(t);
    s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
    return s;
  }

  int64_t integer(const Init& e, int64_t lo = INT64_MIN, int64_t hi = INT64_MAX) const {
    return parse_c_int(joined(e), m.src.where(e.first) + ": integer", lo, hi);
  }

  // A float literal as the compiler stores it in a float array: decimal -> double -> float.
  float real(const Init& e) const {
    return (float)parse_double(joined(e), m.src.where(e.first) + ": number");
  }

  void append(ValueArray& a, const Init& e) const {
    uint8_t b[8];
    uint32_t n = eiota::elem_size(a.elem_type);
    if (a.elem_type == eiota::kFloat32) {
      float f = real(e);
      std::memcpy(b, &f, 4);
    } else {
      int64_t v = integer(e);
      bool ok = a.elem_type == eiota::kInt8    ? v >= -128 && v <= 127
                : a.elem_type == eiota::kUInt8 ? v >= 0 && v <= 255
                : a.elem_type == eiota::kInt16 ? v >= -32768 && v <= 32767
                : a.elem_type == eiota::kInt64 ? true
                                               : v >= INT32_MIN && v <= UINT32_MAX;
      if (!ok) error(e.first, "value " + std::to_string(v) + " out of range in " + a.name);
      eiota::put_u32(b, (uint32_t)v);
      eiota::put_u32(b + 4, (uint32_t)((uint64_t)v >> 32));
    }
    a.bytes.insert(a.bytes.end(), b, b + n);
  }

  static uint8_t elem_type_of_c(std::string_view c) {
    if (c == "int8_t") return eiota::kInt8;
    if (c == "uint8_t" || c == "unsigned char") return eiota::kUInt8;
    if (c == "int16_t") return eiota::kInt16;
    if (c == "int32_t" || c == "int") return eiota::kInt32;
    if (c == "int64_t") return eiota::kInt64;
    if (c == "float") return eiota::kFloat32;
    return 0;
  }

  // The values are stored from the initialiser, never sized from a declared count: a count
  // that differs from the values written is refused (the EON compiler writes every value).
  void check_count(const Decl& d, uint64_t declared, size_t present) const {
    if (declared != present)
      error(d.first, d.name + " declares " + std::to_string(declared) + " values but its initialiser has " +
                         std::to_string(present));
  }

  void read_tfarray(const Decl& d, size_t tf) {
    // TfArray < N , T >
    if (tf + 5 >= d.name_tok || t[tf + 1].text != "<" || t[tf + 3].text != "," || t[tf + 5].text != ">")
      error(tf, "malformed TfArray type of " + d.name);
    ValueArray a;
    a.is_tfarray = true;
    a.count = (uint32_t)parse_c_int(t[tf + 2].text, m.src.where(tf) + ": TfArray size of " + d.name, 0, UINT32_MAX);
    a.elem_type = elem_type_of_c(t[tf + 4].text);
    if (!a.elem_type) error(tf, "unsupported TfArray element type " + std::string(t[tf + 4].text) + " in " + d.name);
    if (!d.init.is_list || d.init.items.size() != 2 || d.init.items[0].is_list || !d.init.items[1].is_list)
      error(d.first, "TfArray " + d.name + " has an unexpected initialiser");
    // { n, { ... } }: the runtime reads n as the length.
    if (integer(d.init.items[0], 0, UINT32_MAX) != a.count)
      error(d.first, "TfArray " + d.name + " is declared with " + std::to_string(a.count) + " values but says " +
                         d.init.items[0].text(t));
    const auto& vals = d.init.items[1].items;
    check_count(d, a.count, vals.size());
    for (const auto& v : vals) append(a, v);
    add(d, std::move(a));
  }

  uint64_t product(size_t first, const Decl& d) const {
    if (first >= t.size()) error(d.first, "array size of " + d.name + " is not closed");
    if (t[first].text == "]") return d.init.items.size();
    uint64_t p = 1;
    bool factor = false;  // expecting '*' next
    size_t k = first;
    for (; k < t.size() && t[k].text != "]"; k++) {
      if (factor && t[k].text == "*") { factor = false; continue; }
      if (factor || t[k].kind != Token::kNumber) error(k, "array size of " + d.name + " is not a product of numbers");
      uint64_t f = (uint64_t)parse_c_int(t[k].text, m.src.where(k) + ": array size of " + d.name, 0);
      p = checked_mul(p, f, m.src.where(k) + ": array size of " + d.name);
      factor = true;
    }
    if (!factor) error(first, "array size of " + d.name + " is not a product of numbers");
    return p;
  }

  void read_plain_array(const Decl& d) {
    ValueArray a;
    for (size_t k = d.first; k < d.name_tok; k++) {
      uint8_t et = elem_type_of_c(t[k].text);
      if (et) a.elem_type = et;
    }
    if (!a.elem_type || !d.init.is_list) return;  // not a value array we replace
    for (const auto& v : d.init.items)
      if (v.is_list) return;  // an array of structs, not values
    uint64_t count = product(d.array_dims_first[0], d);
    check_count(d, count, d.init.items.size());
    if (count > UINT32_MAX) error(d.first, "array " + d.name + " is too large");
    a.count = (uint32_t)count;
    a.bytes.reserve((size_t)a.count * eiota::elem_size(a.elem_type));
    for (const auto& v : d.init.items) append(a, v);
    add(d, std::move(a));
  }

  // The SDK reads dims and operator lists as TfLiteIntArray (int data[]): any other element type
  // would be read as ints by the device, so it is not what the SDK writes.
  const ValueArray& int_array(const std::string& name, size_t tok, const char* role) const {
    const ValueArray& a = m.array(name);
    if (!a.is_tfarray || a.elem_type != eiota::kInt32)
      error(tok, std::string(role) + " " + name + " is not a TfArray<N, int> (the type the SDK reads as TfLiteIntArray)");
    return a;
  }

  std::vector<int> ints_of(const ValueArray& a) const {
    std::vector<int> out;
    for (uint32_t i = 0; i < a.count; i++) out.push_back((int32_t)eiota::get_u32(&a.bytes.at(4 * (size_t)i)));
    return out;
  }

  void add(const Decl& d, ValueArray a) {
    a.name = d.name;
    a.qualified = d.ns.empty() ? d.name : d.ns + "::" + d.name;
    m.arrays.emplace(a.name, std::move(a));  // first definition wins
  }

  void read_arrays() {
    for (const auto& d : m.src.decls) {
      if (d.kind != Decl::kVariable || !d.has_init) continue;
      size_t tf = SIZE_MAX;
      for (size_t k = d.first; k < d.name_tok; k++)
        if (t[k].text == "TfArray") tf = k;
      if (tf != SIZE_MAX) read_tfarray(d, tf);
      else if (!d.array_dims_first.empty() && d.name.rfind("tensor_data", 0) == 0) read_plain_array(d);
    }
  }

  void read_quant(EonTensor& ts, const std::string& qname, size_t tok) {
    const Decl* q = m.src.find(qname);
    if (!q || !q->init.is_list || q->init.items.size() != 3)
      error(tok, "quantization " + qname + " not found or malformed");
    const auto& it = q->init.items;
    ts.quant = qname;
    ts.scale_array = last_ident(it[0].first, it[0].last);
    ts.zero_array = last_ident(it[1].first, it[1].last);
    ts.quant_dim = (int)integer(it[2], INT32_MIN, INT32_MAX);
    m.array(ts.scale_array);
    m.array(ts.zero_array);
  }

  void read_tensor_table() {
    const Decl* d = m.src.find("tensorData");
    if (!d || !d->init.is_list) error(0, "no tensorData table: not an EON-compiled model");
    m.tensor_table_first = d->first;
    int index = 0;
    for (const auto& e : d->init.items) {
      // { alloc, type, data, dims, bytes [, { quant type, quant params }] }: float32 exports of
      // 2020-22 have no quantization member.
      bool quantized = e.items.size() >= 6;
      if (!e.is_list || e.items.size() < 5 || (quantized && (!e.items[5].is_list || e.items[5].items.size() < 2)))
        error(e.first, "unexpected tensorData entry " + std::to_string(index));
      EonTensor ts;
      ts.index = index++;
      ts.constant = last_ident(e.items[0].first, e.items[0].last) == "kTfLiteMmapRo";
      ts.dtype = last_ident(e.items[1].first, e.items[1].last);
      ts.data_expr_first = e.items[2].first;
      ts.data_expr_last = e.items[2].last;
      if (!range_has(e.items[2].first, e.items[2].last, "tensor_arena"))
        ts.data_array = last_ident(e.items[2].first, e.items[2].last);
      std::string dims = last_ident(e.items[3].first, e.items[3].last);
      ts.dims = ints_of(int_array(dims, e.items[3].first, "the dims"));
      ts.bytes = (uint64_t)integer(e.items[4], 0);
      if (quantized) {
        const Init& q = e.items[5];
        ts.quant_expr_first = q.items[1].first;
        ts.quant_expr_last = q.items[1].last;
        if (last_ident(q.items[0].first, q.items[0].last) == "kTfLiteAffineQuantization")
          read_quant(ts, last_ident(q.items[1].first, q.items[1].last), q.items[1].first);
      }
      if (!ts.data_array.empty()) m.array(ts.data_array);
      m.tensors.push_back(std::move(ts));
    }
  }

  std::vector<int> int_list(const std::string& name, size_t tok) const {
    return ints_of(int_array(name, tok, "the operator list"));
  }

  std::string options_of(const Init& e) const {
    std::string name;
    for (size_t k = e.first; k < e.last; k++)
      if (t[k].text.rfind("opdata", 0) == 0) name = std::string(t[k].text);
    if (name.empty()) return "";
    const Decl* d = m.src.find(name);
    if (!d || !d->has_init) error(e.first, "operator options " + name + " not found");
    std::string type = last_ident(d->first, d->name_tok);
    std::string text;
    for (size_t k = d->eq_tok + 1; k + 1 < d->last; k++) {
      if (!text.empty()) text += ' ';
      text += t[k].text;
    }
    return type + " " + text;
  }

  void add_op(const Init& in, const Init& out, const Init* options, std::string kind) {
    EonOp op;
    if (kind.rfind("OP_", 0) == 0) kind = kind.substr(3);
    op.kind = kind;
    op.inputs = int_list(last_ident(in.first, in.last), in.first);
    op.outputs = int_list(last_ident(out.first, out.last), out.first);
    if (options) op.options = options_of(*options);
    m.ops.push_back(std::move(op));
  }

  void read_ops() {
    if (const Decl* nd = m.src.find("nodeData")) {  // up to 2023: { inputs, outputs, opdata, OP_X }
      for (const auto& e : nd->init.items) {
        if (!e.is_list || e.items.size() < 4) error(nd->first, "unexpected nodeData entry");
        add_op(e.items[0], e.items[1], &e.items[2], last_ident(e.items[3].first, e.items[3].last));
      }
      return;
    }
    const Decl* nodes = m.src.find("tflNodes");
    const Decl* used = m.src.find("used_ops");
    if (!nodes || !used || !nodes->init.is_list || !used->init.is_list)
      error(0, "no operator table (nodeData or tflNodes + used_ops)");
    if (nodes->init.items.size() != used->init.items.size())
      error(nodes->first, "tflNodes and used_ops differ in length");
    for (size_t i = 0; i < nodes->init.items.size(); i++) {
      const Init& e = nodes->init.items[i];
      if (!e.is_list || e.items.size() < 3) error(nodes->first, "unexpected tflNodes entry");
      const Init* opts = nullptr;
      for (const auto& it : e.items)
        if (!it.is_list && range_has(it.first, it.last, "static_cast")) opts = &it;
      const Init& u = used->init.items[i];
      add_op(e.items[0], e.items[1], opts, last_ident(u.first, u.last));
    }
  }

  std::vector<int> index_list(std::initializer_list<const char*> names) const {
    for (const char* n : names) {
      const Decl* d = m.src.find(n);
      if (!d || !d->init.is_list) continue;
      std::vector<int> out;
      for (const auto& e : d->init.items) out.push_back((int)integer(e, INT32_MIN, INT32_MAX));
      return out;
    }
    error(0, std::string("no ") + *names.begin() + " table");
  }

  void read_rest() {
    m.inputs = index_list({"in_tensor_indices", "inTensorIndices"});
    m.outputs = index_list({"out_tensor_indices", "outTensorIndices"});
    if (const Decl* a = m.src.find("kTensorArenaSize"); a && a->has_init) m.arena_size = integer(a->init);
    for (const auto& d : m.src.decls) {
      if (d.kind != Decl::kFunction) continue;
      if (d.name == m.stem + "_init" || (m.init_function.empty() && d.name.size() > 5 &&
                                          d.name.ends_with("_init") && d.name.find("tflite") != std::string::npos)) {
        m.init_function = d.name;
        m.init_body_open = d.body_open;
      }
    }
    if (m.init_function.empty()) error(0, "no model init function (" + m.stem + "_init)");
  }
};

}  // namespace

const ValueArray& EonModel::array(const std::string& name) const {
  auto it = arrays.find(name);
  if (it == arrays.end()) throw std::runtime_error(src.path + ": array '" + name + "' is referenced but not defined");
  return it->second;
}

uint8_t elem_type_of_tflite(const std::string& dtype) {
  if (dtype == "kTfLiteInt8") return eiota::kInt8;
  if (dtype == "kTfLiteUInt8") return eiota::kUInt8;
  if (dtype == "kTfLiteInt16") return eiota::kInt16;
  if (dtype == "kTfLiteInt32") return eiota::kInt32;
  if (dtype == "kTfLiteInt64") return eiota::kInt64;
  if (dtype == "kTfLiteFloat32") return eiota::kFloat32;
  return 0;
}

EonModel read_eon_model(const std::string& path, std::string text) {
  EonModel m;
  m.src = parse_source(path, std::move(text));
  // tflite_learn_3_compiled.cpp -> tflite_learn_3; trained_model_compiled_acc.cpp -> trained_model_acc
  std::string file = std::filesystem::path(path).stem().string();
  size_t c = file.find("_compiled");
  m.stem = c == std::string::npos ? file : file.erase(c, 9);
  Reader r{m, m.src.toks};
  r.read_arrays();
  r.read_tensor_table();
  r.read_ops();
  r.read_rest();
  return m;
}

}  // namespace eiota::host
