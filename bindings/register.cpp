// Embind registration: the names JS sees (camelCase), nothing else. bindings/cnnlens.d.ts
// declares the same API for TypeScript; docs/api.md explains it.
#include <emscripten/bind.h>

#include <stdexcept>

#include "js_errors.hpp"
#include "js_model.hpp"

namespace {

using cnnlens::js::JsModel;

// Construction goes through a factory so a bad scene becomes a JS Error like every other failure.
JsModel* create_model(const emscripten::val& scene_json);

// evaluate(inputs) without labels: Embind matches calls by argument count, so the optional
// argument of docs/api.md is a second registration of one argument fewer.
emscripten::val evaluate_unlabelled(JsModel& model, const emscripten::val& inputs) {
  return model.evaluate(inputs, emscripten::val::undefined());
}

}  // namespace

EMSCRIPTEN_BINDINGS(cnnlens) {
  using emscripten::class_;
  using emscripten::function;

  class_<JsModel>("Model")
      .constructor(&create_model, emscripten::allow_raw_pointers())
      .function("forward", &JsModel::forward)
      .function("backward", &JsModel::backward)
      .function("step", &JsModel::step)
      .function("train", &JsModel::train)
      .function("loss", &JsModel::loss)
      .function("lossHistory", &JsModel::loss_history)
      .function("stepsTaken", &JsModel::steps_taken)
      .function("trace", &JsModel::trace)
      .function("toJSON", &JsModel::to_json)
      .function("layerCount", &JsModel::layer_count)
      .function("layerType", &JsModel::layer_type)
      .function("layerTensors", &JsModel::layer_tensors)
      .function("view", &JsModel::view)
      .function("nodeIds", &JsModel::node_ids)
      .function("nodeTensors", &JsModel::node_tensors)
      .function("nodeView", &JsModel::node_view)
      .function("nodeCopy", &JsModel::node_copy)
      .function("setNodeParam", &JsModel::set_node_param)
      .function("setNodeParamElement", &JsModel::set_node_param_element)
      .function("losses", &JsModel::losses)
      .function("copy", &JsModel::copy)
      .function("inputView", &JsModel::input_view)
      .function("inputShape", &JsModel::input_shape)
      .function("outputShape", &JsModel::output_shape)
      .function("lossGradView", &JsModel::loss_grad_view)
      .function("targetView", &JsModel::target_view)
      .function("optimizer", &JsModel::optimizer)
      .function("setInput", &JsModel::set_input)
      .function("setInputCell", &JsModel::set_input_cell)
      .function("setParam", &JsModel::set_param)
      .function("setParamElement", &JsModel::set_param_element)
      .function("setTarget", &JsModel::set_target)
      .function("setOptimizer", &JsModel::set_optimizer)
      .function("resetOptimizer", &JsModel::reset_optimizer)
      .function("optimizerState", &JsModel::optimizer_state)
      .function("setOptimizerState", &JsModel::set_optimizer_state)
      .function("trainBatch", &JsModel::train_batch)
      .function("trainBatches", &JsModel::train_batches)
      .function("evaluate", &JsModel::evaluate)
      .function("evaluate", &evaluate_unlabelled)
      .function("predict", &JsModel::predict)
      .function("splitsBatches", &JsModel::splits_batches)
      .function("shardGradients", &JsModel::shard_gradients)
      .function("parameters", &JsModel::parameters)
      .function("parameters", &JsModel::parameters_into)
      .function("gradients", &JsModel::gradients)
      .function("gradients", &JsModel::gradients_into)
      .function("setParameters", &JsModel::set_parameters)
      .function("setGradients", &JsModel::set_gradients)
      .function("applyGradients", &JsModel::apply_gradients)
      // the fast lane of trainBatch/predict, used by fast_calls.js (not part of the documented API)
      .function("_stage", &JsModel::stage)
      .function("_trainStaged", &JsModel::train_staged)
      .function("_predictStaged", &JsModel::predict_staged)
      .function("explainConv", &JsModel::explain_conv)
      .function("explainPool", &JsModel::explain_pool)
      .function("explainConvWeightGrad", &JsModel::explain_conv_weight_grad)
      .function("explainConvInputGrad", &JsModel::explain_conv_input_grad)
      .function("explainCell", &JsModel::explain_cell)
      .function("gradientCheck", &JsModel::gradient_check)
      .function("lossLandscape", &JsModel::loss_landscape);

  function("layerKinds", &cnnlens::js::layer_kinds);
  function("errorCodes", &cnnlens::js::error_codes);
  function("heapInUse", &cnnlens::js::heap_in_use);
  function("simdPeak", &cnnlens::js::simd_peak);
  function("simdPeakFlopsPerIteration", &cnnlens::js::simd_peak_flops_per_iteration);
}

namespace {

JsModel* create_model(const emscripten::val& scene_json) {
  return cnnlens::js::guarded(
      [&] {
        if (!scene_json.isString()) throw std::invalid_argument("new Model(scene): the scene must be a JSON string");
        return new JsModel(scene_json.as<std::string>());
      },
      "invalid_scene");
}

}  // namespace
