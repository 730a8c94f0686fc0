// to_json_text: nlohmann's compact dump, with float32 values written as the shortest decimal
// for the float (float_text.cpp) instead of for the double they were widened to.
#include "cnnlens/json_text.hpp"

#include <cmath>
#include <cstddef>

#include <nlohmann/detail/conversions/to_chars.hpp>

#include "float_text.hpp"

namespace cnnlens {
namespace {

using nlohmann::json;

// Collects the text in a fixed buffer and hands it to the string in large pieces: a photo's
// scene is ~200,000 numbers, and in wasm each std::string append is a call into libc++.
class TextSink {
 public:
  explicit TextSink(std::string& out) : out_(out) {}
  ~TextSink() { flush(); }
  TextSink(const TextSink&) = delete;
  TextSink& operator=(const TextSink&) = delete;

  // Room for `count` chars at the returned pointer; `commit` says how many were written.
  char* reserve(std::size_t count) {
    if (used_ + count > sizeof buffer_) flush();
    return buffer_ + used_;
  }
  void commit(const char* end) { used_ = static_cast<std::size_t>(end - buffer_); }

  void put(char c) { *reserve(1) = c, ++used_; }
  void put(const std::string& text) {
    if (text.size() > sizeof buffer_ / 2) {
      flush();
      out_ += text;
      return;
    }
    char* at = reserve(text.size());
    for (char c : text) *at++ = c;
    commit(at);
  }

 private:
  void flush() {
    out_.append(buffer_, used_);
    used_ = 0;
  }

  std::string& out_;
  char buffer_[16384];
  std::size_t used_ = 0;
};

constexpr std::size_t kNumberRoom = 64;

void write_number(double value, TextSink& sink) {
  // NaN and infinities are not JSON: nlohmann writes null, and so does this
  if (!std::isfinite(value)) {
    sink.put(std::string("null"));
    return;
  }
  char* at = sink.reserve(kNumberRoom);
  const float narrow = static_cast<float>(value);
  sink.commit(static_cast<double>(narrow) == value ? write_float_short(at, at + kNumberRoom, narrow)
                                                   : nlohmann::detail::to_chars(at, at + kNumberRoom, value));
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void write(const json& j, TextSink& sink) {
  switch (j.type()) {
    case json::value_t::object: {
      sink.put('{');
      bool first = true;
      for (const auto& item : j.items()) {
        if (!first) sink.put(',');
        first = false;
        sink.put(dump(json(item.key())));
        sink.put(':');
        write(item.value(), sink);
      }
      sink.put('}');
      return;
    }
    case json::value_t::array: {
      sink.put('[');
      bool first = true;
      for (const json& element : j) {
        if (!first) sink.put(',');
        first = false;
        write(element, sink);
      }
      sink.put(']');
      return;
    }
    case json::value_t::number_float:
      write_number(j.get<double>(), sink);
      return;
    default:
      sink.put(dump(j));
  }
}

}  // namespace

std::string to_json_text(const nlohmann::json& j) {
  std::string out;
  {
    TextSink sink(out);
    write(j, sink);
  }
  return out;
}

}  // namespace cnnlens
