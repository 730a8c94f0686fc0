// to_json_text: nlohmann's compact dump, with float32 values written by the library's own
// shortest-decimal conversion (Grisu2) for float instead of for double.
#include "cnnlens/json_text.hpp"

#include <cmath>

#include <nlohmann/detail/conversions/to_chars.hpp>

namespace cnnlens {
namespace {

using nlohmann::json;

void write_number(double value, std::string& out) {
  // NaN and infinities are not JSON: nlohmann writes null, and so does this
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char digits[64];
  const float narrow = static_cast<float>(value);
  const char* end = static_cast<double>(narrow) == value ? nlohmann::detail::to_chars(digits, digits + sizeof digits, narrow)
                                                         : nlohmann::detail::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, static_cast<std::size_t>(end - digits));
}

void write(const json& j, std::string& out) {
  switch (j.type()) {
    case json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& item : j.items()) {
        if (!first) out += ',';
        first = false;
        out += json(item.key()).dump(-1, ' ', false, json::error_handler_t::replace);
        out += ':';
        write(item.value(), out);
      }
      out += '}';
      return;
    }
    case json::value_t::array: {
      out += '[';
      for (std::size_t k = 0; k < j.size(); ++k) {
        if (k > 0) out += ',';
        write(j[k], out);
      }
      out += ']';
      return;
    }
    case json::value_t::number_float:
      write_number(j.get<double>(), out);
      return;
    default:
      out += j.dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

}  // namespace

std::string to_json_text(const nlohmann::json& j) {
  std::string out;
  write(j, out);
  return out;
}

}  // namespace cnnlens
