// The reader's samples, the network they train and how pictures become samples.
//
// A sample is a 32×32 colour picture kept as bytes, channel-major [3, 32, 32] (0..255; the core
// reads bytes as value / 255, so the network sees 0..1 like any picture input). Samples belong
// to a class by its name: the scene's `labels` are the classes, so renaming, adding or removing a
// class is an ordinary scene change that Undo takes back, and the samples follow the names
// (a removed class's samples stay here, unseen, until its name comes back).
import { centreSquare, resample, type Rgba } from '../image/resample';
import type { LabelledSet } from '../digits/protocol';

export const SAMPLE_SIDE = 32;
export const SAMPLE_CHANNELS = 3;
export const SAMPLE_VALUES = SAMPLE_CHANNELS * SAMPLE_SIDE * SAMPLE_SIDE;
export const MIN_CLASSES = 2;
export const MAX_CLASSES = 6;
/** enough for a good classifier of a few things, small enough to train in seconds and keep in the browser */
export const MAX_SAMPLES_PER_CLASS = 300;

/** Values 0..1 (channel-major) as sample bytes. */
export function toBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, values[i])) * 255);
  return out;
}

/** Sample bytes as the network's input values, 0..1. */
export function toValues(bytes: Uint8Array): Float32Array {
  return Float32Array.from(bytes, (b) => b / 255);
}

/** The largest centred square of decoded pixels (a camera frame, the pad) as a sample, area-averaged. */
export function sampleOf(pixels: Rgba): Uint8Array {
  return toBytes(resample(pixels, centreSquare(pixels.width, pixels.height), SAMPLE_SIDE, SAMPLE_SIDE, SAMPLE_CHANNELS));
}

/** The samples of every class name ever used in this session (see the file comment). */
export class SampleStore {
  private readonly byName = new Map<string, Uint8Array[]>();
  /** bumped on every change: the worker and the autosave compare it */
  version = 0;
  /** the version at which each class last changed (its thumbnails compare it) */
  private readonly changedAt = new Map<string, number>();

  versionOf(name: string): number {
    return this.changedAt.get(name) ?? 0;
  }

  private touch(name: string): void {
    this.changedAt.set(name, ++this.version);
  }

  of(name: string): readonly Uint8Array[] {
    return this.byName.get(name) ?? [];
  }

  /** Adds as many as fit; returns how many were added. */
  add(name: string, samples: Uint8Array[]): number {
    const list = this.byName.get(name) ?? [];
    const room = Math.max(0, MAX_SAMPLES_PER_CLASS - list.length);
    const added = samples.slice(0, room);
    if (!added.length) return 0;
    this.byName.set(name, [...list, ...added]);
    this.touch(name);
    return added.length;
  }

  clear(name: string): void {
    if (!this.byName.get(name)?.length) return;
    this.byName.set(name, []);
    this.touch(name);
  }

  /** A class renamed: its samples go with the name (the old name keeps them too, for Undo). */
  rename(from: string, to: string): void {
    this.byName.set(to, [...this.of(from)]);
    this.touch(to);
  }

  /** Everything replaced (a project opened). */
  replace(classes: { name: string; samples: Uint8Array[] }[]): void {
    this.byName.clear();
    this.version++;
    for (const c of classes) {
      this.byName.set(c.name, c.samples.slice(0, MAX_SAMPLES_PER_CLASS));
      this.touch(c.name);
    }
  }

  count(names: readonly string[]): number {
    return names.reduce((n, name) => n + this.of(name).length, 0);
  }

  /** The classes' samples, class by class, as the worker trains on them. */
  trainingSet(names: readonly string[]): LabelledSet {
    const total = this.count(names);
    const images = new Uint8Array(total * SAMPLE_VALUES);
    const labels = new Uint8Array(total);
    let at = 0;
    names.forEach((name, k) => {
      for (const s of this.of(name)) {
        images.set(s, at * SAMPLE_VALUES);
        labels[at++] = k;
      }
    });
    return { images, labels };
  }
}

/**
 * The example's network for `names.length` classes: small enough to train on a few hundred
 * samples in seconds, deep enough to tell things apart by shape as well as colour. The input
 * starts as a blank (white) picture until a sample is shown.
 */
export function teachScene(names: string[], title: string, description: string): Record<string, unknown> {
  return {
    version: 1,
    title,
    description,
    input: { shape: [SAMPLE_CHANNELS, SAMPLE_SIDE, SAMPLE_SIDE], data: new Array(SAMPLE_VALUES).fill(1) },
    layers: [
      { type: 'conv2d', out_channels: 8, kernel_size: 3, padding: 1 },
      { type: 'relu' },
      { type: 'maxpool2d', kernel_size: 2 },
      { type: 'conv2d', out_channels: 16, kernel_size: 3, padding: 1 },
      { type: 'relu' },
      { type: 'maxpool2d', kernel_size: 2 },
      { type: 'global_avgpool2d' },
      { type: 'flatten' },
      { type: 'dense', out_features: names.length },
    ],
    loss: 'cross_entropy',
    target: 0,
    labels: names,
    optimizer: { type: 'adam', lr: 0.002 },
    seed: 1,
  };
}

/**
 * The scene with other classes: the same network and weights, but the last dense layer sized to
 * the classes and its weights left out (the core draws new ones), since its rows were the old
 * classes'. Renaming alone keeps every weight.
 */
export function withClasses(scene: Record<string, unknown>, names: string[]): Record<string, unknown> {
  const old = scene.labels as string[] | undefined;
  const layers = (scene.layers as Record<string, unknown>[]).map((l) => ({ ...l }));
  if (old?.length !== names.length) {
    const last = layers.at(-1);
    if (last?.type === 'dense') {
      last.out_features = names.length;
      delete last.weight;
      delete last.bias;
    }
  }
  const target = Math.min(Number(scene.target) || 0, names.length - 1);
  return { ...scene, layers, labels: names, target };
}

/** Whether a scene is one the dashboard can train: a 3×32×32 input, one output per class, cross-entropy. */
export function fitsClasses(inputShape: readonly number[], outputShape: readonly number[], loss: string, classes: number): boolean {
  return inputShape.join('x') === `${SAMPLE_CHANNELS}x${SAMPLE_SIDE}x${SAMPLE_SIDE}` && outputShape.length === 1 && outputShape[0] === classes && loss === 'cross_entropy'
    && classes >= MIN_CLASSES && classes <= MAX_CLASSES;
}
