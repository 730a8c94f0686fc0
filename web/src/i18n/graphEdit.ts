// The strings of a graph node's editing panel (web/src/views/overview/editPanel.ts), in every
// language of web/src/i18n: loaded with the graph view, not with the page (the element's size budget).

const en = {
  editTitle: 'Change the network',
  editSettings: 'Settings',
  editFieldTitle: (limits: string, fallback: string) => [limits, fallback ? `default ${fallback}` : 'required'].filter(Boolean).join('; '),
  editLimits: (min: number | undefined, max: number | undefined) => (min !== undefined && max !== undefined ? `${min} to ${max}` : ''),
  editBadValue: (text: string, name: string) => `“${text}” is not a value ${name} can take: type a number (two for [height, width]; padding also takes four: top, left, bottom, right), or leave it empty for the default.`,
  editRequired: (name: string) => `${name} needs a value.`,
  editInputFrom: 'Input from',
  editInputs: 'Inputs',
  editInputN: (n: number) => `Input ${n}`,
  editNetworkInput: 'the network input',
  editAddInput: 'Add an input',
  editDropInput: (n: number) => `Remove input ${n}`,
  editInsert: 'Insert after this node',
  editInsertButton: 'Insert',
  editGroupLayers: 'Layers',
  editGroupBlocks: 'Blocks',
  editBlocks: {
    residual: 'Residual block (conv, ReLU, conv, added to the skip)',
    concat: 'Concat branch (3×3 and 1×1 conv, joined on channels)',
    separable: 'Depthwise-separable pair (depthwise 3×3 conv, then 1×1 conv)',
  } as Record<string, string>,
  editInsertHint: (id: string, readers: string) => (readers
    ? `The new part reads ${id}; ${readers} will read the new part instead.`
    : `The new part reads ${id} and becomes the network's output.`),
  editRemoveTitle: 'Remove this node',
  editRemove: (id: string) => `Remove ${id}`,
  editRemoveHint: (readers: string, to: string) => (readers ? `${readers} will read ${to} instead.` : `${to} becomes the network's output.`),
  editFailed: (reason: string, node: string) => `Not changed${node ? ` (at node ${node})` : ''}: ${reason.replace(/[^.!?。]$/, '$&.')} The last valid network stays.`,
  editInserted: (ids: string, after: string) => `Inserted ${ids} after ${after}.`,
  editRemoved: (id: string, to: string) => `Removed ${id}; its readers now read ${to}.`,
  histInsert: (what: string, after: string) => `Insert ${what} after ${after}`,
  histRewire: (id: string) => `Inputs of ${id}`,
  histRemove: (id: string) => `Remove ${id}`,
  histSetting: (id: string, name: string) => `${id}: ${name}`,
  editBlockNames: { residual: 'residual block', concat: 'concat branch', separable: 'depthwise-separable pair' } as Record<string, string>,
  /** kinds the page's main tables do not name (English: the registry's titles) */
  editKindNames: {} as Record<string, string>,
};

const zh: typeof en = {
  editTitle: '修改网络',
  editSettings: '设置',
  editFieldTitle: (limits: string, fallback: string) => [limits, fallback ? `默认 ${fallback}` : '必填'].filter(Boolean).join('；'),
  editLimits: (min: number | undefined, max: number | undefined) => (min !== undefined && max !== undefined ? `${min} 到 ${max}` : ''),
  editBadValue: (text: string, name: string) => `“${text}”不是 ${name} 可取的值：请输入一个数（[高, 宽] 输入两个；填充也可输入四个：上、左、下、右），或留空使用默认值。`,
  editRequired: (name: string) => `${name} 必须有值。`,
  editInputFrom: '输入来自',
  editInputs: '输入',
  editInputN: (n: number) => `输入 ${n}`,
  editNetworkInput: '网络输入',
  editAddInput: '增加一个输入',
  editDropInput: (n: number) => `删除输入 ${n}`,
  editInsert: '在此节点后插入',
  editInsertButton: '插入',
  editGroupLayers: '层',
  editGroupBlocks: '模块',
  editBlocks: {
    residual: '残差块（卷积、ReLU、卷积，与跳跃连接相加）',
    concat: '拼接分支（3×3 与 1×1 卷积，按通道拼接）',
    separable: '深度可分离卷积对（逐通道 3×3 卷积，再 1×1 卷积）',
  },
  editInsertHint: (id: string, readers: string) => (readers
    ? `新部分读取 ${id}；${readers} 将改为读取新部分。`
    : `新部分读取 ${id}，并成为网络的输出。`),
  editRemoveTitle: '删除此节点',
  editRemove: (id: string) => `删除 ${id}`,
  editRemoveHint: (readers: string, to: string) => (readers ? `${readers} 将改为读取 ${to}。` : `${to} 将成为网络的输出。`),
  editFailed: (reason: string, node: string) => `未修改${node ? `（节点 ${node}）` : ''}：${reason.replace(/[^.!?。]$/, '$&。')}网络保持上一个有效的状态。`,
  editInserted: (ids: string, after: string) => `已在 ${after} 后插入 ${ids}。`,
  editRemoved: (id: string, to: string) => `已删除 ${id}；读取它的节点改为读取 ${to}。`,
  histInsert: (what: string, after: string) => `在 ${after} 后插入${what}`,
  histRewire: (id: string) => `${id} 的输入`,
  histRemove: (id: string) => `删除 ${id}`,
  histSetting: (id: string, name: string) => `${id}：${name}`,
  editBlockNames: { residual: '残差块', concat: '拼接分支', separable: '深度可分离卷积对' },
  editKindNames: {
    conv_transpose2d: '转置卷积', pad2d: '填充', log_softmax: 'Log-softmax', batchnorm2d: '批归一化',
    batchnorm1d: '批归一化（一维）', dropout: 'Dropout（随机失活）', add: '相加', concat: '拼接',
    global_avgpool2d: '全局平均池化', global_maxpool2d: '全局最大池化',
  },
};

export const graphEditStrings: Record<string, typeof en> = { en, zh };
export type GraphEditStrings = typeof en;
