// The core's error codes worded in Chinese (errorWords.ts: the English words, the facts they
// get and the shared value helpers). Part of the Chinese table's chunk (zh.ts): an English page
// never downloads it.
import { count, dims, int, jsonProblem, list, nth, num, op, type ErrorFacts, type Words } from './errorWords';

const zhNum = (n: number) => n.toLocaleString('zh-CN');
const zhField = (f: ErrorFacts, fallback = '这个值') => f.field || fallback;
function cellZh(d: Record<string, unknown>): string {
  if (Array.isArray(d.cell)) { const [c, r, k] = d.cell.map(int); return `第 ${c + 1} 通道第 ${r + 1} 行第 ${k + 1} 列`; }
  return `第 ${nth(d.index)} 个元素`;
}

/** JSON's kinds of value, as the core names them, in words. */
const JSON_KINDS_ZH: Record<string, string> = {
  object: '一个对象（{ … }）', array: '一个列表（[ … ]）', string: '带引号的文本', number: '一个数字', boolean: 'true 或 false', null: 'null',
};

export const zhErrorWords: Record<string, Words> = {
  bad_choice: (f) => `${zhField(f)}只能是 ${list(f.d.choices, '、')} 之一（而不是 ${num(f.d.got)}）`,
  bad_id: (f) => `名称“${num(f.d.got)}”只能由 1 到 128 个字母、数字或 _ . : / - 组成，且“input”留给网络的输入`,
  bad_loss: (f) => `损失只能是均方误差、交叉熵或无（而不是 ${num(f.d.got)}）`,
  bad_mode: (f) => `模式只能是训练或评估（而不是 ${num(f.d.got)}）`,
  bad_padding: (f) => `${zhField(f, '填充')}必须是一个整数、一对 [高, 宽] 或四个数 [上, 左, 下, 右]`,
  bad_pair: (f) => `${zhField(f)}必须是一个整数或一对 [高, 宽]`,
  bad_shape: () => '输入的形状必须是 [通道, 高, 宽] 或 [特征数]（有批次时前面再加 N）',
  batch_not_splittable: () => '这个网络在训练时会混合一个批次里的样本（批归一化或 dropout），所以不能把批次分给多个工作线程',
  batch_too_large: (f) => `一次 ${zhNum(int(f.d.count))} 个样本，超过了内存能容纳的 ${zhNum(int(f.d.max))} 个`,
  cell_out_of_range: (f) => `${cellZh(f.d)}超出了${zhField(f, '张量')}的范围${f.d.count !== undefined ? `（共 ${zhNum(int(f.d.count))} 个值）` : f.d.shape ? `（${dims(f.d.shape)}）` : ''}`,
  class_out_of_range: (f) => `不存在类别 ${num(f.d.class)}：输出只有 ${zhNum(int(f.d.classes))} 个类别（0 到 ${int(f.d.classes) - 1}）`,
  diverged: (f) => `训练已停止：有参数变成了无穷大或非数（学习率 ${num(f.d.lr)} 可能太大）；保留了最后一组正常的值`,
  duplicate_id: (f) => `名称“${num(f.d.id)}”用了两次`,
  empty_batch: () => '这个批次里没有样本',
  empty_network: () => '网络是空的：至少需要一层',
  empty_output: (f) => `它的输出会是空的（${dims(f.d.output)}）`,
  forward_reference: (f) => `它读取的“${num(f.d.input)}”在它之后或就是它自己：每一层只能读取前面的层`,
  groups_mismatch: (f) => `${zhField(f, '分组数')}（${num(f.d.groups)}）必须同时整除输入通道数 ${num(f.d.in_channels)} 和输出通道数 ${num(f.d.out_channels)}`,
  input_count: (f) => `它需要${f.d.min === f.d.max ? ` ${num(f.d.min)} ` : ` ${num(f.d.min)} 到 ${num(f.d.max)} `}个输入，而不是 ${num(f.d.got)} 个`,
  internal: () => '发生了意外的内部错误；保留了之前的状态',
  invalid_scene: () => '这个请求对当前网络无效',
  kernel_too_large: (f) => `${zhField(f, '卷积核大小')} ${dims(f.d.kernel_size)}${f.d.span && dims(f.d.span) !== dims(f.d.kernel_size) ? `（加上膨胀后覆盖 ${dims(f.d.span)}）` : ''} 大于补零后的输入 ${dims(f.d.padded)}`,
  layers_and_nodes: () => '一个场景只能有层列表（版本 1）或节点列表（版本 2），不能两者都有',
  loss_not_finite: () => '训练已停止：损失变成了无穷大或非数（NaN）；请降低学习率或重置权重',
  missing_field: (f) => `缺少${zhField(f, '必需的值')}`,
  missing_targets: () => '每个样本都需要一个目标',
  needs_class_scores: (f) => `交叉熵需要每个类别一个分数（一个向量），但网络的输出是 ${dims(f.d.output)}；请在网络末尾加上展平和全连接层`,
  needs_map: (f) => `它需要特征图（通道 × 高 × 宽），但得到的是 ${zhNum(count(f.d.got))} 个值的向量：二维的层必须放在展平之前`,
  needs_vector: (f) => `它需要一个向量，但得到的是 ${dims(f.d.got)} 的特征图：请在它前面加一个展平层`,
  nesterov_needs_momentum: () => 'Nesterov 需要大于 0 的动量',
  no_loss: () => '这个网络没有损失，所以无法训练，也没有梯度可解释',
  no_such_node: (f) => (f.d.id !== undefined ? `网络中没有名为“${num(f.d.id)}”的层` : `不存在第 ${nth(f.d.layer)} 层：网络只有 ${zhNum(int(f.d.count))} 层`),
  no_shard_gradients: () => '还没有可以应用的梯度（分片的梯度，或由各分片之和设置的梯度）',
  no_such_parameter: (f) => `它没有参数“${num(f.d.name)}”`,
  no_such_tensor: (f) => `它没有张量“${num(f.d.name)}”`,
  not_a_boolean: (f) => `${zhField(f)}只能是开或关（true 或 false）`,
  not_a_number: (f) => `${zhField(f)}必须是一个数`,
  not_an_array: (f) => `${zhField(f)}必须是一列数`,
  not_an_integer: (f) => `${zhField(f)}必须是整数`,
  not_finite: (f) => `${f.d.sample !== undefined ? `第 ${nth(f.d.sample)} 个样本的第 ${nth(f.d.index)} 个值：` : ''}${zhField(f, '每个值')}必须是有限的数`,
  not_json: (f) => {
    const p = jsonProblem(f.d);
    if (p.tooLarge) return `数 ${p.tooLarge} 超出了 32 位浮点数的范围（绝对值最大约为 3.4e38）`;
    return `这段文字不是有效的 JSON${p.line ? `（第 ${p.line} 行第 ${p.column} 列）` : ''}，所以不是场景`;
  },
  one_value_per_channel: (f) => `批归一化在训练时每个通道需要不止一个值，但它的输入是 ${dims(f.d.input)}：请用至少 2 个样本的批次训练，或使用评估模式`,
  onnx_argument: () => '交给 ONNX 读取器的不是文件的字节内容',
  onnx_constant_activation: (f) => `${op(f.d)} 在应该流入网络数据的地方得到了一个常量`,
  onnx_element_type: (f) => `${op(f.d)} 使用了 CNN Lens 不支持的数值类型（它用 32 位浮点数计算）`,
  onnx_export_unsupported: (f) => (f.d.padding_mode !== undefined ? '循环填充在 ONNX 中没有对应形式；请改用零填充、反射填充或复制填充' : '这种层暂时无法导出为 ONNX'),
  onnx_expression: (f) => `${op(f.d)} 计算常量的方式 CNN Lens 无法化简`,
  onnx_external_data: (f) => `文件把“${num(f.d.tensor)}”的权重存放在另一个文件中；请把权重一并保存在模型文件内`,
  onnx_input_shape: () => '模型的输入必须是 [N, 通道, 高, 宽] 或 [N, 特征数]，除 N 之外的大小都必须已知',
  onnx_inputs: () => '模型必须恰好有一个输入',
  onnx_malformed: (f) => `文件已损坏或不是 ONNX 模型${f.d.op_type ? `（在 ${op(f.d)} 处）` : ''}`,
  onnx_missing_input: (f) => `${op(f.d)} 缺少一个输入`,
  onnx_not_constant: (f) => `${op(f.d)} 在这里需要一个常量（存储的权重或由权重算出的值）`,
  onnx_not_finite: (f) => `模型${f.d.tensor !== undefined ? `在“${num(f.d.tensor)}”中` : ''}存有一个不是有限数的值（NaN 或无穷大），因此无法显示或训练它的数字`,
  onnx_not_scalar: (f) => `${op(f.d)} 在这里需要单个值`,
  onnx_opset: (f) => (f.d.opset !== undefined ? `不支持 ONNX 算子集版本 ${num(f.d.opset)}（支持 7 到 20）` : '模型没有声明 ONNX 算子集版本'),
  onnx_out_of_range: (f) => `${op(f.d)} 使用的值超出了 CNN Lens 支持的范围`,
  onnx_outputs: () => '模型必须恰好有一个由输入计算出的输出',
  onnx_too_large: (f) => (f.d.megabytes !== undefined ? `文件大小 ${num(f.d.megabytes)} MB，超过了 ${num(f.d.max)} MB 的上限` : `张量“${num(f.d.tensor)}”超过了 ${zhNum(int(f.d.max))} 个值的上限`),
  onnx_transpose_activation: () => '模型把通道放到了最后（对数据做了转置，tf2onnx 会这样导出）；请按 PyTorch 的通道在前布局导出',
  onnx_unknown_value: (f) => `${op(f.d)} 读取的值没有任何前面的节点或权重提供`,
  onnx_unsupported_attribute: (f) => `${op(f.d)} 使用了 CNN Lens 不支持的设置`,
  onnx_unsupported_op: (f) => `不支持运算 ${op(f.d)}`,
  onnx_unsupported_shape: (f) => `${op(f.d)} 使用了 CNN Lens 不支持的形状`,
  optimizer_state_mismatch: () => '保存的优化器状态属于另一组权重，所以优化器重新开始',
  out_of_memory: () => '网络太大，超出了这个页面的内存',
  out_of_range: (f) => (f.d.min === undefined ? `${zhField(f)}超出了范围`
    : f.d.min_open || f.d.max_open
      ? `${zhField(f)}${f.d.value !== undefined ? ` ${num(f.d.value)} ` : ''}必须${f.d.min_open ? '大于' : '不小于'} ${num(f.d.min)} 且${f.d.max_open ? '小于' : '不大于'} ${num(f.d.max)}`
      : `${zhField(f)}${f.d.value !== undefined ? ` ${num(f.d.value)} ` : ''}超出了允许的范围 ${num(f.d.min)} 到 ${num(f.d.max)}`),
  output_padding_too_large: (f) => `${zhField(f, '输出填充')} ${dims(f.d.output_padding)} 在每个方向上都必须小于步幅 ${dims(f.d.stride)} 或膨胀 ${dims(f.d.dilation)}`,
  padding_too_large: (f) => (f.d.span !== undefined ? `${zhField(f, '填充')}最多只能是窗口 ${dims(f.d.span)} 的一半` : `${zhField(f, '填充')}对输入 ${dims(f.d.input)} 来说太大了`),
  parameters_mismatch: (f) => `${zhField(f)}（${num(f.d.num_parameters)}）必须是 1 或输入的通道数 ${num(f.d.channels)}`,
  scene_too_large: (f) => `场景大小 ${num(f.d.megabytes)} MB，超过了 ${num(f.d.max)} MB 的上限`,
  shape_mismatch: (f) => `第 ${nth(f.d.input)} 个输入是 ${dims(f.d.shape)}，但第一个输入是 ${dims(f.d.expected)}${f.d.axis !== undefined ? '（只有通道数可以不同）' : '（形状必须相同）'}`,
  target_batch_mismatch: (f) => `目标需要每个样本一项（${num(f.d.batch)} 项），但只有 ${num(f.d.got)} 项`,
  target_size: (f) => (f.d.expected !== undefined ? `目标有 ${zhNum(int(f.d.got))} 个值，但网络的输出 ${dims(f.d.output)} 有 ${zhNum(int(f.d.expected))} 个` : '每个样本的目标必须有相同个数的值'),
  target_without_loss: () => '没有损失的网络不需要目标',
  tensor_size: (f) => `${zhField(f, '它')}需要 ${f.d.expected !== undefined ? zhNum(int(f.d.expected)) : '更少的'} 个值${f.d.shape ? `（${dims(f.d.shape)}）` : ''}${f.d.got !== undefined ? `，而不是 ${zhNum(int(f.d.got))} 个` : ''}`,
  tensor_too_large: (f) => `${f.d.output !== undefined ? `它的输出 ${dims(f.d.output)} ` : f.d.shape !== undefined ? `输入 ${dims(f.d.shape)} ` : zhField(f, '它')}会超过 ${zhNum(int(f.d.max))} 个值的上限`,
  too_many_nodes: (f) => `网络${f.d.count !== undefined ? `有 ${zhNum(int(f.d.count))} 层，` : ''}超过了 ${zhNum(int(f.d.max))} 层的上限`,
  too_many_parameters: (f) => `网络的参数会超过 ${zhNum(int(f.d.max))} 个的上限`,
  too_many_values: (f) => `${zhField(f)}有 ${zhNum(int(f.d.count))} 个值，超过了 ${zhNum(int(f.d.max))} 个的上限`,
  too_much_compute: (f) => `网络每个样本需要超过 ${zhNum(int(f.d.max))} 次乘加运算，太慢，无法保持交互`,
  unknown_field: (f) => `它没有“${f.field || '?'}”这项设置`,
  unknown_input: (f) => `它读取的“${num(f.d.input)}”不是这个网络中的层`,
  unknown_optimizer: (f) => `没有名为“${num(f.d.got)}”的优化器（可用的有 SGD、Adam 和 AdamW）`,
  unknown_tensor: (f) => `它没有可解释的张量“${num(f.d.tensor)}”`,
  unknown_type: (f) => `没有“${num(f.d.got)}”这种层`,
  unread_node: () => '没有任何层读取它的输出；只有最后一层的输出可以不被读取（它就是网络的输出）',
  unsupported_version: (f) => `不支持场景版本 ${num(f.d.got)}（本页面支持版本 1 和 2）`,
  wrong_kind: (f) => `它不是${num(f.d.wanted) === 'pooling' ? '池化' : num(f.d.wanted) === 'conv2d' ? '卷积' : ` ${num(f.d.wanted)} `}层`,
  wrong_type: (f) => {
    const expected = JSON_KINDS_ZH[num(f.d.expected)];
    const got = JSON_KINDS_ZH[num(f.d.got)];
    return expected ? `${f.field ? zhField(f) : '场景'}必须是${expected}${got ? `，而不是${got}` : ''}` : `${zhField(f)}的值类型不对`;
  },
};
