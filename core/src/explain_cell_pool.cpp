// Explanations of pooling: a max-pooled cell is its window's winner and routes its gradient back to
// it; an average-pooled cell is the window's sum over the divisor and shares its gradient out. The
// global pools are the same with the whole channel as the window.
#include <algorithm>
#include <numeric>

#include "cnnlens/layers/global_avgpool2d.hpp"
#include "cnnlens/layers/global_maxpool2d.hpp"
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

json explain_global_pool(const Context& c, const GlobalMaxPool2d* max_pool, const std::string& tensor) {
  const NodeView node = c.model.node(c.node);
  const Tensor& x = node.input();
  const Map3 in = map_of(x);
  const std::size_t cells = std::size_t(in.h) * std::size_t(in.w);
  if (tensor == "output") {
    const std::size_t first = c.index * cells;  // output cell c.index is channel c.index (shape [C, 1, 1])
    if (max_pool) {
      // y = the channel's largest value (the first one in row-major order on a tie). The window
      // lists the largest max_terms cells, largest first, so ties and runners-up are visible.
      const std::size_t won = std::size_t(cell(max_pool->argmax(), c.sample, c.index));
      std::vector<std::size_t> order(cells);
      std::iota(order.begin(), order.end(), first);
      const std::size_t shown = std::min(cells, c.max_terms);
      std::partial_sort(order.begin(), order.begin() + long(shown), order.end(), [&](std::size_t a, std::size_t b) {
        const float va = cell(x, c.sample, a), vb = cell(x, c.sample, b);
        return va > vb || (va == vb && a < b);
      });
      json r = record(c, "max", "global_maxpool.forward", "output", cell(node.output(), c.sample, c.index));
      json window = json::array();
      int winner = -1;
      for (std::size_t k = 0; k < shown; ++k) {
        if (order[k] == won) winner = int(k);
        window.push_back({{"ref", ref_json(c.at("input", order[k]))}, {"value", cell(x, c.sample, order[k])}});
      }
      r["window"] = window;
      r["winner"] = winner;
      r["winner_ref"] = ref_json(c.at("input", won));
      r["window_size"] = cells;
      r["omitted_cells"] = cells - shown;
      r["total"] = cell(x, c.sample, won);
      return r;
    }
    // y = (1 / (H W)) * sum of the channel's cells
    json r = record(c, "sum", "global_avgpool.forward", "output", cell(node.output(), c.sample, c.index));
    r["divisor"] = cells;
    SumBuilder sum(cells);
    for (std::size_t k = first; k < first + cells; ++k) sum.add(cell(x, c.sample, k), c.at("input", k), 1.0 / double(cells), {});
    sum.write(r, c.max_terms);
    return r;
  }
  const std::size_t channel = std::size_t(in.channel(c.index));
  const double g = cell(node.grad_output(), c.sample, channel);
  if (max_pool) {
    // dL/dx = g for the winning cell, 0 for the rest (b_ref: the winner)
    const std::size_t won = std::size_t(cell(max_pool->argmax(), c.sample, channel));
    json r = record(c, "route", "global_maxpool.grad_input", "grad_input", cell(node.grad_input(), c.sample, c.index));
    SumBuilder sum(1);
    sum.add(g, c.at("grad_output", channel), won == c.index ? 1.0 : 0.0, c.at("input", won));
    sum.write(r, c.max_terms);
    return r;
  }
  // every cell of the channel weighs 1 / (H W) in the mean, so each gets g / (H W)
  json r = record(c, "share", "global_avgpool.grad_input", "grad_input", cell(node.grad_input(), c.sample, c.index));
  r["divisor"] = cells;
  SumBuilder sum(1);
  sum.add(g, c.at("grad_output", channel), 1.0 / double(cells), {});
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
  const auto* global_max = dynamic_cast<const GlobalMaxPool2d*>(&layer);
  if ((global_max || dynamic_cast<const GlobalAvgPool2d*>(&layer)) && (tensor == "output" || tensor == "grad_input")) {
    return explain_global_pool(c, global_max, tensor);
  }
  return std::nullopt;
}

}  // namespace cnnlens::explain_detail
