// Every error code of the core (Module.errorCodes(), core/src/error_codes.cpp) worded in English
// (errorWordsZh.ts: in Chinese, loaded with the Chinese table), from the error's values
// (Error.details), not from its English text.
// coreErrors.ts adds where it happened (the card's name) in front. A code missing here fails
// tests/browser/core-errors.test.mjs.

/** What a wording gets: the core's values, and the field's label in the reader's language. */
export interface ErrorFacts {
  d: Record<string, unknown>;
  /** the setting's label as the card shows it ("kernel size"), or '' */
  field: string;
}

export type Words = (f: ErrorFacts) => string;

// ------------------------------------------------------------------ value helpers

export const num = (v: unknown): string => (typeof v === 'number' ? String(v) : typeof v === 'string' ? v : v === undefined ? '?' : JSON.stringify(v));
export const int = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
/** [9, 9] -> "9×9"; a shape [1, 6, 6] -> "1×6×6"; a number stays as it is */
export const dims = (v: unknown): string => (Array.isArray(v) ? v.join('×') : num(v));
export const count = (v: unknown): number => (Array.isArray(v) ? v.reduce((a: number, b) => a * int(b), 1) : int(v));
/** English plural: "1 value", "2 values" */
export const pl = (n: number, one: string, many: string) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
export const list = (v: unknown, sep: string) => (Array.isArray(v) ? v.map(num).join(sep) : num(v));
export const enField = (f: ErrorFacts, fallback = 'this value') => f.field || fallback;
/** a 1-based position from the core's 0-based index */
export const nth = (v: unknown) => int(v) + 1;
/** where a cell is: (channel, row, column) 1-based, or element n */
function cellEn(d: Record<string, unknown>): string {
  if (Array.isArray(d.cell)) { const [c, r, k] = d.cell.map(int); return `channel ${c + 1}, row ${r + 1}, column ${k + 1}`; }
  return `element ${nth(d.index)}`;
}
export const op = (d: Record<string, unknown>) => (typeof d.op_type === 'string' ? d.op_type : 'ONNX');
/**
 * What the core's JSON reader (nlohmann::json) said of a text that is not JSON, from its reason:
 * a number beyond any float ("number overflow parsing '1e999'"), or the place of a syntax error
 * ("parse error at line 2, column 8: ..."), so the reader knows what to fix and where.
 */
export function jsonProblem(d: Record<string, unknown>): { tooLarge: string | null; line: number | null; column: number | null } {
  const reason = typeof d.reason === 'string' ? d.reason : '';
  const big = /number overflow parsing '([^']*)'/.exec(reason);
  const at = /at line (\d+), column (\d+)/.exec(reason);
  return { tooLarge: big ? big[1] : null, line: at ? Number(at[1]) : null, column: at ? Number(at[2]) : null };
}

// ------------------------------------------------------------------ the wordings

/** JSON's kinds of value, as the core names them (nlohmann's type_name), in words. */
const JSON_KINDS_EN: Record<string, string> = {
  object: 'an object ({ … })', array: 'a list ([ … ])', string: 'text in quotes', number: 'a number', boolean: 'true or false', null: 'null',
};

export const errorWords: Record<string, Words> = {
  bad_choice: (f) => `${enField(f)} must be one of ${list(f.d.choices, ', ')} (not ${num(f.d.got)})`,
  bad_id: (f) => `the name “${num(f.d.got)}” may use only letters, digits and _ . : / - (1 to 128 of them), and “input” is taken by the network's input`,
  bad_loss: (f) => `the loss must be mean squared error, cross-entropy or none (not ${num(f.d.got)})`,
  bad_mode: (f) => `the mode must be train or eval (not ${num(f.d.got)})`,
  bad_padding: (f) => `${enField(f, 'the padding')} must be a whole number, a pair [height, width] or four numbers [top, left, bottom, right]`,
  bad_pair: (f) => `${enField(f)} must be a whole number or a pair [height, width]`,
  bad_shape: () => 'the input shape must be [channels, height, width] or [features] (with a batch in front: [N, …])',
  batch_not_splittable: () => 'this network mixes the samples of a batch while training (batch norm or dropout), so its batches can’t be shared between workers',
  batch_too_large: (f) => `${pl(int(f.d.count), 'sample', 'samples')} at once are more than the ${int(f.d.max).toLocaleString('en')} that fit in memory`,
  cell_out_of_range: (f) => `${cellEn(f.d)} is outside ${enField(f, 'the tensor')}${f.d.count !== undefined ? ` (it has ${pl(int(f.d.count), 'value', 'values')})` : f.d.shape ? ` (${dims(f.d.shape)})` : ''}`,
  class_out_of_range: (f) => `class ${num(f.d.class)} does not exist: the output has ${pl(int(f.d.classes), 'class', 'classes')} (0 to ${int(f.d.classes) - 1})`,
  diverged: (f) => `training stopped: a weight became infinite or not a number (the learning rate ${num(f.d.lr)} is probably too high); the last good values are kept`,
  duplicate_id: (f) => `the name “${num(f.d.id)}” is used twice`,
  empty_batch: () => 'the batch has no samples',
  empty_network: () => 'the network is empty: it needs at least one layer',
  empty_output: (f) => `its output would be empty (${dims(f.d.output)})`,
  forward_reference: (f) => `it reads “${num(f.d.input)}”, which comes later or is itself: a layer reads only earlier ones`,
  groups_mismatch: (f) => `${enField(f, 'the groups')} (${num(f.d.groups)}) must divide both the ${pl(int(f.d.in_channels), 'input channel', 'input channels')} and the ${pl(int(f.d.out_channels), 'output channel', 'output channels')}`,
  input_count: (f) => `it takes ${f.d.min === f.d.max ? pl(int(f.d.min), 'input', 'inputs') : `${num(f.d.min)} to ${num(f.d.max)} inputs`}, not ${int(f.d.got)}`,
  internal: () => 'an unexpected internal error happened; the previous state is kept',
  invalid_scene: () => 'this request is not valid for the network',
  kernel_too_large: (f) => `${enField(f, 'the kernel size')} ${dims(f.d.kernel_size)}${f.d.span && dims(f.d.span) !== dims(f.d.kernel_size) ? ` (spanning ${dims(f.d.span)} with its dilation)` : ''} is larger than the padded input ${dims(f.d.padded)}`,
  layers_and_nodes: () => 'a scene has either a list of layers (version 1) or a list of nodes (version 2), not both',
  loss_not_finite: () => 'training stopped: the loss became infinite or NaN (not a number); lower the learning rate or reset the weights',
  missing_field: (f) => `${enField(f, 'a required value')} is missing`,
  missing_targets: () => 'every sample needs a target',
  needs_class_scores: (f) => `cross-entropy needs one score per class (a vector), but the network's output is ${dims(f.d.output)}; end the network with Flatten and Dense`,
  needs_map: (f) => `it needs feature maps (channels × height × width) but gets a vector of ${pl(count(f.d.got), 'value', 'values')}: 2-D layers must come before Flatten`,
  needs_vector: (f) => `it needs a vector but gets ${dims(f.d.got)} maps: add a Flatten layer before it`,
  nesterov_needs_momentum: () => 'Nesterov needs a momentum above 0',
  no_loss: () => 'this network has no loss, so there is nothing to train and no gradient to explain',
  no_such_node: (f) => (f.d.id !== undefined ? `the network has no layer named “${num(f.d.id)}”` : `there is no layer ${nth(f.d.layer)}: the network has ${pl(int(f.d.count), 'layer', 'layers')}`),
  no_shard_gradients: () => 'there are no gradients to apply yet (a shard’s, or ones set from the shards’ sum)',
  no_such_parameter: (f) => `it has no parameter “${num(f.d.name)}”`,
  no_such_tensor: (f) => `it has no tensor “${num(f.d.name)}”`,
  not_a_boolean: (f) => `${enField(f)} must be on or off (true or false)`,
  not_a_number: (f) => `${enField(f)} must be a number`,
  not_an_array: (f) => `${enField(f)} must be a list of numbers`,
  not_an_integer: (f) => `${enField(f)} must be a whole number`,
  not_finite: (f) => `${f.d.sample !== undefined ? `value ${nth(f.d.index)} of sample ${nth(f.d.sample)}: ` : ''}${enField(f, 'every value')} must be a finite number`,
  not_json: (f) => {
    const p = jsonProblem(f.d);
    if (p.tooLarge) return `the number ${p.tooLarge} is too large for a 32-bit float (at most about 3.4e38)`;
    return `the text is not valid JSON${p.line ? ` (line ${p.line}, column ${p.column})` : ''}, so it is not a scene`;
  },
  one_value_per_channel: (f) => `batch normalisation needs more than one value per channel when training, but its input is ${dims(f.d.input)}: train on a batch of at least 2 samples, or use eval mode`,
  onnx_argument: () => 'the ONNX reader was given something that is not a file’s bytes',
  onnx_constant_activation: (f) => `${op(f.d)} gets a constant where the network's data should flow`,
  onnx_element_type: (f) => `${op(f.d)} uses a number type CNN Lens does not read (it computes in 32-bit floats)`,
  onnx_export_unsupported: (f) => (f.d.padding_mode !== undefined ? 'circular padding has no form in ONNX; use zeros, reflect or replicate padding' : 'this kind of layer cannot be written as ONNX yet'),
  onnx_expression: (f) => `${op(f.d)} computes constants in a way CNN Lens does not simplify`,
  onnx_external_data: (f) => `the file keeps the weights of “${num(f.d.tensor)}” in a separate file; save the model with its weights inside`,
  onnx_input_shape: () => "the model's input must be [N, channels, height, width] or [N, features], with every size but N known",
  onnx_inputs: () => 'the model must have exactly one input',
  onnx_malformed: (f) => `the file is damaged or not an ONNX model${f.d.op_type ? ` (at ${op(f.d)})` : ''}`,
  onnx_missing_input: (f) => `${op(f.d)} lacks one of its inputs`,
  onnx_not_constant: (f) => `${op(f.d)} needs a constant here (a stored weight or a value computed from them)`,
  onnx_not_finite: (f) => `the model stores a value that is not a finite number${f.d.tensor !== undefined ? ` in “${num(f.d.tensor)}”` : ''} (NaN or infinity), so its numbers cannot be shown or trained`,
  onnx_not_scalar: (f) => `${op(f.d)} needs a single value here`,
  onnx_opset: (f) => (f.d.opset !== undefined ? `ONNX opset ${num(f.d.opset)} is not supported (opsets 7 to 20 are read)` : 'the model names no ONNX opset'),
  onnx_out_of_range: (f) => `${op(f.d)} uses a value out of the range CNN Lens supports`,
  onnx_outputs: () => 'the model must have exactly one output computed from its input',
  onnx_too_large: (f) => (f.d.megabytes !== undefined ? `the file is ${num(f.d.megabytes)} MB, more than the limit of ${num(f.d.max)} MB` : `the tensor “${num(f.d.tensor)}” has more than ${int(f.d.max).toLocaleString('en')} values, the limit`),
  onnx_transpose_activation: () => "the model moves channels last (a Transpose of the data, as tf2onnx writes); export it in PyTorch's channels-first layout",
  onnx_unknown_value: (f) => `${op(f.d)} reads a value that no earlier node or weight gives`,
  onnx_unsupported_attribute: (f) => `${op(f.d)} uses a setting CNN Lens does not support`,
  onnx_unsupported_op: (f) => `the operation ${op(f.d)} is not supported`,
  onnx_unsupported_shape: (f) => `${op(f.d)} is used with shapes CNN Lens does not read`,
  optimizer_state_mismatch: () => 'the saved optimizer state belongs to other weights, so the optimizer starts afresh',
  out_of_memory: () => 'the network is too large for the memory of this page',
  out_of_range: (f) => (f.d.min === undefined ? `${enField(f)} is out of range`
    : f.d.min_open || f.d.max_open
      ? `${enField(f)}${f.d.value !== undefined ? ` ${num(f.d.value)}` : ''} must be ${f.d.min_open ? 'more than' : 'at least'} ${num(f.d.min)} and ${f.d.max_open ? 'less than' : 'at most'} ${num(f.d.max)}`
      : `${enField(f)}${f.d.value !== undefined ? ` ${num(f.d.value)}` : ''} is outside the allowed range ${num(f.d.min)} to ${num(f.d.max)}`),
  output_padding_too_large: (f) => `${enField(f, 'the output padding')} ${dims(f.d.output_padding)} must be smaller than the stride ${dims(f.d.stride)} or the dilation ${dims(f.d.dilation)} in each direction`,
  padding_too_large: (f) => (f.d.span !== undefined ? `${enField(f, 'the padding')} can be at most half of the window ${dims(f.d.span)}` : `${enField(f, 'the padding')} is too large for the input ${dims(f.d.input)}`),
  parameters_mismatch: (f) => `${enField(f)} (${num(f.d.num_parameters)}) must be 1 or the input's ${pl(int(f.d.channels), 'channel', 'channels')}`,
  scene_too_large: (f) => `the scene is ${num(f.d.megabytes)} MB, more than the limit of ${num(f.d.max)} MB`,
  shape_mismatch: (f) => `input ${nth(f.d.input)} is ${dims(f.d.shape)}, but the first input is ${dims(f.d.expected)}${f.d.axis !== undefined ? ' (only the channels may differ)' : ' (they must be the same shape)'}`,
  target_batch_mismatch: (f) => `the target needs one entry per sample (${num(f.d.batch)}), but it has ${num(f.d.got)}`,
  target_size: (f) => (f.d.expected !== undefined ? `the target has ${pl(int(f.d.got), 'value', 'values')}, but the network's output ${dims(f.d.output)} has ${int(f.d.expected)}` : 'every sample\'s target must have the same number of values'),
  target_without_loss: () => 'a network without a loss takes no target',
  tensor_size: (f) => `${enField(f, 'it')} must have ${f.d.expected !== undefined ? pl(int(f.d.expected), 'value', 'values') : 'fewer values'}${f.d.shape ? ` (${dims(f.d.shape)})` : ''}${f.d.got !== undefined ? `, not ${int(f.d.got).toLocaleString('en')}` : ''}`,
  tensor_too_large: (f) => `${f.d.output !== undefined ? `its output ${dims(f.d.output)}` : f.d.shape !== undefined ? `the input ${dims(f.d.shape)}` : enField(f, 'it')} would hold more than ${pl(int(f.d.max), 'value', 'values')}, the limit`,
  too_many_nodes: (f) => `the network has ${f.d.count !== undefined ? `${int(f.d.count).toLocaleString('en')} layers, ` : ''}more than the limit of ${pl(int(f.d.max), 'layer', 'layers')}`,
  too_many_parameters: (f) => `the network would have more than ${pl(int(f.d.max), 'parameter', 'parameters')}, the limit`,
  too_many_values: (f) => `${enField(f)} has ${pl(int(f.d.count), 'value', 'values')}, more than the limit of ${int(f.d.max).toLocaleString('en')}`,
  too_much_compute: (f) => `the network would need more than ${pl(int(f.d.max), 'multiply-add', 'multiply-adds')} per sample, too slow to stay interactive`,
  unknown_field: (f) => `it has no setting “${f.field || '?'}”`,
  unknown_input: (f) => `it reads “${num(f.d.input)}”, which is not a layer of this network`,
  unknown_optimizer: (f) => `there is no optimizer called “${num(f.d.got)}” (there are SGD, Adam and AdamW)`,
  unknown_tensor: (f) => `it has no tensor “${num(f.d.tensor)}” to explain`,
  unknown_type: (f) => `there is no layer type “${num(f.d.got)}”`,
  unread_node: () => "nothing reads its output; only the last layer's output may go unread (it is the network's output)",
  unsupported_version: (f) => `scene version ${num(f.d.got)} is not supported (this page reads versions 1 and 2)`,
  wrong_kind: (f) => `it is not a ${num(f.d.wanted)} layer`,
  wrong_type: (f) => {
    const expected = JSON_KINDS_EN[num(f.d.expected)];
    const got = JSON_KINDS_EN[num(f.d.got)];
    return expected ? `${enField(f, 'the scene')} must be ${expected}${got ? `, not ${got}` : ''}` : `${enField(f)} has the wrong kind of value`;
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
  height: { en: 'the height', zh: '高度' }, width: { en: 'the width', zh: '宽度' }, channels: { en: 'the number of channels', zh: '通道数' },
};
