// Explanations of the normalisation kinds (batch norm): none written out yet.
#include "explain_cell_internal.hpp"

namespace cnnlens::explain_detail {

std::optional<json> explain_normalization(const Context&, const std::string&) { return std::nullopt; }

}  // namespace cnnlens::explain_detail
