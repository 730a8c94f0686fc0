// The dashboard of an example that trains on a real data set (datasets.ts: Digits, Fashion),
// above the pipeline: the input (a drawing pad for the digits, a gallery of test images),
// prediction, training in a worker, curves, confusion matrix. main.ts mounts one per data set;
// it wakes up when its example is open and sleeps (worker ended) when another one is chosen.
//
// The page's one Model (engine.ts) stays the model the pipeline draws: its input is the
// drawing or the picked image, its target the predicted (or a chosen) class. The worker trains
// its own copy on the data set and posts the weights a few times a second; they are copied into
// the page's Model through the controller (adoptTrainedParams), so every matrix and gradient of
// the pipeline is for that input. The dashboard reads the model (engine.reader) but changes it
// only through the controller.
import './dashboard.css';
import type { App } from '../app';
import type { Engine, Snapshot } from '../engine';
import type { UIState } from '../state';
import { wordError } from '../i18n';
import { findPreset } from '../presets';
import { S } from '../strings';
import { button, h, select, setText } from '../views/dom';
import { CurveChart, ProbabilityBars, themeColors, type ChartColors, type Series } from './charts';
import { ConfusionMatrix } from './confusion';
import { className, DATA_SETS, dataSource, inputOf, type DataSet, type DataSetWords } from './datasets';
import { Gallery } from './gallery';
import { DrawPad } from './pad';
import { argmax, softmax } from './preprocess';
import type { EvalResult, FromWorker, LabelledSet, ParamSet, ToWorker } from './protocol';
import { currentParams, sameParams } from './params';
import { MAX_WORKERS, takesEveryCore } from './shardPool';
import { spawnTrainer } from './spawn';
/** at most this many points per training-loss curve (older ones are thinned out) */
const MAX_POINTS = 1500;
/**
 * Redrawing the whole network (thousands of cells) is the page's one expensive task: while
 * training, it runs at most every PIPELINE_MIN_MS and keeps to about 1/PIPELINE_DUTY of the
 * main thread (a 60 ms redraw waits 480 ms for the next).
 */
const PIPELINE_MIN_MS = 250;
const PIPELINE_DUTY = 8;
/**
 * While training, everything new (progress, evaluations, the network when due) is drawn in one
 * frame at most this often, about as often as the trainer reports. Each frame costs the page
 * ~10 ms of style, layout, paint and compositing whatever changed, taken from the cores the
 * workers train on; with the charts each in a frame of its own the page drew ~15 frames a second.
 */
const FRAME_MS = 250;
/**
 * The same while the workers take every core (2 workers on 2 cores): then each frame's threads
 * (main, compositor, raster) preempt a worker mid-shard, and every other worker waits for it at
 * the end of the step, so a frame costs the training far more than its own time. Two frames a
 * second instead of four trained Digits 2 workers over 1 faster in 6 of 8 interleaved pairs
 * (one a second: 1.52x against 1.33x; bench/README.md, session 26).
 */
const FRAME_MS_EVERY_CORE = 500;

type Status = 'loading' | 'starting' | 'ready' | 'failed';

/** The sessions whose example is open (one at a time; two for a moment while switching). */
const activeSessions = new Set<DataSetSession>();

class DataSetSession {
  readonly el: HTMLElement;
  private active = false;
  private status: Status = 'loading';
  private message = '';
  private messageIsError = false;
  private worker: Worker | null = null;
  private running = false;
  private steps = 0;
  private samples = 0;
  private epoch = 0;
  /** training time of every epoch so far, in order (the status line shows the last) */
  private epochTimes: number[] = [];
  private samplesPerSecond = 0;
  private lossX: number[] = [];
  private lossY: number[] = [];
  private smoothed = NaN;
  /** every evaluation, with when it arrived on the run clock (ms of running since Train) */
  private evals: (EvalResult & { atMs: number })[] = [];
  /** wall time spent running (Train pressed, not paused) */
  private runMs = 0;
  private runSince = 0;
  private pending: ParamSet[] | null = null;
  private frame = 0;
  /** a frame waiting for its time (FRAME_MS after the last, or the network's redraw), and that time */
  private timer = 0;
  private timerAt = Infinity;
  private lastFrameAt = -Infinity;
  private lastSyncAt = 0;
  private lastSyncMs = 0;
  private urgent = false;
  /** whether any of the network is on screen; when not, its redraw waits until it is */
  private pipelineVisible = true;
  private pipelineStale = false;
  /** parameters the worker and the page last agreed on (to notice edits made on the page) */
  private shared: ParamSet[] = [];
  private structure = '';
  /** the input chosen on the dashboard (a drawing or a gallery image), null before any */
  private drawn: Float32Array | null = null;
  private galleryImages: LabelledSet | null = null;
  private targetMode: 'predicted' | number = 'predicted';
  private expectedTarget = -1;
  private chartsDirty = true;
  private chartFrame = 0;
  /** once drawn, the charts redraw together in the frame that changed them (only the first draw is slow) */
  private chartsDrawn = false;
  /** the charts' colours, read once per theme (reading computed styles restyles the page) */
  private colors: ChartColors | null = null;

  private readonly pad: DrawPad | null;
  private readonly gallery: Gallery;
  private readonly bars: ProbabilityBars;
  private readonly words: DataSetWords;
  /** class names in the reader's language: the example scene's `labels`, else the digits 0-9 */
  private readonly names: string[];
  private readonly pixels: number;
  private readonly verdict: HTMLElement;
  private readonly target: HTMLSelectElement;
  private readonly run: HTMLButtonElement;
  private readonly stepButton: HTMLButtonElement;
  private readonly resetButton: HTMLButtonElement;
  private readonly statusLine: HTMLElement;
  private readonly workersSelect: HTMLSelectElement;
  /** workers sharing each batch, as the trainer last said (0 before it says) */
  private workersUsed = 0;
  /** why it uses fewer than chosen: a core error code or a message ('' when it uses them all) */
  private workersNote = '';
  private readonly messageLine: HTMLElement;
  private readonly lossChart: CurveChart;
  private readonly accChart: CurveChart;
  private readonly confusion: ConfusionMatrix;

  constructor(private readonly app: App, private readonly engine: Engine, private readonly state: UIState, private readonly data: DataSet) {
    const id = data.id;
    const words = this.words = data.words();
    const labels = presetLabels(id);
    this.names = Array.from({ length: data.classes }, (_, k) => className(labels, k));
    this.pixels = data.side * data.side;
    this.pad = data.pad ? new DrawPad((pixels) => this.onDrawing(pixels)) : null;
    this.gallery = new Gallery(id, (i) => this.onPick(i));
    this.bars = new ProbabilityBars(id, words.probsTitle, this.names, words.probAria);
    this.lossChart = new CurveChart({ title: S.digitsLossTitle, testid: `${id}-loss-chart` });
    this.accChart = new CurveChart({ title: S.digitsAccuracyTitle, testid: `${id}-accuracy-chart`, yMax: 1, percent: true });
    this.confusion = new ConfusionMatrix(id, this.names, words);
    this.verdict = h('p', { class: 'digits-verdict', testid: `${id}-verdict`, 'aria-live': 'polite' });
    const targets: [string, string][] = [['predicted', words.targetPredicted], ...this.names.map((name, k) => [String(k), name] as [string, string])];
    this.target = select(targets, 'predicted', (v) => this.setTargetMode(v === 'predicted' ? 'predicted' : Number(v)), { testid: `${id}-target` });
    this.run = button(S.digitsTrain, () => this.toggleRun(), { class: 'primary', testid: `${id}-run`, disabled: true });
    this.stepButton = button(S.digitsStep, () => this.step(), { testid: `${id}-step`, title: words.stepTitle, disabled: true });
    this.resetButton = button(S.digitsReset, () => this.reset(), { testid: `${id}-reset`, title: words.resetTitle });
    // one worker per core by default (the trainer and its helpers, shardPool.ts)
    const counts = Array.from({ length: MAX_WORKERS }, (_, k) => String(k + 1));
    const cores = String(Math.min(MAX_WORKERS, Math.max(1, navigator.hardwareConcurrency || 1)));
    this.workersSelect = select(counts.map((c) => [c, c]), cores, (v) => this.post({ type: 'workers', count: Number(v) }), { testid: `${id}-workers` });
    this.statusLine = h('p', { class: 'digits-status', testid: `${id}-status`, 'aria-live': 'polite' });
    this.messageLine = h('p', { class: 'digits-message', testid: `${id}-message`, role: 'status' });
    // read now, while the page is quiet: in a chart's frame it would restyle the network being built
    this.colors = themeColors();
    document.addEventListener('cnnlens:theme', () => { this.colors = null; this.chartsDirty = true; });

    // the input: the pad (with the gallery under it) or the gallery alone
    const input = this.pad
      ? h('div', { class: 'digits-card' }, h('h2', {}, S.digitsDrawTitle), this.pad.el, h('p', { class: 'note' }, S.digitsDrawHint), h('h3', {}, S.galleryTitle), this.gallery.el)
      : h('div', { class: 'digits-card' }, h('h2', {}, S.galleryTitle), this.gallery.el);
    this.el = h('section', { class: 'digits-dash', testid: `${id}-dashboard`, 'aria-label': words.title, hidden: true },
      input,
      h('div', { class: 'digits-card' },
        h('h2', {}, S.digitsPredictionTitle),
        this.verdict,
        this.bars.el,
        h('label', { class: 'digits-target-label' }, S.digitsTargetLabel, this.target),
        h('p', { class: 'note' }, words.targetHint)),
      h('div', { class: 'digits-card digits-train' },
        h('h2', {}, words.trainTitle),
        h('div', { class: 'buttons' }, this.run, this.stepButton, this.resetButton,
          h('label', { class: 'digits-workers', title: S.digitsWorkersTitle }, S.digitsWorkersLabel, this.workersSelect)),
        this.messageLine,
        this.statusLine,
        this.lossChart.el,
        this.accChart.el),
      h('div', { class: 'digits-card' }, this.confusion.el));
  }

  // ---------------------------------------------------------------- page hooks

  /** After every redraw of the page: wake up or sleep with the preset, refresh the dashboard. */
  afterRender(): void {
    const want = this.state.presetId === this.data.id;
    if (want !== this.active) {
      // not inside the page's render: activation changes the model and redraws, in a task of
      // its own so opening Digits is two shorter tasks with a frame between, not one long one
      if (want) setTimeout(() => this.activate(), 0);
      else queueMicrotask(() => this.deactivate());
      return;
    }
    if (!this.active) return;
    const snap = this.app.snapshot();
    const structure = structureOf(snap);
    if (!this.structure) {
      // the first drawing since the example was opened: what the worker starts from
      this.structure = structure;
      this.shared = paramsOf(snap);
    } else if (structure !== this.structure) {
      // the network was edited on the page: the worker continues with the page's version
      this.structure = structure;
      this.shared = currentParams(this.engine.reader);
      this.post({ type: 'adopt', scene: this.engine.sceneJson() });
    }
    const t = snap.target.indexOf(1);
    if (this.expectedTarget >= 0 && t >= 0 && t !== this.expectedTarget) {
      // the target class was chosen on the loss card: keep it
      this.targetMode = t;
      this.expectedTarget = t;
    }
    this.renderDashboard();
  }

  /**
   * The example was just chosen from the menu (App.onOpen, a frame later): the dashboard shows; the
   * steps returned keep the scene's JSON for the worker and set the target before the network is
   * first drawn, so it is drawn once, not twice. The worker starts once every card is built.
   */
  opened(): (() => void)[] | void {
    if (this.active || this.state.presetId !== this.data.id) return;
    this.show();
    const still = () => this.active && this.state.presetId === this.data.id;
    return [() => {
      if (!still()) return;
      // the scene's JSON as just written (aim changes the input); the worker starts once the
      // network is drawn: compiling its own wasm and decoding the data set would take the
      // cores the page needs for its first frames
      const scene = this.engine.sceneJson();
      void this.app.whenBuilt().then(() => {
        if (!still() || this.worker) return;
        this.startWorker(scene);
        this.renderDashboard(); // "starting", or why there is no worker (the offline file)
      });
    }, () => { if (still()) this.aim(); }];
  }

  /** Opened another way (undo, a restored state): everything in one task, then a redraw. */
  private activate(): void {
    if (this.active || this.state.presetId !== this.data.id) return;
    this.show();
    this.startWorker();
    this.aim();
    this.app.render();
  }

  private show(): void {
    this.active = true;
    this.el.hidden = false;
    activeSessions.add(this);
    document.body.classList.add('digits-on');
    this.clearHistory();
    this.structure = ''; // taken from the next drawing
    this.status = 'loading';
    this.message = this.words.loading;
    this.messageIsError = false;
    this.renderDashboard();
  }

  /** The drawing as input, the target from it (after startWorker: the scene's JSON just written goes to the worker). */
  private aim(): void {
    if (this.drawn) this.app.controller.showDataSample(this.drawn);
    this.syncTarget();
  }

  private deactivate(): void {
    if (!this.active) return;
    this.active = false;
    this.stopClock();
    this.running = false;
    this.worker?.terminate();
    this.worker = null;
    cancelAnimationFrame(this.frame);
    clearTimeout(this.timer);
    this.frame = this.timer = 0;
    this.timerAt = Infinity;
    this.pending = null;
    this.el.hidden = true;
    activeSessions.delete(this);
    // switching from one data set to another: the other is already on
    document.body.classList.toggle('digits-on', activeSessions.size > 0);
  }

  /**
   * The worker, sent `scene` (by default the scene's JSON as the engine keeps it): it downloads
   * the data set and builds its own model.
   */
  private startWorker(scene = this.engine.sceneJson()): void {
    let worker: Worker | null = null;
    let why = '';
    try {
      worker = spawnTrainer();
    } catch (e) {
      why = S.digitsNoWorker(e instanceof Error ? e.message : String(e));
    }
    if (!worker) {
      this.status = 'failed';
      // the single-file page has neither the worker nor the data: say so plainly, no developer commands
      this.message = why || this.words.offline;
      this.messageIsError = true;
      return;
    }
    this.worker = worker;
    this.status = 'starting';
    worker.onmessage = (e: MessageEvent<FromWorker>) => this.onMessage(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      this.onMessage({ type: 'error', message: e.message || S.digitsWorkerCrashed });
    };
    this.post({ type: 'init', scene, source: dataSource(this.data, document.baseURI), workers: Number(this.workersSelect.value) });
  }

  private post(msg: ToWorker): void {
    this.worker?.postMessage(msg);
  }

  // ---------------------------------------------------------------- worker messages

  private onMessage(m: FromWorker): void {
    if (!this.active) return;
    switch (m.type) {
      case 'loadFailed':
        this.status = 'failed';
        this.message = this.words.loadFailed(m.message);
        this.messageIsError = true;
        break;
      case 'ready':
        this.workersUsed = m.workers;
        this.workersNote = m.workersNote;
        this.galleryImages = m.gallery;
        this.gallery.show(m.gallery, this.data.side, this.names);
        this.status = 'ready';
        this.message = S.digitsReady;
        this.messageIsError = false;
        break;
      case 'progress': {
        this.steps = m.steps;
        this.samples = m.samples;
        this.epoch = m.epoch;
        this.epochTimes.push(...m.epochsMs);
        this.samplesPerSecond = m.samplesPerSecond;
        this.workersUsed = m.workers;
        this.workersNote = m.workersNote;
        const n = Math.max(1, m.samples / Math.max(m.epoch, 1e-9));
        for (let i = 0; i < m.batchLosses.length; i++) {
          const loss = m.batchLosses[i];
          this.smoothed = Number.isNaN(this.smoothed) ? loss : this.smoothed * 0.9 + loss * 0.1;
          this.lossX.push(m.epoch > 0 ? m.batchSamples[i] / n : 0);
          this.lossY.push(this.smoothed);
        }
        if (this.lossX.length > MAX_POINTS) {
          this.lossX = this.lossX.filter((_, i) => i % 2 === 0);
          this.lossY = this.lossY.filter((_, i) => i % 2 === 0);
        }
        this.pending = m.params;
        // paused or a single step: show the final weights at once
        this.urgent = !m.running;
        this.chartsDirty = true;
        break;
      }
      case 'eval':
        this.evals.push({ ...m.result, atMs: this.clock() });
        this.chartsDirty = true;
        break;
      case 'error':
        this.stopClock();
        this.running = false;
        this.message = S.digitsTrainingStopped(m.code ? wordError(m) : m.message);
        this.messageIsError = true;
        break;
    }
    this.requestFrame();
  }

  /**
   * A frame for what is new, no earlier than `at` nor, while training, a frame interval after the
   * last (paused or stepped: at once). An earlier request wins over a later one.
   */
  private requestFrame(at = 0): void {
    if (this.frame) return;
    const interval = takesEveryCore(this.workersUsed) ? FRAME_MS_EVERY_CORE : FRAME_MS;
    const when = Math.max(at, this.running ? this.lastFrameAt + interval : 0);
    if (this.timer) {
      if (this.timerAt <= when) return;
      clearTimeout(this.timer);
      this.timer = 0;
      this.timerAt = Infinity;
    }
    const wait = when - performance.now();
    if (wait <= 0) { this.frame = requestAnimationFrame(() => this.sync()); return; }
    this.timerAt = when;
    this.timer = window.setTimeout(() => {
      this.timer = 0;
      this.timerAt = Infinity;
      this.frame = requestAnimationFrame(() => this.sync());
    }, wait);
  }

  /** When the network may be redrawn next while training (its redraw keeps to its share of the thread). */
  private pipelineDue(): number {
    return this.urgent ? 0 : this.lastSyncAt + Math.max(PIPELINE_MIN_MS, this.lastSyncMs * PIPELINE_DUTY);
  }

  /** The dashboard, and the network with the newest weights when its redraw is due, in one frame. */
  private sync(): void {
    this.frame = 0;
    if (!this.active) return;
    this.lastFrameAt = performance.now();
    if (this.pending && this.lastFrameAt >= this.pipelineDue()) this.syncPipeline(); // its redraw draws the dashboard too
    else this.renderDashboard();
    if (this.pending) this.requestFrame(this.pipelineDue());
  }

  private syncPipeline(): void {
    const params = this.pending;
    const urgent = this.urgent;
    this.pending = null;
    this.urgent = false;
    if (!this.active || !params) return;
    const t0 = performance.now();
    // the page's network has changed shape meanwhile: the worker follows the page
    if (!this.app.controller.adoptTrainedParams(params)) this.post({ type: 'adopt', scene: this.engine.sceneJson() });
    this.shared = params;
    this.syncTarget();
    if (this.pipelineVisible || urgent) {
      this.pipelineStale = false;
      this.app.render();
    } else {
      this.pipelineStale = true;
      this.renderDashboard();
    }
    this.lastSyncAt = performance.now();
    this.lastSyncMs = this.lastSyncAt - t0;
  }

  /** Watches whether the network is on screen (IntersectionObserver on the pipeline). */
  observe(pipeline: Element): void {
    if (typeof IntersectionObserver === 'undefined') return;
    new IntersectionObserver((entries) => {
      this.pipelineVisible = entries.some((e) => e.isIntersecting);
      if (this.pipelineVisible && this.pipelineStale && this.active) {
        this.pipelineStale = false;
        this.app.render();
      }
    }, { rootMargin: '200px' }).observe(pipeline);
  }

  // ---------------------------------------------------------------- actions

  private toggleRun(): void {
    if (this.running) {
      this.post({ type: 'pause' });
      this.running = false;
      this.stopClock();
    } else {
      this.pushEdits();
      this.post({ type: 'run' });
      this.running = true;
      this.runSince = performance.now();
    }
    this.sayRunState();
    this.renderDashboard();
  }

  /** The line under the buttons says what they do now (it said "press Train" while training ran). */
  private sayRunState(): void {
    this.message = this.running ? S.digitsRunning : S.digitsPaused;
    this.messageIsError = false;
  }

  private step(): void {
    if (this.running) {
      this.stopClock();
      this.running = false;
      this.sayRunState();
    }
    this.pushEdits();
    this.post({ type: 'step' });
    this.renderDashboard();
  }

  /** Fresh weights from the example; the drawing stays. */
  private reset(): void {
    this.deactivate();
    this.app.controller.loadPreset(this.data.id);
  }

  /** Weights edited on the page (e.g. a kernel cell typed in) go to the worker before it trains on. */
  private pushEdits(): void {
    const now = currentParams(this.engine.reader);
    if (sameParams(now, this.shared)) return;
    this.shared = now;
    this.post({ type: 'adopt', scene: this.engine.sceneJson() });
  }

  /** Gallery image `index` as the input (the pad, if any, is wiped: the input is the picture now). */
  private onPick(index: number): void {
    const set = this.galleryImages;
    if (!set) return;
    this.pad?.clear(false);
    this.drawn = inputOf(set.images.subarray(index * this.pixels, (index + 1) * this.pixels), this.data.normalize);
    if (!this.active) return;
    this.app.controller.showDataSample(this.drawn);
    this.syncTarget();
    this.app.render();
  }

  private onDrawing(pixels: Float32Array | null): void {
    this.drawn = pixels;
    this.gallery.mark(-1);
    if (!this.active) return;
    this.app.controller.showDataSample(pixels ?? new Float32Array(this.pixels));
    this.syncTarget();
    this.app.render();
  }

  private setTargetMode(mode: 'predicted' | number): void {
    this.targetMode = mode;
    this.syncTarget();
    this.app.render();
  }

  /** Target = the predicted class, or the class chosen. */
  private syncTarget(): void {
    const m = this.engine.reader;
    let k: number;
    if (this.targetMode === 'predicted') {
      const last = m.layerCount() - 1;
      k = argmax(m.view(last, 'output'));
    } else {
      k = this.targetMode;
    }
    const t = m.targetView();
    if (t.length === this.data.classes && t[k] !== 1) this.app.controller.aimAtClass(k);
    this.expectedTarget = k;
  }

  /** The network's outputs, one per class (read only for a drawing: the first read after opening runs the forward pass). */
  private output(): Float32Array | undefined {
    const m = this.engine.reader;
    return m.copy(m.layerCount() - 1, 'output');
  }

  private clearHistory(): void {
    this.running = false;
    this.steps = this.samples = this.epoch = this.samplesPerSecond = 0;
    this.epochTimes = [];
    this.lossX = [];
    this.lossY = [];
    this.smoothed = NaN;
    this.evals = [];
    this.runMs = 0;
    this.chartsDirty = true;
  }

  private clock(): number {
    return this.runMs + (this.running ? performance.now() - this.runSince : 0);
  }

  /**
   * When test accuracy first reached the example's goal (ms on the run clock), null before. By the
   * evaluation's own step count: it can overtake the progress message of its steps.
   */
  private goalMs(): number | null {
    return this.evals.find((e) => e.steps > 0 && e.testAccuracy >= this.data.goal)?.atMs ?? null;
  }

  private stopClock(): void {
    if (this.running) this.runMs += performance.now() - this.runSince;
  }

  // ---------------------------------------------------------------- drawing the dashboard

  private renderDashboard(): void {
    const ready = this.status === 'ready';
    this.run.disabled = !ready;
    this.stepButton.disabled = !ready;
    setText(this.run, this.running ? S.digitsPause : S.digitsTrain);
    this.run.setAttribute('aria-pressed', String(this.running));
    setText(this.messageLine, this.message);
    this.messageLine.classList.toggle('layer-error', this.messageIsError);

    const last = this.evals.at(-1) ?? null;
    const parts = [S.digitsEpoch(this.epoch.toFixed(2)), this.words.seen(this.samples), S.stepsTaken(this.steps)];
    if (this.running && this.samplesPerSecond > 0) parts.push(this.words.rate(Math.round(this.samplesPerSecond)));
    const lastEpochMs = this.epochTimes.at(-1);
    if (lastEpochMs !== undefined) parts.push(S.digitsEpochTime((lastEpochMs / 1000).toFixed(1)));
    if (this.workersUsed > 0) parts.push(S.digitsWorkers(this.workersUsed));
    if (last) parts.push(S.digitsTestAccuracy((last.testAccuracy * 100).toFixed(1)));
    const goalMs = this.goalMs();
    if (goalMs !== null) parts.push(S.digitsGoal(Math.round(this.data.goal * 100), (goalMs / 1000).toFixed(0)));
    setText(this.statusLine, parts.join(' · '));

    const d = this.el.dataset;
    d.status = this.status;
    d.running = String(this.running);
    d.steps = String(this.steps);
    d.samples = String(this.samples);
    d.testAccuracy = last ? String(last.testAccuracy) : '';
    // every evaluation so far, "steps:accuracy:loss:ms" (ms on the run clock), for readers of the
    // page (tests; the bench, which asks when the accuracy reached its goal for good)
    d.evaluations = this.evals.map((e) => `${e.steps}:${e.testAccuracy}:${e.testLoss}:${e.atMs.toFixed(0)}`).join(' ');
    // every epoch's training time so far, in ms (the bench reads them once a second, not each epoch)
    d.epochTimes = this.epochTimes.map((ms) => ms.toFixed(0)).join(' ');
    d.workers = String(this.workersUsed);
    this.workersSelect.disabled = !ready;
    const why = this.workersNote === 'batch_not_splittable' ? S.digitsOneWorkerWhy : this.workersNote;
    if (why) this.workersSelect.title = why;
    else this.workersSelect.removeAttribute('title');
    d.goalMs = goalMs === null ? '' : goalMs.toFixed(0);

    const out = this.drawn ? this.output() : undefined;
    if (!this.drawn) {
      // the pad is empty: no verdict about an input nobody drew (the network below still shows the example's)
      this.bars.el.hidden = true;
      setText(this.verdict, this.words.first);
      this.verdict.classList.add('muted');
      this.el.dataset.prediction = '';
    } else if (out && out.length === this.data.classes) {
      this.bars.el.hidden = false;
      this.verdict.classList.remove('muted');
      const p = softmax(out);
      const k = argmax(p);
      this.bars.render(p, k);
      setText(this.verdict, this.words.verdict(this.names[k], (p[k] * 100).toFixed(0)));
      this.el.dataset.prediction = String(k);
    }
    const mode = this.targetMode === 'predicted' ? 'predicted' : String(this.targetMode);
    if (this.target.value !== mode) this.target.value = mode;

    // the charts read styles and redraw three canvases. Their first draw takes one chart per
    // frame, apart from the page's redraw: the first text drawn on a canvas is slow in software
    // raster, and opening Digits would otherwise do it all in one task. After that they are
    // redrawn together in the frame that changed them (while training, one frame per FRAME_MS or FRAME_MS_EVERY_CORE).
    if (this.chartsDirty && this.chartsDrawn && !this.chartFrame) {
      this.chartsDirty = false;
      for (let k = 0; k < 3; k++) this.renderCharts(k, this.evals.at(-1) ?? null);
    } else if (this.chartsDirty && !this.chartFrame) {
      this.chartsDirty = false;
      const part = (k: number) => {
        this.chartFrame = 0;
        if (!this.active) return;
        this.renderCharts(k, this.evals.at(-1) ?? null);
        if (k < 2) this.chartFrame = requestAnimationFrame(() => part(k + 1));
        else {
          this.chartsDrawn = true;
          if (this.chartsDirty) this.renderDashboard();
        }
      };
      this.chartFrame = requestAnimationFrame(() => part(0));
    }
  }

  /** Chart `part`: 0 the loss curves, 1 the accuracy curves, 2 the confusion matrix. */
  private renderCharts(part: number, last: EvalResult | null): void {
    if (part === 2) { this.confusion.render(last?.confusion ?? null, last?.epoch ?? null); return; }
    const ex = this.evals.map((e) => e.epoch);
    const { train, test, ink } = (this.colors ??= themeColors());
    const loss: Series[] = [
      { label: S.digitsSeriesBatch, color: train, x: this.lossX, y: this.lossY },
      { label: this.words.seriesTestLoss, color: test, dashed: true, x: ex, y: this.evals.map((e) => e.testLoss) },
    ];
    const acc: Series[] = [
      { label: this.words.seriesTrainAcc, color: train, x: ex, y: this.evals.map((e) => e.trainAccuracy) },
      { label: this.words.seriesTestAcc, color: test, dashed: true, x: ex, y: this.evals.map((e) => e.testAccuracy) },
    ];
    if (part === 0) this.lossChart.render(loss, S.digitsLossAria(this.lossY.at(-1)?.toFixed(3) ?? '—', last ? last.testLoss.toFixed(3) : '—'), ink);
    else this.accChart.render(acc, S.digitsAccuracyAria(last ? (last.trainAccuracy * 100).toFixed(1) : '—', last ? (last.testAccuracy * 100).toFixed(1) : '—'), ink);
  }
}

/** The weights and biases of a snapshot (its own copies), as the worker is sent them. */
function paramsOf(snap: Snapshot): ParamSet[] {
  const out: ParamSet[] = [];
  for (const l of snap.layers) {
    const weight = l.tensors.get('weight')?.data;
    const bias = l.tensors.get('bias')?.data;
    if (weight && bias) out.push({ layer: l.index, weight, bias });
  }
  return out;
}

/** Layer types and tensor shapes: changes when the network's structure is edited. */
function structureOf(snap: Snapshot): string {
  return snap.input.shape.join('x') + '|' + snap.layers.map((l) => `${l.type}:${l.tensors.get('weight')?.shape.join('x') ?? ''}:${l.tensors.get('output')?.shape.join('x')}`).join('|');
}

/** The class names an example scene carries in `labels` (docs/scene-format.md), if any. */
function presetLabels(id: string): string[] | undefined {
  const p = findPreset(id);
  const labels = p ? (JSON.parse(p.json) as { labels?: unknown }).labels : undefined;
  return Array.isArray(labels) && labels.every((l) => typeof l === 'string') ? labels : undefined;
}

/** Adds one dashboard per data set above the pipeline; each shows itself while its example is open. */
export function mountDataSets(app: App, engine: Engine, state: UIState, root: HTMLElement): void {
  const network = root.querySelector('section.network');
  if (!network) return;
  const pipeline = network.querySelector(':scope > .pipeline');
  for (const data of DATA_SETS) {
    const session = new DataSetSession(app, engine, state, data);
    network.prepend(session.el);
    if (pipeline) session.observe(pipeline);
    app.onRender(() => session.afterRender());
    app.onOpen(() => session.opened());
    session.afterRender();
  }
}
