// The real data sets the page trains on in a worker, one descriptor each: the example that opens
// it, where its files are, the size of its images, how pixels become inputs, whether it has a
// drawing pad, and the words that name its samples. The dashboard (digits.ts), the worker
// (trainer.worker.ts) and the confusion matrix read only this; class names come from the
// example scene's `labels` (docs/scene-format.md), else the class index.
import { S } from '../strings';

/** The words of a dashboard that name what a data set holds ("digits", "items of clothing"). */
export interface DataSetWords {
  title: string;
  trainTitle: string;
  stepTitle: string;
  resetTitle: string;
  loading: string;
  loadFailed: (msg: string) => string;
  offline: string;
  verdict: (name: string, pct: string) => string;
  probsTitle: string;
  probAria: (name: string, pct: string) => string;
  targetPredicted: string;
  targetHint: string;
  /** no input chosen yet: what to do */
  first: string;
  seen: (n: number) => string;
  rate: (n: number) => string;
  seriesTestLoss: string;
  seriesTrainAcc: string;
  seriesTestAcc: string;
  confusionTitle: string;
  confusionCell: (truth: string, predicted: string, n: number) => string;
  confusionNote: (epoch: string) => string;
  confusionEmpty: string;
}

export interface DataSet {
  /** the example (preset id) that opens it; also its dashboard's test-id prefix */
  id: string;
  /** its folder beside the page (tools/prepare-*.mjs write web/public/FOLDER/) */
  folder: string;
  /** images are side x side, one channel */
  side: number;
  classes: number;
  /** input = (pixel / 255 - mean) / std */
  normalize: { mean: number; std: number };
  /** a drawing pad whose strokes become inputs like the data set's (MNIST's preparation) */
  pad: boolean;
  /** the test accuracy the example promises; the time to reach it is shown */
  goal: number;
  /** test samples of each class in the gallery */
  galleryPerClass: number;
  words: () => DataSetWords;
}

export const DIGITS: DataSet = {
  id: 'digits', folder: 'digits/', side: 28, classes: 10, normalize: { mean: 0, std: 1 }, pad: true, goal: 0.95, galleryPerClass: 2,
  words: () => ({
    title: S.digitsTitle, trainTitle: S.digitsTrainTitle, stepTitle: S.digitsStepTitle, resetTitle: S.digitsResetTitle,
    loading: S.digitsLoading, loadFailed: S.digitsLoadFailed, offline: S.digitsOffline, verdict: S.digitsVerdict, probsTitle: S.digitsProbsTitle, probAria: S.digitsProbAria,
    targetPredicted: S.digitsTargetPredicted, targetHint: S.digitsTargetHint, first: S.digitsDrawFirst, seen: S.digitsSeen,
    rate: S.digitsRate, seriesTestLoss: S.digitsSeriesTestLoss, seriesTrainAcc: S.digitsSeriesTrainAcc, seriesTestAcc: S.digitsSeriesTestAcc,
    confusionTitle: S.digitsConfusionTitle, confusionCell: S.digitsConfusionCell, confusionNote: S.digitsConfusionNote, confusionEmpty: S.digitsConfusionEmpty,
  }),
};

export const FASHION: DataSet = {
  id: 'fashion', folder: 'fashion/', side: 28, classes: 10, normalize: { mean: 0, std: 1 }, pad: false, goal: 0.85, galleryPerClass: 3,
  words: () => S.fashion,
};

export const DATA_SETS: DataSet[] = [DIGITS, FASHION];

/** What the worker needs of a data set (structured-clonable: no functions). */
export interface DataSource {
  /** the folder's absolute URL, ending in "/" */
  url: string;
  side: number;
  classes: number;
  normalize: { mean: number; std: number };
  galleryPerClass: number;
}

export function dataSource(d: DataSet, baseURI: string): DataSource {
  return { url: new URL(d.folder, baseURI).href, side: d.side, classes: d.classes, normalize: d.normalize, galleryPerClass: d.galleryPerClass };
}

/** Uint8 pixels as the network's inputs: (pixel / 255 - mean) / std. */
export function inputOf(pixels: Uint8Array, n: { mean: number; std: number }): Float32Array {
  return Float32Array.from(pixels, (p) => (p / 255 - n.mean) / n.std);
}

/** The same for training: kept as bytes when no mean or std applies (the core scales bytes by 1/255). */
export function toInput(pixels: Uint8Array, n: { mean: number; std: number }): Uint8Array | Float32Array {
  return n.mean === 0 && n.std === 1 ? pixels : inputOf(pixels, n);
}

/** A class's name in the reader's language: the scene's label (translated when the page knows it), else its index. */
export function className(labels: readonly string[] | undefined, k: number): string {
  const label = labels?.[k];
  if (label === undefined) return String(k);
  return S.classNames[label] ?? label;
}
