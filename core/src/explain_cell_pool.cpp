// Explanations of pooling: a max-pooled cell is its window's winner and routes its gradient back to
// it; an average-pooled cell is the window's sum over the divisor and shares its gradient out.
#include "explain_cell_internal.hpp"

namespace cnnlens::explain_detail {

PoolWindow pool_window(const Context& c, const MaxPool2d* max_pool, const AvgPool2d* avg_pool) {
  const NodeView node = c.model.node(c.node);
  const PoolGeometry& g = max_pool ? max_pool->geometry() : avg_pool->geometry();
  const Map3 in = map_of(node.input()), out = map_of(node.output());
  const int ch = out.channel(c.index), row = out.row(c.index), col = out.col(c.index);
  const int winning = max_pool ? int(cell(max_pool->argmax(), c.sample, c.index)) : -1;
  PoolWindow window;
  for (int i = 0; i < g.kernel.h; ++i) {
    for (int j = 0; j < g.kernel.w; ++j) {
      const int u = g.input_row(row, i), v = g.input_col(col, j);
      if (u < 0 || v < 0 || u >= g.in_h || v >= g.in_w) continue;  // padding: never wins, adds nothing
      const std::size_t k = in.at(ch, u, v);
      if (int(k) == winning) window.winner = int(window.cells.size());
      window.cells.push_back(k);
    }
  }
  return window;
}

namespace {

json explain_pool(const Context& c, const MaxPool2d* max_pool, const AvgPool2d* avg_pool, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  const PoolGeometry& g = max_pool ? max_pool->geometry() : avg_pool->geometry();
  const Tensor& x = node.input();
  const Map3 in = map_of(x), out = map_of(node.output());
  if (tensor == "output") {
    const int row = out.row(c.index), col = out.col(c.index);
    json r = record(c, max_pool ? "max" : "sum", max_pool ? "maxpool.forward" : "avgpool.forward", "output",
                    cell(node.output(), c.sample, c.index));
    const PoolWindow found = pool_window(c, max_pool, avg_pool);
    const double divisor = avg_pool ? avg_pool->divisor(row, col) : 1.0;
    SumBuilder sum(found.cells.size());
    json window = json::array();
    for (std::size_t k : found.cells) {
      window.push_back({{"ref", ref_json(c.at("input", k))}, {"value", cell(x, c.sample, k)}});
      sum.add(cell(x, c.sample, k), c.at("input", k), 1.0 / divisor, {});
    }
    r["window"] = window;
    if (max_pool) {
      r["winner"] = found.winner;
      r["total"] = found.winner >= 0 ? double(cell(x, c.sample, found.cells[std::size_t(found.winner)])) : 0.0;
    } else {
      r["divisor"] = divisor;
      sum.write(r, c.max_terms);
    }
    return r;
  }
  // grad_input (u, v): every window that contains the cell passes back its share.
  const int ch = in.channel(c.index), u = in.row(c.index), v = in.col(c.index);
  json r = record(c, max_pool ? "route" : "share", max_pool ? "maxpool.grad_input" : "avgpool.grad_input", "grad_input",
                  cell(node.grad_input(), c.sample, c.index));
  SumBuilder sum;
  const Tensor& go = node.grad_output();
  for (int row = 0; row < out.h; ++row) {
    for (int i = 0; i < g.kernel.h; ++i) {
      if (g.input_row(row, i) != u) continue;
      for (int col = 0; col < out.w; ++col) {
        for (int j = 0; j < g.kernel.w; ++j) {
          if (g.input_col(col, j) != v) continue;
          const std::size_t o = out.at(ch, row, col);
          if (max_pool) {
            const std::size_t won = std::size_t(cell(max_pool->argmax(), c.sample, o));
            // a = the window's upstream gradient, b = 1 when this cell won it (b_ref: the winner)
            sum.add(cell(go, c.sample, o), c.at("grad_output", o), won == c.index ? 1.0 : 0.0, c.at("input", won));
          } else {
            sum.add(cell(go, c.sample, o), c.at("grad_output", o), 1.0 / avg_pool->divisor(row, col), {});
          }
        }
      }
    }
  }
  sum.write(r, c.max_terms);
  return r;
}

}  // namespace

std::optional<json> explain_pooling(const Context& c, const std::string& tensor) {
  const Layer& layer = c.model.node(c.node).layer();
  const auto* max_pool = dynamic_cast<const MaxPool2d*>(&layer);
  const auto* avg_pool = dynamic_cast<const AvgPool2d*>(&layer);
  if ((max_pool || avg_pool) && (tensor == "output" || tensor == "grad_input")) {
    return explain_pool(c, max_pool, avg_pool, tensor);
  }
  return std::nullopt;
}

}  // namespace cnnlens::explain_detail
