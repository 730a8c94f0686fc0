// batchnorm1d: the kind's declaration; the layer is BatchNorm (batchnorm.hpp).
#include "cnnlens/layers/batchnorm1d.hpp"

namespace cnnlens {

const LayerKind& batchnorm1d_kind() {
  static const LayerKind kind = [] {
    LayerKind k;
    k.type = "batchnorm1d";
    k.title = "Batch normalization (1-D)";
    k.pytorch = "nn.BatchNorm1d";
    k.onnx = "BatchNormalization";
    k.help_key = "kind.batchnorm1d";
    k.fields = batchnorm_fields();
    k.tensor_names = {"weight", "bias", "running_mean", "running_var"};
    k.output_shape = [](const NodeSpec& node, const InputShapes& inputs) {
      require_vector(node, inputs[0]);
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
