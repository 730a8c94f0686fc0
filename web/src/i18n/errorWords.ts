// Every error code of the core (Module.errorCodes(), core/src/error_codes.cpp) worded in each
// language the page speaks, from the error's values (Error.details), not from its English text.
// coreErrors.ts adds where it happened (the card's name) in front. A code missing here fails
// tests/browser/core-errors.test.mjs.

/** What a wording gets: the core's values, and the field's label in the reader's language. */
export interface ErrorFacts {
  d: Record<string, unknown>;
  /** the setting's label as the card shows it ("kernel size"), or '' */
  field: string;
}

type Words = (f: ErrorFacts) => string;
export interface ErrorWords { en: Words; zh: Words }

// ------------------------------------------------------------------ value helpers

const num = (v: unknown): string => (typeof v === 'number' ? String(v) : typeof v === 'string' ? v : v === undefined ? '?' : JSON.stringify(v));
const int = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
/** [9, 9] -> "9×9"; a shape [1, 6, 6] -> "1×6×6"; a number stays as it is */
const dims = (v: unknown): string => (Array.isArray(v) ? v.join('×') : num(v));
const count = (v: unknown): number => (Array.isArray(v) ? v.reduce((a: number, b) => a * int(b), 1) : int(v));
/** English plural: "1 value", "2 values" */
const pl = (n: number, one: string, many: string) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
const zhNum = (n: number) => n.toLocaleString('zh-CN');
const list = (v: unknown, sep: string) => (Array.isArray(v) ? v.map(num).join(sep) : num(v));
const enField = (f: ErrorFacts, fallback = 'this value') => f.field || fallback;
const zhField = (f: ErrorFacts, fallback = '这个值') => f.field || fallback;
/** a 1-based position from the core's 0-based index */
const nth = (v: unknown) => int(v) + 1;
/** where a cell is: (channel, row, column) 1-based, or element n */
function cellEn(d: Record<string, unknown>): string {
  if (Array.isArray(d.cell)) { const [c, r, k] = d.cell.map(int); return `channel ${c + 1}, row ${r + 1}, column ${k + 1}`; }
  return `element ${nth(d.index)}`;
}
function cellZh(d: Record<string, unknown>): string {
  if (Array.isArray(d.cell)) { const [c, r, k] = d.cell.map(int); return `第 ${c + 1} 通道第 ${r + 1} 行第 ${k + 1} 列`; }
  return `第 ${nth(d.index)} 个元素`;
}
const op = (d: Record<string, unknown>) => (typeof d.op_type === 'string' ? d.op_type : 'ONNX');

// ------------------------------------------------------------------ the wordings

export const errorWords: Record<string, ErrorWords> = {
  bad_choice: {
    en: (f) => `${enField(f)} must be one of ${list(f.d.choices, ', ')} (not ${num(f.d.got)})`,
    zh: (f) => `${zhField(f)}只能是 ${list(f.d.choices, '、')} 之一（而不是 ${num(f.d.got)}）`,
  },
  bad_id: {
    en: (f) => `the name “${num(f.d.got)}” may use only letters, digits and _ . : / - (1 to 128 of them), and “input” is taken by the network's input`,
    zh: (f) => `名称“${num(f.d.got)}”只能由 1 到 128 个字母、数字或 _ . : / - 组成，且“input”留给网络的输入`,
  },
  bad_loss: {
    en: (f) => `the loss must be mean squared error, cross-entropy or none (not ${num(f.d.got)})`,
    zh: (f) => `损失只能是均方误差、交叉熵或无（而不是 ${num(f.d.got)}）`,
  },
  bad_mode: {
    en: (f) => `the mode must be train or eval (not ${num(f.d.got)})`,
    zh: (f) => `模式只能是训练或评估（而不是 ${num(f.d.got)}）`,
  },
  bad_padding: {
    en: (f) => `${enField(f, 'the padding')} must be a whole number, a pair [height, width] or four numbers [top, left, bottom, right]`,
    zh: (f) => `${zhField(f, '填充')}必须是一个整数、一对 [高, 宽] 或四个数 [上, 左, 下, 右]`,
  },
  bad_pair: {
    en: (f) => `${enField(f)} must be a whole number or a pair [height, width]`,
    zh: (f) => `${zhField(f)}必须是一个整数或一对 [高, 宽]`,
  },
  bad_shape: {
    en: () => 'the input shape must be [channels, height, width] or [features] (with a batch in front: [N, …])',
    zh: () => '输入的形状必须是 [通道, 高, 宽] 或 [特征数]（有批次时前面再加 N）',
  },
  batch_too_large: {
    en: (f) => `${pl(int(f.d.count), 'sample', 'samples')} at once are more than the ${int(f.d.max).toLocaleString('en')} that fit in memory`,
    zh: (f) => `一次 ${zhNum(int(f.d.count))} 个样本，超过了内存能容纳的 ${zhNum(int(f.d.max))} 个`,
  },
  cell_out_of_range: {
    en: (f) => `${cellEn(f.d)} is outside ${enField(f, 'the tensor')}${f.d.count !== undefined ? ` (it has ${pl(int(f.d.count), 'value', 'values')})` : f.d.shape ? ` (${dims(f.d.shape)})` : ''}`,
    zh: (f) => `${cellZh(f.d)}超出了${zhField(f, '张量')}的范围${f.d.count !== undefined ? `（共 ${zhNum(int(f.d.count))} 个值）` : f.d.shape ? `（${dims(f.d.shape)}）` : ''}`,
  },
  class_out_of_range: {
    en: (f) => `class ${num(f.d.class)} does not exist: the output has ${pl(int(f.d.classes), 'class', 'classes')} (0 to ${int(f.d.classes) - 1})`,
    zh: (f) => `不存在类别 ${num(f.d.class)}：输出只有 ${zhNum(int(f.d.classes))} 个类别（0 到 ${int(f.d.classes) - 1}）`,
  },
  diverged: {
    en: (f) => `training stopped: a weight became infinite or not a number (the learning rate ${num(f.d.lr)} is probably too high); the last good values are kept`,
    zh: (f) => `训练已停止：有参数变成了无穷大或非数（学习率 ${num(f.d.lr)} 可能太大）；保留了最后一组正常的值`,
  },
  duplicate_id: {
    en: (f) => `the name “${num(f.d.id)}” is used twice`,
    zh: (f) => `名称“${num(f.d.id)}”用了两次`,
  },
  empty_batch: {
    en: () => 'the batch has no samples',
    zh: () => '这个批次里没有样本',
  },
  empty_network: {
    en: () => 'the network is empty: it needs at least one layer',
    zh: () => '网络是空的：至少需要一层',
  },
  empty_output: {
    en: (f) => `its output would be empty (${dims(f.d.output)})`,
    zh: (f) => `它的输出会是空的（${dims(f.d.output)}）`,
  },
  forward_reference: {
    en: (f) => `it reads “${num(f.d.input)}”, which comes later or is itself: a layer reads only earlier ones`,
    zh: (f) => `它读取的“${num(f.d.input)}”在它之后或就是它自己：每一层只能读取前面的层`,
  },
  groups_mismatch: {
    en: (f) => `${enField(f, 'the groups')} (${num(f.d.groups)}) must divide both the ${pl(int(f.d.in_channels), 'input channel', 'input channels')} and the ${pl(int(f.d.out_channels), 'output channel', 'output channels')}`,
    zh: (f) => `${zhField(f, '分组数')}（${num(f.d.groups)}）必须同时整除输入通道数 ${num(f.d.in_channels)} 和输出通道数 ${num(f.d.out_channels)}`,
  },
  input_count: {
    en: (f) => `it takes ${f.d.min === f.d.max ? pl(int(f.d.min), 'input', 'inputs') : `${num(f.d.min)} to ${num(f.d.max)} inputs`}, not ${int(f.d.got)}`,
    zh: (f) => `它需要${f.d.min === f.d.max ? ` ${num(f.d.min)} ` : ` ${num(f.d.min)} 到 ${num(f.d.max)} `}个输入，而不是 ${num(f.d.got)} 个`,
  },
  internal: {
    en: () => 'an unexpected internal error happened; the previous state is kept',
    zh: () => '发生了意外的内部错误；保留了之前的状态',
  },
  invalid_scene: {
    en: () => 'this request is not valid for the network',
    zh: () => '这个请求对当前网络无效',
  },
  kernel_too_large: {
    en: (f) => `${enField(f, 'the kernel size')} ${dims(f.d.kernel_size)}${f.d.span && dims(f.d.span) !== dims(f.d.kernel_size) ? ` (spanning ${dims(f.d.span)} with its dilation)` : ''} is larger than the padded input ${dims(f.d.padded)}`,
    zh: (f) => `${zhField(f, '卷积核大小')} ${dims(f.d.kernel_size)}${f.d.span && dims(f.d.span) !== dims(f.d.kernel_size) ? `（加上膨胀后覆盖 ${dims(f.d.span)}）` : ''} 大于补零后的输入 ${dims(f.d.padded)}`,
  },
  layers_and_nodes: {
    en: () => 'a scene has either a list of layers (version 1) or a list of nodes (version 2), not both',
    zh: () => '一个场景只能有层列表（版本 1）或节点列表（版本 2），不能两者都有',
  },
  loss_not_finite: {
    en: () => 'training stopped: the loss became infinite or NaN (not a number); lower the learning rate or reset the weights',
    zh: () => '训练已停止：损失变成了无穷大或非数（NaN）；请降低学习率或重置权重',
  },
  missing_field: {
    en: (f) => `${enField(f, 'a required value')} is missing`,
    zh: (f) => `缺少${zhField(f, '必需的值')}`,
  },
  missing_targets: {
    en: () => 'every sample needs a target',
    zh: () => '每个样本都需要一个目标',
  },
  needs_class_scores: {
    en: (f) => `cross-entropy needs one score per class (a vector), but the network's output is ${dims(f.d.output)}; end the network with Flatten and Dense`,
    zh: (f) => `交叉熵需要每个类别一个分数（一个向量），但网络的输出是 ${dims(f.d.output)}；请在网络末尾加上展平和全连接层`,
  },
  needs_map: {
    en: (f) => `it needs feature maps (channels × height × width) but gets a vector of ${pl(count(f.d.got), 'value', 'values')}: 2-D layers must come before Flatten`,
    zh: (f) => `它需要特征图（通道 × 高 × 宽），但得到的是 ${zhNum(count(f.d.got))} 个值的向量：二维的层必须放在展平之前`,
  },
  needs_vector: {
    en: (f) => `it needs a vector but gets ${dims(f.d.got)} maps: add a Flatten layer before it`,
    zh: (f) => `它需要一个向量，但得到的是 ${dims(f.d.got)} 的特征图：请在它前面加一个展平层`,
  },
  nesterov_needs_momentum: {
    en: () => 'Nesterov needs a momentum above 0',
    zh: () => 'Nesterov 需要大于 0 的动量',
  },
  no_loss: {
    en: () => 'this network has no loss, so there is nothing to train and no gradient to explain',
    zh: () => '这个网络没有损失，所以无法训练，也没有梯度可解释',
  },
  no_such_node: {
    en: (f) => (f.d.id !== undefined ? `the network has no layer named “${num(f.d.id)}”` : `there is no layer ${nth(f.d.layer)}: the network has ${pl(int(f.d.count), 'layer', 'layers')}`),
    zh: (f) => (f.d.id !== undefined ? `网络中没有名为“${num(f.d.id)}”的层` : `不存在第 ${nth(f.d.layer)} 层：网络只有 ${zhNum(int(f.d.count))} 层`),
  },
  no_such_parameter: {
    en: (f) => `it has no parameter “${num(f.d.name)}”`,
    zh: (f) => `它没有参数“${num(f.d.name)}”`,
  },
  no_such_tensor: {
    en: (f) => `it has no tensor “${num(f.d.name)}”`,
    zh: (f) => `它没有张量“${num(f.d.name)}”`,
  },
  not_a_boolean: {
    en: (f) => `${enField(f)} must be on or off (true or false)`,
    zh: (f) => `${zhField(f)}只能是开或关（true 或 false）`,
  },
  not_a_number: {
    en: (f) => `${enField(f)} must be a number`,
    zh: (f) => `${zhField(f)}必须是一个数`,
  },
  not_an_array: {
    en: (f) => `${enField(f)} must be a list of numbers`,
    zh: (f) => `${zhField(f)}必须是一列数`,
  },
  not_an_integer: {
    en: (f) => `${enField(f)} must be a whole number`,
    zh: (f) => `${zhField(f)}必须是整数`,
  },
  not_finite: {
    en: (f) => `${f.d.sample !== undefined ? `value ${nth(f.d.index)} of sample ${nth(f.d.sample)}: ` : ''}${enField(f, 'every value')} must be a finite number`,
    zh: (f) => `${f.d.sample !== undefined ? `第 ${nth(f.d.sample)} 个样本的第 ${nth(f.d.index)} 个值：` : ''}${zhField(f, '每个值')}必须是有限的数`,
  },
  not_json: {
    en: () => 'the text is not valid JSON, so it is not a scene',
    zh: () => '这段文字不是有效的 JSON，所以不是场景',
  },
  one_value_per_channel: {
    en: (f) => `batch normalisation needs more than one value per channel when training, but its input is ${dims(f.d.input)}: train on a batch of at least 2 samples, or use eval mode`,
    zh: (f) => `批归一化在训练时每个通道需要不止一个值，但它的输入是 ${dims(f.d.input)}：请用至少 2 个样本的批次训练，或使用评估模式`,
  },
  onnx_argument: {
    en: () => 'the ONNX reader was given something that is not a file’s bytes',
    zh: () => '交给 ONNX 读取器的不是文件的字节内容',
  },
  onnx_constant_activation: {
    en: (f) => `${op(f.d)} gets a constant where the network's data should flow`,
    zh: (f) => `${op(f.d)} 在应该流入网络数据的地方得到了一个常量`,
  },
  onnx_element_type: {
    en: (f) => `${op(f.d)} uses a number type CNN Lens does not read (it computes in 32-bit floats)`,
    zh: (f) => `${op(f.d)} 使用了 CNN Lens 不支持的数值类型（它用 32 位浮点数计算）`,
  },
  onnx_export_unsupported: {
    en: (f) => (f.d.padding_mode !== undefined ? 'circular padding has no form in ONNX; use zeros, reflect or replicate padding' : 'this kind of layer cannot be written as ONNX yet'),
    zh: (f) => (f.d.padding_mode !== undefined ? '循环填充在 ONNX 中没有对应形式；请改用零填充、反射填充或复制填充' : '这种层暂时无法导出为 ONNX'),
  },
  onnx_expression: {
    en: (f) => `${op(f.d)} computes constants in a way CNN Lens does not simplify`,
    zh: (f) => `${op(f.d)} 计算常量的方式 CNN Lens 无法化简`,
  },
  onnx_external_data: {
    en: (f) => `the file keeps the weights of “${num(f.d.tensor)}” in a separate file; save the model with its weights inside`,
    zh: (f) => `文件把“${num(f.d.tensor)}”的权重存放在另一个文件中；请把权重一并保存在模型文件内`,
  },
  onnx_input_shape: {
    en: () => "the model's input must be [N, channels, height, width] or [N, features], with every size but N known",
    zh: () => '模型的输入必须是 [N, 通道, 高, 宽] 或 [N, 特征数]，除 N 之外的大小都必须已知',
  },
  onnx_inputs: {
    en: () => 'the model must have exactly one input',
    zh: () => '模型必须恰好有一个输入',
  },
  onnx_malformed: {
    en: (f) => `the file is damaged or not an ONNX model${f.d.op_type ? ` (at ${op(f.d)})` : ''}`,
    zh: (f) => `文件已损坏或不是 ONNX 模型${f.d.op_type ? `（在 ${op(f.d)} 处）` : ''}`,
  },
  onnx_missing_input: {
    en: (f) => `${op(f.d)} lacks one of its inputs`,
    zh: (f) => `${op(f.d)} 缺少一个输入`,
  },
  onnx_not_constant: {
    en: (f) => `${op(f.d)} needs a constant here (a stored weight or a value computed from them)`,
    zh: (f) => `${op(f.d)} 在这里需要一个常量（存储的权重或由权重算出的值）`,
  },
  onnx_not_finite: {
    en: (f) => `the model stores a value that is not a finite number${f.d.tensor !== undefined ? ` in “${num(f.d.tensor)}”` : ''} (NaN or infinity), so its numbers cannot be shown or trained`,
    zh: (f) => `模型${f.d.tensor !== undefined ? `在“${num(f.d.tensor)}”中` : ''}存有一个不是有限数的值（NaN 或无穷大），因此无法显示或训练它的数字`,
  },
  onnx_not_scalar: {
    en: (f) => `${op(f.d)} needs a single value here`,
    zh: (f) => `${op(f.d)} 在这里需要单个值`,
  },
  onnx_opset: {
    en: (f) => (f.d.opset !== undefined ? `ONNX opset ${num(f.d.opset)} is not supported (opsets 7 to 20 are read)` : 'the model names no ONNX opset'),
    zh: (f) => (f.d.opset !== undefined ? `不支持 ONNX 算子集版本 ${num(f.d.opset)}（支持 7 到 20）` : '模型没有声明 ONNX 算子集版本'),
  },
  onnx_out_of_range: {
    en: (f) => `${op(f.d)} uses a value out of the range CNN Lens supports`,
    zh: (f) => `${op(f.d)} 使用的值超出了 CNN Lens 支持的范围`,
  },
  onnx_outputs: {
    en: () => 'the model must have exactly one output computed from its input',
    zh: () => '模型必须恰好有一个由输入计算出的输出',
  },
  onnx_too_large: {
    en: (f) => (f.d.megabytes !== undefined ? `the file is ${num(f.d.megabytes)} MB, more than the limit of ${num(f.d.max)} MB` : `the tensor “${num(f.d.tensor)}” has more than ${int(f.d.max).toLocaleString('en')} values, the limit`),
    zh: (f) => (f.d.megabytes !== undefined ? `文件大小 ${num(f.d.megabytes)} MB，超过了 ${num(f.d.max)} MB 的上限` : `张量“${num(f.d.tensor)}”超过了 ${zhNum(int(f.d.max))} 个值的上限`),
  },
  onnx_transpose_activation: {
    en: () => "the model moves channels last (a Transpose of the data, as tf2onnx writes); export it in PyTorch's channels-first layout",
    zh: () => '模型把通道放到了最后（对数据做了转置，tf2onnx 会这样导出）；请按 PyTorch 的通道在前布局导出',
  },
  onnx_unknown_value: {
    en: (f) => `${op(f.d)} reads a value that no earlier node or weight gives`,
    zh: (f) => `${op(f.d)} 读取的值没有任何前面的节点或权重提供`,
  },
  onnx_unsupported_attribute: {
    en: (f) => `${op(f.d)} uses a setting CNN Lens does not support`,
    zh: (f) => `${op(f.d)} 使用了 CNN Lens 不支持的设置`,
  },
  onnx_unsupported_op: {
    en: (f) => `the operation ${op(f.d)} is not supported`,
    zh: (f) => `不支持运算 ${op(f.d)}`,
  },
  onnx_unsupported_shape: {
    en: (f) => `${op(f.d)} is used with shapes CNN Lens does not read`,
    zh: (f) => `${op(f.d)} 使用了 CNN Lens 不支持的形状`,
  },
  optimizer_state_mismatch: {
    en: () => 'the saved optimizer state belongs to other weights, so the optimizer starts afresh',
    zh: () => '保存的优化器状态属于另一组权重，所以优化器重新开始',
  },
  out_of_memory: {
    en: () => 'the network is too large for the memory of this page',
    zh: () => '网络太大，超出了这个页面的内存',
  },
  out_of_range: {
    en: (f) => (f.d.min !== undefined ? `${enField(f)}${f.d.value !== undefined ? ` ${num(f.d.value)}` : ''} is outside the allowed range ${num(f.d.min)} to ${num(f.d.max)}` : `${enField(f)} is out of range`),
    zh: (f) => (f.d.min !== undefined ? `${zhField(f)}${f.d.value !== undefined ? ` ${num(f.d.value)} ` : ''}超出了允许的范围 ${num(f.d.min)} 到 ${num(f.d.max)}` : `${zhField(f)}超出了范围`),
  },
  output_padding_too_large: {
    en: (f) => `${enField(f, 'the output padding')} ${dims(f.d.output_padding)} must be smaller than the stride ${dims(f.d.stride)} or the dilation ${dims(f.d.dilation)} in each direction`,
    zh: (f) => `${zhField(f, '输出填充')} ${dims(f.d.output_padding)} 在每个方向上都必须小于步幅 ${dims(f.d.stride)} 或膨胀 ${dims(f.d.dilation)}`,
  },
  padding_too_large: {
    en: (f) => (f.d.span !== undefined ? `${enField(f, 'the padding')} can be at most half of the window ${dims(f.d.span)}` : `${enField(f, 'the padding')} is too large for the input ${dims(f.d.input)}`),
    zh: (f) => (f.d.span !== undefined ? `${zhField(f, '填充')}最多只能是窗口 ${dims(f.d.span)} 的一半` : `${zhField(f, '填充')}对输入 ${dims(f.d.input)} 来说太大了`),
  },
  parameters_mismatch: {
    en: (f) => `${enField(f)} (${num(f.d.num_parameters)}) must be 1 or the input's ${pl(int(f.d.channels), 'channel', 'channels')}`,
    zh: (f) => `${zhField(f)}（${num(f.d.num_parameters)}）必须是 1 或输入的通道数 ${num(f.d.channels)}`,
  },
  scene_too_large: {
    en: (f) => `the scene is ${num(f.d.megabytes)} MB, more than the limit of ${num(f.d.max)} MB`,
    zh: (f) => `场景大小 ${num(f.d.megabytes)} MB，超过了 ${num(f.d.max)} MB 的上限`,
  },
  shape_mismatch: {
    en: (f) => `input ${nth(f.d.input)} is ${dims(f.d.shape)}, but the first input is ${dims(f.d.expected)}${f.d.axis !== undefined ? ' (only the channels may differ)' : ' (they must be the same shape)'}`,
    zh: (f) => `第 ${nth(f.d.input)} 个输入是 ${dims(f.d.shape)}，但第一个输入是 ${dims(f.d.expected)}${f.d.axis !== undefined ? '（只有通道数可以不同）' : '（形状必须相同）'}`,
  },
  target_batch_mismatch: {
    en: (f) => `the target needs one entry per sample (${num(f.d.batch)}), but it has ${num(f.d.got)}`,
    zh: (f) => `目标需要每个样本一项（${num(f.d.batch)} 项），但只有 ${num(f.d.got)} 项`,
  },
  target_size: {
    en: (f) => (f.d.expected !== undefined ? `the target has ${pl(int(f.d.got), 'value', 'values')}, but the network's output ${dims(f.d.output)} has ${int(f.d.expected)}` : 'every sample\'s target must have the same number of values'),
    zh: (f) => (f.d.expected !== undefined ? `目标有 ${zhNum(int(f.d.got))} 个值，但网络的输出 ${dims(f.d.output)} 有 ${zhNum(int(f.d.expected))} 个` : '每个样本的目标必须有相同个数的值'),
  },
  target_without_loss: {
    en: () => 'a network without a loss takes no target',
    zh: () => '没有损失的网络不需要目标',
  },
  tensor_size: {
    en: (f) => `${enField(f, 'it')} must have ${f.d.expected !== undefined ? pl(int(f.d.expected), 'value', 'values') : 'fewer values'}${f.d.shape ? ` (${dims(f.d.shape)})` : ''}${f.d.got !== undefined ? `, not ${int(f.d.got).toLocaleString('en')}` : ''}`,
    zh: (f) => `${zhField(f, '它')}需要 ${f.d.expected !== undefined ? zhNum(int(f.d.expected)) : '更少的'} 个值${f.d.shape ? `（${dims(f.d.shape)}）` : ''}${f.d.got !== undefined ? `，而不是 ${zhNum(int(f.d.got))} 个` : ''}`,
  },
  tensor_too_large: {
    en: (f) => `${f.d.output !== undefined ? `its output ${dims(f.d.output)}` : f.d.shape !== undefined ? `the input ${dims(f.d.shape)}` : enField(f, 'it')} would hold more than ${pl(int(f.d.max), 'value', 'values')}, the limit`,
    zh: (f) => `${f.d.output !== undefined ? `它的输出 ${dims(f.d.output)} ` : f.d.shape !== undefined ? `输入 ${dims(f.d.shape)} ` : zhField(f, '它')}会超过 ${zhNum(int(f.d.max))} 个值的上限`,
  },
  too_many_nodes: {
    en: (f) => `the network has ${f.d.count !== undefined ? `${int(f.d.count).toLocaleString('en')} layers, ` : ''}more than the limit of ${pl(int(f.d.max), 'layer', 'layers')}`,
    zh: (f) => `网络${f.d.count !== undefined ? `有 ${zhNum(int(f.d.count))} 层，` : ''}超过了 ${zhNum(int(f.d.max))} 层的上限`,
  },
  too_many_parameters: {
    en: (f) => `the network would have more than ${pl(int(f.d.max), 'parameter', 'parameters')}, the limit`,
    zh: (f) => `网络的参数会超过 ${zhNum(int(f.d.max))} 个的上限`,
  },
  too_many_values: {
    en: (f) => `${enField(f)} has ${pl(int(f.d.count), 'value', 'values')}, more than the limit of ${int(f.d.max).toLocaleString('en')}`,
    zh: (f) => `${zhField(f)}有 ${zhNum(int(f.d.count))} 个值，超过了 ${zhNum(int(f.d.max))} 个的上限`,
  },
  too_much_compute: {
    en: (f) => `the network would need more than ${pl(int(f.d.max), 'multiply-add', 'multiply-adds')} per sample, too slow to stay interactive`,
    zh: (f) => `网络每个样本需要超过 ${zhNum(int(f.d.max))} 次乘加运算，太慢，无法保持交互`,
  },
  unknown_field: {
    en: (f) => `it has no setting “${f.field || '?'}”`,
    zh: (f) => `它没有“${f.field || '?'}”这项设置`,
  },
  unknown_input: {
    en: (f) => `it reads “${num(f.d.input)}”, which is not a layer of this network`,
    zh: (f) => `它读取的“${num(f.d.input)}”不是这个网络中的层`,
  },
  unknown_optimizer: {
    en: (f) => `there is no optimizer called “${num(f.d.got)}” (there are SGD, Adam and AdamW)`,
    zh: (f) => `没有名为“${num(f.d.got)}”的优化器（可用的有 SGD、Adam 和 AdamW）`,
  },
  unknown_tensor: {
    en: (f) => `it has no tensor “${num(f.d.tensor)}” to explain`,
    zh: (f) => `它没有可解释的张量“${num(f.d.tensor)}”`,
  },
  unknown_type: {
    en: (f) => `there is no layer type “${num(f.d.got)}”`,
    zh: (f) => `没有“${num(f.d.got)}”这种层`,
  },
  unread_node: {
    en: () => "nothing reads its output; only the last layer's output may go unread (it is the network's output)",
    zh: () => '没有任何层读取它的输出；只有最后一层的输出可以不被读取（它就是网络的输出）',
  },
  unsupported_version: {
    en: (f) => `scene version ${num(f.d.got)} is not supported (this page reads versions 1 and 2)`,
    zh: (f) => `不支持场景版本 ${num(f.d.got)}（本页面支持版本 1 和 2）`,
  },
  wrong_kind: {
    en: (f) => `it is not a ${num(f.d.wanted)} layer`,
    zh: (f) => `它不是${num(f.d.wanted) === 'pooling' ? '池化' : num(f.d.wanted) === 'conv2d' ? '卷积' : ` ${num(f.d.wanted)} `}层`,
  },
  wrong_type: {
    en: (f) => `${enField(f)} has the wrong kind of value${f.d.expected ? ` (expected ${num(f.d.expected)})` : ''}`,
    zh: (f) => `${zhField(f)}的值类型不对${f.d.expected === 'object' ? '（需要一个对象）' : ''}`,
  },
};

/** Field labels beyond the settings the cards show (S.settingNames), per language. */
export const fieldWords: Record<string, { en: string; zh: string }> = {
  input: { en: 'the input', zh: '输入' }, target: { en: 'the target', zh: '目标' }, targets: { en: 'the targets', zh: '目标' },
  loss: { en: 'the loss', zh: '损失' }, optimizer: { en: 'the optimizer', zh: '优化器' }, lr: { en: 'the learning rate', zh: '学习率' },
  momentum: { en: 'the momentum', zh: '动量' }, beta1: { en: 'β1', zh: 'β1' }, beta2: { en: 'β2', zh: 'β2' }, eps: { en: 'ε', zh: 'ε' },
  weight_decay: { en: 'the weight decay', zh: '权重衰减' }, nesterov: { en: 'Nesterov', zh: 'Nesterov' },
  steps: { en: 'the number of steps', zh: '步数' }, batch: { en: 'the batch', zh: '批次' }, batch_size: { en: 'the batch size', zh: '批大小' },
  labels: { en: 'the labels', zh: '标签' }, weight: { en: 'the weights', zh: '权重' }, bias: { en: 'the bias', zh: '偏置' },
  groups: { en: 'groups', zh: '分组数' }, output_padding: { en: 'output padding', zh: '输出填充' }, p: { en: 'the drop probability', zh: '丢弃概率' },
  num_parameters: { en: 'the number of slopes', zh: '斜率个数' }, inputs: { en: 'its inputs', zh: '输入来源' }, id: { en: 'the name', zh: '名称' },
  version: { en: 'the version', zh: '版本' }, nodes: { en: 'the layers', zh: '层列表' }, layers: { en: 'the layers', zh: '层列表' },
  mode: { en: 'the mode', zh: '模式' }, shape: { en: 'the shape', zh: '形状' }, data: { en: 'the data', zh: '数据' },
  padding_mode: { en: 'the padding mode', zh: '填充方式' }, layer: { en: 'the layer', zh: '层' },
  running_mean: { en: 'the running mean', zh: '滑动均值' }, running_var: { en: 'the running variance', zh: '滑动方差' },
  affine: { en: 'affine', zh: '仿射' }, track_running_stats: { en: 'running statistics', zh: '滑动统计' }, alpha: { en: 'α', zh: 'α' },
  approximate: { en: 'the approximation', zh: '近似方式' }, dim: { en: 'the axis', zh: '轴' }, value: { en: 'the value', zh: '值' },
  ceil_mode: { en: 'ceil mode', zh: '向上取整' }, count_include_pad: { en: 'counting the padding', zh: '计入填充' },
};
