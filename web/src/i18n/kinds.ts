// Help text for each layer kind of the core's registry (LayerKindInfo.help = "kind.<type>"), in
// every language the page speaks. The core declares a kind's fields; this file says in words
// what the kind does. A kind missing here shows its PyTorch name only (tested).

export interface KindHelp {
  en: string;
  zh: string;
}

export const kindHelp: Record<string, KindHelp> = {
  'kind.conv2d': {
    en: 'Slides each filter over the input; every output cell is the sum of products of a window with the filter, plus the bias.',
    zh: '每个卷积核在输入上滑动；每个输出格子是窗口与卷积核逐项相乘之和，再加上偏置。',
  },
  'kind.maxpool2d': {
    en: 'Keeps the largest value of each window; the gradient goes back only to that winner.',
    zh: '保留每个窗口中的最大值；梯度只回传给这个最大值所在的格子。',
  },
  'kind.avgpool2d': {
    en: 'Averages each window; the gradient is shared equally by the window\'s cells.',
    zh: '对每个窗口求平均；梯度平均分给窗口中的每个格子。',
  },
  'kind.flatten': {
    en: 'Lays the maps out as one long vector, row by row; the gradient is folded back the same way.',
    zh: '把特征图逐行展开成一个长向量；梯度按同样的方式折回去。',
  },
  'kind.dense': {
    en: 'Every output is a weighted sum of all inputs plus a bias: y = W x + b.',
    zh: '每个输出都是所有输入的加权和再加偏置：y = W x + b。',
  },
  'kind.relu': { en: 'Keeps positive values and sets negative ones to 0.', zh: '保留正值，把负值变为 0。' },
  'kind.leaky_relu': {
    en: 'Keeps positive values and scales negative ones by a small slope.',
    zh: '保留正值，负值乘以一个小斜率。',
  },
  'kind.sigmoid': { en: 'Squashes every value into (0, 1): 1 / (1 + e^-x).', zh: '把每个值压缩到 (0, 1)：1 / (1 + e^-x)。' },
  'kind.tanh': { en: 'Squashes every value into (-1, 1).', zh: '把每个值压缩到 (-1, 1)。' },
  'kind.softmax': {
    en: 'Turns scores into probabilities that add up to 1.',
    zh: '把分数变成加起来等于 1 的概率。',
  },
  // kinds-b: convolution and activation kinds
  'kind.conv_transpose2d': {
    en: 'Runs a convolution backwards: every input cell adds the filter, scaled by its value, into its own window of a larger output; used to upsample.',
    zh: '把卷积反过来做：每个输入格子把按自身数值缩放的卷积核加到更大输出中对应的窗口里；常用于上采样。',
  },
  'kind.pad2d': {
    en: 'Adds a border around each map: zeros, a mirror image of the edge (reflect), or copies of the edge (replicate).',
    zh: '在每张特征图四周加一圈边框：填 0、镜像边缘（reflect）或复制边缘（replicate）。',
  },
  'kind.elu': {
    en: 'Keeps positive values; negative ones curve smoothly towards -alpha: alpha (e^x - 1).',
    zh: '保留正值；负值平滑地趋向 -alpha：alpha (e^x - 1)。',
  },
  'kind.gelu': {
    en: 'Weights each value by how likely a standard normal variable is to be below it: x * Phi(x); a smooth ReLU.',
    zh: '把每个值乘以标准正态变量小于它的概率：x * Phi(x)；一种平滑的 ReLU。',
  },
  'kind.relu6': {
    en: 'Like ReLU, but caps values at 6.',
    zh: '与 ReLU 相同，但把值限制在 6 以内。',
  },
  'kind.prelu': {
    en: 'A leaky ReLU whose negative slope is learnt, one for all channels or one per channel.',
    zh: '负斜率可学习的 Leaky ReLU：所有通道共用一个斜率，或每个通道一个。',
  },
  'kind.log_softmax': {
    en: 'The logarithm of softmax, computed without overflow: x_i - log sum_j e^x_j.',
    zh: 'softmax 的对数，计算时不会溢出：x_i - log sum_j e^x_j。',
  },
  'kind.batchnorm2d': {
    en: 'Normalizes each channel to mean 0 and variance 1 over the batch, then scales by weight and shifts by bias. Training uses the batch\'s statistics and updates the running ones; eval mode uses the running ones.',
    zh: '把每个通道在整个批次上归一化为均值 0、方差 1，再乘以权重、加上偏置。训练时用当前批次的统计量并更新滑动统计量；评估模式使用滑动统计量。',
  },
  'kind.batchnorm1d': {
    en: 'Normalizes each feature to mean 0 and variance 1 over the batch, then scales by weight and shifts by bias. Training needs at least 2 samples; eval mode uses the running statistics.',
    zh: '把每个特征在整个批次上归一化为均值 0、方差 1，再乘以权重、加上偏置。训练至少需要 2 个样本；评估模式使用滑动统计量。',
  },
  'kind.dropout': {
    en: 'While training, sets each value to 0 with probability p and scales the kept ones by 1 / (1 - p); in eval mode it passes values through unchanged.',
    zh: '训练时以概率 p 把每个值置为 0，并把保留的值乘以 1 / (1 - p)；评估模式下原样输出。',
  },
  'kind.add': {
    en: 'Adds its inputs element by element (a residual connection); the gradient flows back unchanged to every input.',
    zh: '把各个输入逐元素相加（残差连接）；梯度原样传回每个输入。',
  },
  'kind.concat': {
    en: 'Stacks its inputs along the channel axis, in order; the gradient is split back the same way.',
    zh: '按顺序沿通道方向拼接各个输入；梯度按同样的方式拆分回去。',
  },
  'kind.global_avgpool2d': {
    en: 'Averages each whole channel into one value; the gradient is shared equally by all its cells.',
    zh: '把每个通道整体平均成一个值；梯度平均分给该通道的所有格子。',
  },
  'kind.global_maxpool2d': {
    en: 'Keeps the largest value of each whole channel; the gradient goes back only to that winner.',
    zh: '保留每个通道中的最大值；梯度只回传给这个最大值所在的格子。',
  },
};
