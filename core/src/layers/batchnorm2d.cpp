// batchnorm2d: the kind's declaration; the layer is BatchNorm (batchnorm.hpp).
#include "cnnlens/layers/batchnorm2d.hpp"

namespace cnnlens {

const LayerKind& batchnorm2d_kind() {
  static const LayerKind kind = [] {
    LayerKind k;
    k.type = "batchnorm2d";
    k.title = "Batch normalization";
    k.pytorch = "nn.BatchNorm2d";
    k.onnx = "BatchNormalization";
    k.help_key = "kind.batchnorm2d";
    k.fields = batchnorm_fields();
    k.tensor_names = {"weight", "bias", "running_mean", "running_var"};
    k.output_shape = [](const NodeSpec& node, const InputShapes& inputs) {
      require_map(node, inputs[0]);
      return inputs[0];
    };
    k.params = batchnorm_params;
    k.buffers = batchnorm_buffers;
    k.create = batchnorm_create;
    k.mixes_samples_in_training = true;
    return k;
  }();
  return kind;
}

}  // namespace cnnlens
