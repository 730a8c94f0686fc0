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
};
