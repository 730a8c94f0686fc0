// "Teach it your classes": the dashboard above the pipeline while the teach example is open.
// The reader names 2–6 classes (the scene's `labels`), adds samples from the camera (hold to
// record), the drawing pad or image files, trains the example's small CNN on them in the
// training worker (digits/trainer.worker.ts, 'initSamples'), watches loss and accuracy, sees
// live predictions, opens any sample in the network below, and saves or opens the whole project
// as one file. Nothing leaves the page: frames and files are read here, samples live in memory,
// in this browser's storage and in files the reader saves.
//
// The page's Model stays the one the pipeline draws (like the Digits dashboard): the worker
// trains its own copy and posts the weights, copied into the page's Model a few times a second.
import './teach.css';
import type { App } from '../app';
import type { Engine } from '../engine';
import type { UIState } from '../state';
import { wordError } from '../i18n';
import { CurveChart, ProbabilityBars, themeColors, type ChartColors, type Series } from '../digits/charts';
import { DrawPad } from '../digits/pad';
import { argmax, softmax } from '../digits/preprocess';
import type { FromWorker, ParamSet, ToWorker } from '../digits/protocol';
import { currentParams, sameParams } from '../digits/params';
import { spawnTrainer } from '../digits/spawn';
import { PictureError } from '../image/decode';
import { download, fileStem } from '../share/exporters';
import { button, h, setText } from '../views/dom';
import { TEACH_PRESET } from '../presets';
import { keptProject, MAX_PROJECT_BYTES, ProjectError, readProject, STORAGE_KEY, writeProject } from './project';
import {
  fitsClasses, MAX_CLASSES, MAX_SAMPLES_PER_CLASS, MIN_CLASSES, SAMPLE_SIDE, SAMPLE_VALUES, SampleStore, sampleOf, teachScene, toBytes, toValues, withClasses,
} from './samples';
import { ClassRows, fileInput, paintSample } from './classRows';
import { SampleCamera } from './sampleCamera';
import { TS } from './strings';
import { S } from '../strings';

/** camera frames recorded per second while "Hold to record" is held */
const RECORD_PER_SECOND = 10;
/** live predictions from the camera per second */
const PREDICT_PER_SECOND = 5;
/** while training, the page's network is redrawn with new weights at most this often */
const PIPELINE_MS = 800;
/** samples sent to the worker at most this often while recording */
const SAMPLES_MS = 400;
const MAX_POINTS = 1200;

/** The samples outlive the dashboard's visits: leaving the example and coming back keeps them. */
const store = new SampleStore();

type Source = 'none' | 'camera' | 'pad' | 'file';

class TeachSession {
  readonly el: HTMLElement;
  private active = false;
  private worker: Worker | null = null;
  private workerReady = false;
  private running = false;
  private steps = 0;
  private epoch = 0;
  private lossX: number[] = [];
  private lossY: number[] = [];
  private smoothed = NaN;
  private accX: number[] = [];
  private accY: number[] = [];
  private message = '';
  private messageIsError = false;
  /** the network's structure and the samples' version the worker has */
  private sentStructure = '';
  private sentSamples = -1;
  private samplesTimer = 0;
  /** weights the page and the worker last agreed on (to notice edits made on the page) */
  private shared: ParamSet[] = [];
  private pending: ParamSet[] | null = null;
  private pipelineTimer = 0;
  private lastPipeline = 0;
  private names: string[] = [];
  private fits = false;
  private removing = -1;
  private clearing = -1;
  private readonly camera: SampleCamera;
  private recording: { name: string; timer: number } | null = null;
  private predictTimer = 0;
  private source: Source = 'none';
  private sourceName = '';
  private predictInput: Float32Array | null = null;
  /** why the last picture given to "Try an image…" was refused ('' when it was not) */
  private tryRefusal = '';
  private predictId = 0;
  private prediction: Float32Array | null = null;
  private shownSample: { name: string; index: number } | null = null;
  private restored = false;
  private saveTimer = 0;
  /**
   * The scene to keep with the samples, written while this example is open: the dashboard
   * hears that it is left only after the page has opened the next example, whose scene the
   * engine then holds.
   */
  private keptScene = '';
  /** the class names at the last redraw: a change (rename, undo of a removal…) is kept too */
  private shownNames = '';
  /** weights the worker trained that storage does not have yet */
  private trainedSinceSave = false;
  private chartsDirty = true;
  /** the charts' colours, read once per theme */
  private colors: ChartColors | null = null;
  private chartFrame = 0;
  private lifetime = new AbortController();

  private readonly classRows: ClassRows;
  private readonly addClassButton: HTMLButtonElement;
  private readonly classesMessage: HTMLElement;
  private readonly pad: DrawPad;
  private readonly run: HTMLButtonElement;
  private readonly stepButton: HTMLButtonElement;
  private readonly statusLine: HTMLElement;
  /** workers sharing each batch, as the trainer last said (0 before it says) */
  private workersUsed = 0;
  private readonly messageLine: HTMLElement;
  private readonly lossChart: CurveChart;
  private readonly accChart: CurveChart;
  private readonly predictCard: HTMLElement;
  private readonly predictFrom: HTMLElement;
  private readonly predictPreview: HTMLCanvasElement;
  private readonly verdict: HTMLElement;
  private bars: ProbabilityBars | null = null;
  private barsKey = '';
  private readonly showButton: HTMLButtonElement;
  private readonly projectMessage: HTMLElement;

  constructor(private readonly app: App, private readonly engine: Engine, private readonly state: UIState) {
    this.classRows = new ClassRows(store, {
      rename: (k, typed, field) => this.rename(k, typed, field),
      startRecording: (k) => this.startRecording(k),
      stopRecording: () => this.stopRecording(),
      addDrawing: (k) => this.addDrawing(k),
      addFiles: (k, files) => void this.addFiles(k, files),
      // the samples live outside the undo history (they are too big for it): ask first
      clear: (k) => { this.removing = -1; this.clearing = k; this.renderClasses(); },
      confirmClear: (k) => { this.clearing = -1; store.clear(this.names[k]); this.samplesChanged(); },
      remove: (k) => {
        this.clearing = -1;
        if (store.of(this.names[k]).length) { this.removing = k; this.renderClasses(); } else this.removeClass(k);
      },
      keep: () => { this.removing = this.clearing = -1; this.renderClasses(); },
      confirmRemove: (k) => this.removeClass(k),
      showSample: (k, i) => this.showSample(k, i),
    });
    this.addClassButton = button(TS.addClass, () => this.addClass(), { testid: 'teach-add-class' });
    this.classesMessage = h('p', { class: 'digits-message', role: 'status', testid: 'teach-classes-message' });

    this.camera = new SampleCamera((on) => this.cameraChanged(on), () => this.lifetime.signal);
    this.pad = new DrawPad((values) => this.onDrawing(values), {
      testid: 'teach-pad', paper: '#ffffff', ink: '#1f2430', pen: 18, label: TS.padAria,
      read: (ctx, size) => toValues(sampleOf(ctx.getImageData(0, 0, size, size))),
    });

    this.run = button(TS.train, () => this.toggleRun(), { class: 'primary', testid: 'teach-run', disabled: true });
    this.stepButton = button(TS.step, () => this.step(), { testid: 'teach-step', title: TS.stepTitle, disabled: true });
    const reset = button(TS.reset, () => this.startOver(), { testid: 'teach-reset', title: TS.resetTitle });
    this.statusLine = h('p', { class: 'digits-status', testid: 'teach-status', 'aria-live': 'polite' });
    this.messageLine = h('p', { class: 'digits-message', testid: 'teach-message', role: 'status' });
    this.lossChart = new CurveChart({ title: TS.lossTitle, testid: 'teach-loss-chart', height: 90 });
    this.accChart = new CurveChart({ title: TS.accuracyTitle, testid: 'teach-accuracy-chart', yMax: 1, percent: true, height: 90 });

    this.predictFrom = h('p', { class: 'note', testid: 'teach-predict-from' });
    this.predictPreview = h('canvas', { class: 'teach-preview', width: SAMPLE_SIDE, height: SAMPLE_SIDE, 'aria-hidden': 'true' });
    this.verdict = h('p', { class: 'digits-verdict', testid: 'teach-verdict', 'aria-live': 'polite' });
    const tryInput = fileInput('teach-try-file', false, (files) => void this.tryFile(files[0]));
    const tryButton = button(TS.tryImage, () => tryInput.click(), { title: TS.tryImageTitle, testid: 'teach-try' });
    this.showButton = button(TS.showInNetwork, () => this.showPrediction(), { title: TS.showInNetworkTitle, testid: 'teach-show', disabled: true });
    this.predictCard = h('div', { class: 'digits-card teach-predict' },
      h('h2', {}, TS.predictTitle),
      h('div', { class: 'teach-predict-row' }, this.predictPreview, h('div', {}, this.predictFrom, this.verdict)),
      h('div', { class: 'buttons' }, tryButton, tryInput, this.showButton));

    const openInput = fileInput('teach-open-file', false, (files) => void this.openProject(files[0]), '.json,application/json');
    this.projectMessage = h('p', { class: 'digits-message', role: 'status', testid: 'teach-project-message' });

    // two columns that grow independently (2 to 6 classes): the classes and the project on the
    // left; on the right the camera and pad, the prediction and the training, so a projector
    // shows cause (samples, Train) and effect (curves, prediction) on one screen
    const classesCard = h('div', { class: 'digits-card teach-classes-card' },
      h('h2', {}, TS.classesTitle),
      h('p', { class: 'note' }, TS.classesHint),
      this.classRows.el,
      h('div', { class: 'buttons' }, this.addClassButton),
      this.classesMessage);
    const trainCard = h('div', { class: 'digits-card teach-train-card' },
      h('h2', {}, TS.trainTitle),
      h('div', { class: 'buttons' }, this.run, this.stepButton, reset),
      this.messageLine,
      this.statusLine,
      h('div', { class: 'teach-charts' }, this.lossChart.el, this.accChart.el));
    const sourcesCard = h('div', { class: 'digits-card teach-sources-card' },
      h('h2', {}, TS.sourcesTitle),
      h('div', { class: 'teach-sources' },
        this.camera.el,
        this.pad.el),
      this.camera.note);
    const projectCard = h('div', { class: 'digits-card teach-project-card' },
      h('h2', {}, TS.projectTitle),
      h('p', { class: 'note' }, TS.projectHint),
      h('div', { class: 'buttons' },
        button(TS.saveProject, () => this.saveProject(), { title: TS.saveProjectTitle, testid: 'teach-save' }),
        button(TS.openProject, () => openInput.click(), { title: TS.openProjectTitle, testid: 'teach-open' }), openInput,
        button(TS.exportOnnx, () => void this.exportOnnx(), { testid: 'teach-export-onnx' }),
        button(TS.exportPytorch, () => void this.exportPytorch(), { testid: 'teach-export-pytorch' })),
      this.projectMessage);
    this.el = h('section', { class: 'teach-dash', testid: 'teach-dashboard', 'aria-label': TS.dashboard, hidden: true },
      h('div', { class: 'teach-column' }, classesCard, projectCard),
      h('div', { class: 'teach-column' }, sourcesCard, this.predictCard, trainCard));
    document.addEventListener('cnnlens:theme', () => { this.colors = null; this.chartsDirty = true; this.renderDashboard(); });
  }

  // ---------------------------------------------------------------- page hooks

  /** After every redraw of the page: wake up or sleep with the example; follow the scene's classes. */
  afterRender(): void {
    const want = this.state.presetId === TEACH_PRESET;
    if (want !== this.active) {
      if (want) this.activate();
      else this.deactivate();
    }
    if (!this.active) return;
    const labels = this.state.scene.labels ?? [];
    this.names = [...labels];
    const inputShape = this.state.scene.input.shape;
    this.fits = fitsClasses(inputShape, this.engine.reader.outputShape(), this.state.scene.loss, labels.length);
    const structure = this.fits ? structureKey(this.engine, inputShape) : '';
    if (structure !== this.sentStructure) {
      // a new network (classes added or removed, a project opened, Start over, an edit of the layers)
      this.sentStructure = structure;
      if (structure) this.initWorker();
    } else if (this.fits && store.version !== this.sentSamples) {
      this.sendSamples();
    }
    // once per change: a check against what was last saved would restart the save's timer at
    // every redraw until it ran, and redraws while training come faster than it waits
    const names = JSON.stringify(this.names);
    if (names !== this.shownNames) { this.shownNames = names; this.scheduleSave(); }
    if (this.saveTimer || this.trainedSinceSave) this.keptScene = this.engine.sceneJson();
    this.renderClasses();
    this.renderDashboard();
  }

  private activate(): void {
    this.active = true;
    this.lifetime = new AbortController();
    this.el.hidden = false;
    document.body.classList.add('teach-on');
    if (!this.restored) {
      this.restored = true;
      this.restoreSamples();
    }
    this.shownNames = JSON.stringify(this.state.scene.labels ?? []);
    this.startWorker();
  }

  private deactivate(): void {
    this.active = false;
    this.el.hidden = true;
    document.body.classList.remove('teach-on');
    this.stopRecording();
    this.camera.stop();
    clearInterval(this.predictTimer);
    this.predictTimer = 0;
    if (this.source === 'camera') this.source = 'none';
    this.lifetime.abort();
    this.worker?.terminate();
    this.worker = null;
    this.workerReady = false;
    this.running = false;
    this.sentStructure = '';
    this.sentSamples = -1;
    clearTimeout(this.pipelineTimer);
    clearTimeout(this.samplesTimer);
    this.pipelineTimer = this.samplesTimer = 0;
    // a save still due, or training not saved yet, is written now (with the scene kept while open)
    this.flushSave();
  }

  // ---------------------------------------------------------------- the worker

  private startWorker(): void {
    let worker: Worker | null = null;
    try {
      worker = spawnTrainer();
    } catch (e) {
      this.say(TS.noWorker(e instanceof Error ? e.message : String(e)), true);
    }
    if (!worker) {
      // the single-file page has no worker chunk: training needs the served page
      if (!this.message) this.say(TS.noWorker('offline file'), true);
      return;
    }
    this.worker = worker;
    worker.onmessage = (e: MessageEvent<FromWorker>) => this.onMessage(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      this.onMessage({ type: 'error', message: e.message || 'the worker stopped' });
    };
  }

  private post(msg: ToWorker, transfer: Transferable[] = []): void {
    this.worker?.postMessage(msg, transfer);
  }

  /** The page's network and every sample to the worker, which starts training from these weights. */
  private initWorker(): void {
    if (!this.worker) return;
    this.running = false;
    this.workerReady = false;
    this.steps = this.epoch = 0;
    this.lossX = [];
    this.lossY = [];
    this.accX = [];
    this.accY = [];
    this.smoothed = NaN;
    this.chartsDirty = true;
    this.pending = null;
    this.shared = currentParams(this.engine.reader);
    const set = store.trainingSet(this.names);
    this.sentSamples = store.version;
    this.post({ type: 'initSamples', scene: this.engine.sceneJson(), pixels: SAMPLE_VALUES, classes: this.names.length, set, workers: 'auto' }, [set.images.buffer, set.labels.buffer]);
    this.requestPrediction();
  }

  /** The samples changed: the worker trains on the new set (at most every SAMPLES_MS while recording). */
  private sendSamples(): void {
    if (this.samplesTimer || !this.workerReady) return;
    const send = () => {
      this.samplesTimer = 0;
      if (!this.active || !this.workerReady || store.version === this.sentSamples) return;
      const set = store.trainingSet(this.names);
      this.sentSamples = store.version;
      this.post({ type: 'samples', set }, [set.images.buffer, set.labels.buffer]);
      if (!set.labels.length) this.running = false;
      this.renderDashboard();
    };
    if (this.recording) this.samplesTimer = window.setTimeout(send, SAMPLES_MS);
    else send();
  }

  private onMessage(m: FromWorker): void {
    if (!this.active) return;
    switch (m.type) {
      case 'ready':
        this.workerReady = true;
        this.workersUsed = m.workers;
        if (this.message === TS.starting) this.say('', false);
        if (store.version !== this.sentSamples) this.sendSamples();
        break;
      case 'progress': {
        this.steps = m.steps;
        this.epoch = m.epoch;
        this.workersUsed = m.workers;
        // the curves are drawn over epochs (passes over every sample), like the data sets'
        const perEpoch = m.epoch > 0 ? m.samples / m.epoch : 1;
        for (let i = 0; i < m.batchLosses.length; i++) {
          this.smoothed = Number.isNaN(this.smoothed) ? m.batchLosses[i] : this.smoothed * 0.8 + m.batchLosses[i] * 0.2;
          this.lossX.push(m.batchSamples[i] / perEpoch);
          this.lossY.push(this.smoothed);
        }
        if (this.lossX.length > MAX_POINTS) {
          this.lossX = this.lossX.filter((_, i) => i % 2 === 0);
          this.lossY = this.lossY.filter((_, i) => i % 2 === 0);
        }
        this.pending = m.params;
        this.chartsDirty = true;
        this.schedulePipeline(!m.running);
        this.requestPrediction();
        break;
      }
      case 'eval':
        // An evaluation can overtake the progress message of the steps it measured: the status
        // line should never say 100% after 0 steps.
        if (m.result.steps > this.steps) {
          this.steps = m.result.steps;
          this.epoch = m.result.epoch;
        }
        if (m.result.steps > 0 || this.accX.length === 0) {
          this.accX.push(m.result.epoch);
          this.accY.push(m.result.trainAccuracy);
        }
        this.el.dataset.accuracy = String(m.result.trainAccuracy);
        this.chartsDirty = true;
        break;
      case 'prediction':
        if (m.id === this.predictId) this.prediction = m.outputs;
        break;
      case 'error':
        this.running = false;
        this.say(TS.stopped(m.code ? wordError(m) : m.message), true);
        break;
      case 'loadFailed':
        break;
    }
    this.renderDashboard();
  }

  /** The worker's newest weights into the page's Model and one redraw of the network, when due. */
  private schedulePipeline(now: boolean): void {
    if (now) { clearTimeout(this.pipelineTimer); this.pipelineTimer = 0; }
    if (this.pipelineTimer) return;
    const wait = now ? 0 : Math.max(0, this.lastPipeline + PIPELINE_MS - performance.now());
    this.pipelineTimer = window.setTimeout(() => {
      this.pipelineTimer = 0;
      this.applyPending();
      this.lastPipeline = performance.now();
      this.app.render();
    }, wait);
  }

  private applyPending(): void {
    const params = this.pending;
    this.pending = null;
    if (!params || !this.active) return;
    if (!this.app.controller.adoptTrainedParams(params)) return; // the page's network changed meanwhile
    this.shared = params;
    // kept in storage once training pauses (not on every update: a project can be megabytes)
    this.trainedSinceSave = true;
    if (!this.running) this.scheduleSave();
    if (this.shownSample === null && this.source !== 'none') this.aimAtPrediction();
  }

  /** Weights edited on the page (a kernel typed in) go to the worker before it trains on. */
  private pushEdits(): void {
    const now = currentParams(this.engine.reader);
    if (sameParams(now, this.shared)) return;
    this.shared = now;
    this.post({ type: 'adopt', scene: this.engine.sceneJson() });
  }

  // ---------------------------------------------------------------- training

  private trainable(): boolean {
    const counts = this.names.map((n) => store.of(n).length);
    return this.fits && this.workerReady && counts.filter((c) => c > 0).length >= MIN_CLASSES;
  }

  private toggleRun(): void {
    if (this.running) {
      this.post({ type: 'pause' });
      this.running = false;
    } else if (this.trainable()) {
      this.pushEdits();
      this.post({ type: 'run' });
      this.running = true;
    }
    this.renderDashboard();
  }

  private step(): void {
    if (!this.trainable()) return;
    this.running = false;
    this.pushEdits();
    this.post({ type: 'step' });
    this.renderDashboard();
  }

  /** New weights for the same classes (one undo step); the samples stay. */
  private startOver(): void {
    const names = this.names.length >= MIN_CLASSES ? this.names : [TS.defaultName(1), TS.defaultName(2)];
    this.loadScene(teachScene(names, TS.title, TS.description), TS.histStartOver);
  }

  // ---------------------------------------------------------------- classes

  /**
   * A changed scene as one undo step (the example stays the open one). Except for a rename, the
   * weights may be new while the structure is the same (Start over): the worker starts again.
   */
  private loadScene(scene: Record<string, unknown>, label: string): boolean {
    this.applyPending();
    if (label !== TS.histRename) this.sentStructure = '';
    const r = this.app.controller.loadScene(JSON.stringify(scene), undefined, label);
    if (!r.ok) this.sayClasses(r.error);
    else this.scheduleSave(); // new classes or new weights: kept as the samples are
    return r.ok;
  }

  private currentScene(): Record<string, unknown> {
    return JSON.parse(this.engine.sceneJson()) as Record<string, unknown>;
  }

  private addClass(): void {
    if (this.names.length >= MAX_CLASSES) { this.sayClasses(TS.classLimit(MAX_CLASSES)); return; }
    let n = this.names.length + 1;
    // a fresh name: not one in use, and not one whose samples are kept for Undo
    while (this.names.includes(TS.defaultName(n)) || store.of(TS.defaultName(n)).length) n++;
    if (this.loadScene(withClasses(this.currentScene(), [...this.names, TS.defaultName(n)]), TS.histAddClass)) this.sayClasses(TS.retrained);
  }

  private removeClass(k: number): void {
    this.removing = -1;
    const names = this.names.filter((_, i) => i !== k);
    if (this.loadScene(withClasses(this.currentScene(), names), TS.histRemoveClass)) this.sayClasses(TS.retrained);
  }

  private rename(k: number, typed: string, field: HTMLInputElement): void {
    const name = typed.trim().slice(0, 60);
    const old = this.names[k];
    if (name === old) { field.value = old; return; }
    const why = !name ? TS.nameEmpty : this.names.some((n, i) => i !== k && n === name) ? TS.nameTaken(name) : '';
    if (why) {
      field.value = old;
      this.sayClasses(why);
      return;
    }
    store.rename(old, name);
    this.sayClasses(''); // an earlier refusal is answered
    this.loadScene(withClasses(this.currentScene(), this.names.map((n, i) => (i === k ? name : n))), TS.histRename);
  }

  private addSamples(k: number, samples: Uint8Array[]): number {
    const name = this.names[k];
    if (name === undefined) return 0;
    const added = store.add(name, samples);
    if (added < samples.length) this.sayClasses(TS.sampleLimit(MAX_SAMPLES_PER_CLASS));
    if (added) this.samplesChanged();
    return added;
  }

  private samplesChanged(): void {
    this.scheduleSave();
    this.sendSamples();
    this.renderClasses();
    this.renderDashboard();
  }

  private addDrawing(k: number): void {
    if (this.pad.isEmpty) { this.sayClasses(TS.addDrawingEmpty); return; }
    this.addSamples(k, [toBytes(this.pad.pixels())]);
  }

  private async addFiles(k: number, files: File[]): Promise<void> {
    const name = this.names[k];
    const { imageToInput } = await import('../image/picture');
    const samples: Uint8Array[] = [];
    const refused: string[] = [];
    for (const file of files) {
      try {
        const { values } = await imageToInput(file, { channels: 3, height: SAMPLE_SIDE, width: SAMPLE_SIDE });
        samples.push(toBytes(values));
      } catch (e) {
        refused.push(TS.fileRefused(file.name, pictureProblem(e)));
      }
    }
    if (!this.active || this.names[k] !== name) return;
    const added = samples.length ? this.addSamples(k, samples) : 0;
    // pictures past the class's limit are named too, not only the ones that went in
    const full = added < samples.length ? TS.sampleLimit(MAX_SAMPLES_PER_CLASS) : '';
    this.sayClasses([added ? TS.filesAdded(added, name) : '', full, ...refused].filter(Boolean).join(' '));
  }

  // ---------------------------------------------------------------- camera

  /** The camera started, stopped or was lost: recording stops with it; live prediction follows it. */
  private cameraChanged(on: boolean): void {
    clearInterval(this.predictTimer);
    this.predictTimer = 0;
    if (on && this.active) {
      this.source = 'camera';
      this.shownSample = null;
      this.predictTimer = window.setInterval(() => { if (this.source === 'camera') this.requestPrediction(); }, 1000 / PREDICT_PER_SECOND);
    } else {
      if (on) this.camera.stop(); // opened after the dashboard closed
      this.stopRecording();
      if (this.source === 'camera') this.source = 'none';
    }
    this.renderClasses();
    this.renderDashboard();
  }

  private startRecording(k: number): void {
    const name = this.names[k];
    if (!this.camera.on || this.recording || name === undefined) return;
    const take = () => {
      const s = this.camera.sample();
      if (!s || this.names[k] !== name) { this.stopRecording(); return; }
      if (!this.addSamples(k, [s])) this.stopRecording();
    };
    this.recording = { name, timer: window.setInterval(take, 1000 / RECORD_PER_SECOND) };
    take();
    this.renderClasses();
  }

  private stopRecording(): void {
    if (!this.recording) return;
    clearInterval(this.recording.timer);
    this.recording = null;
    clearTimeout(this.samplesTimer);
    this.samplesTimer = 0;
    this.sendSamples();
    this.renderClasses();
  }

  // ---------------------------------------------------------------- prediction

  private onDrawing(values: Float32Array | null): void {
    if (!values) {
      if (this.source === 'pad') { this.source = this.camera.on ? 'camera' : 'none'; this.prediction = null; }
      this.renderDashboard();
      return;
    }
    this.source = 'pad';
    this.tryRefusal = '';
    this.shownSample = null;
    this.predictInput = values;
    this.requestPrediction();
  }

  private async tryFile(file: File | undefined): Promise<void> {
    if (!file) return;
    this.tryRefusal = '';
    try {
      const { imageToInput } = await import('../image/picture');
      const { values } = await imageToInput(file, { channels: 3, height: SAMPLE_SIDE, width: SAMPLE_SIDE });
      this.source = 'file';
      this.sourceName = file.name;
      this.shownSample = null;
      this.predictInput = values;
      // the bars belonged to the previous picture: none until this one's answer arrives
      this.prediction = null;
      this.renderDashboard();
      this.requestPrediction();
    } catch (e) {
      // said where the reader looks for the answer, not among the classes (nothing was added)
      this.tryRefusal = TS.tryRefused(file.name, pictureProblem(e));
      this.renderDashboard();
    }
  }

  /** The current prediction input (a camera frame is taken now) to the worker. */
  private requestPrediction(): void {
    if (this.source === 'camera') {
      const s = this.camera.sample();
      if (!s) return;
      this.predictInput = toValues(s);
    }
    if (this.source === 'none' || !this.predictInput || !this.workerReady) return;
    const input = this.predictInput.slice();
    this.post({ type: 'predict', id: ++this.predictId, input }, [input.buffer]);
  }

  /** The prediction's input into the network below, the predicted class as its target. */
  private showPrediction(): void {
    if (!this.predictInput) return;
    this.shownSample = null;
    this.applyPending();
    this.aimAtPrediction();
    this.app.render();
  }

  private aimAtPrediction(): void {
    if (!this.predictInput) return;
    this.app.controller.showDataSample(this.predictInput);
    const k = this.prediction ? argmax(this.prediction) : 0;
    if (k < this.names.length) this.app.controller.aimAtClass(k);
  }

  /** Sample `index` of class `k` into the network below, its class as the target. */
  private showSample(k: number, index: number): void {
    const name = this.names[k];
    const sample = store.of(name)[index];
    if (!sample) return;
    this.applyPending();
    this.shownSample = { name, index };
    this.app.controller.showDataSample(toValues(sample));
    this.app.controller.aimAtClass(k);
    this.app.render();
  }

  // ---------------------------------------------------------------- project

  private saveProject(): void {
    this.applyPending();
    const scene = this.currentScene();
    const text = writeProject({ scene, classes: this.names.map((name) => ({ name, samples: [...store.of(name)] })) });
    download(`${fileStem(this.names.join('-') || 'classes')}.cnnlens-project.json`, text, 'application/json');
  }

  private async openProject(file: File | undefined): Promise<void> {
    if (!file) return;
    const refuse = (why: string) => { setText(this.projectMessage, TS.projectRefused(file.name, why)); this.projectMessage.classList.add('layer-error'); };
    if (file.size > MAX_PROJECT_BYTES) { refuse(TS.projectErrors.too_big); return; }
    let project;
    try {
      project = readProject(await file.text());
    } catch (e) {
      refuse(TS.projectErrors[e instanceof ProjectError ? e.code : 'not_json']);
      return;
    }
    // the network first: if the core refuses it, nothing changes
    this.sentStructure = '';
    const r = this.app.controller.loadScene(JSON.stringify(project.scene), undefined, TS.histProject);
    if (!r.ok) { refuse(`${TS.projectErrors.scene} ${sentence(r.error)}`); return; }
    store.replace(project.classes);
    this.sentStructure = ''; // the render above sent the old samples: start the worker over with these
    this.scheduleSave();
    const n = project.classes.reduce((a, c) => a + c.samples.length, 0);
    setText(this.projectMessage, TS.projectOpened(file.name, n));
    this.projectMessage.classList.remove('layer-error');
    this.afterRender();
  }

  private async exportOnnx(): Promise<void> {
    this.applyPending();
    try {
      const { loadOnnxModule } = await import('../share/onnxModule');
      const bytes = (await loadOnnxModule()).exportOnnx(this.engine.sceneJson());
      download(`${fileStem(this.names.join('-'))}.onnx`, new Blob([bytes], { type: 'application/octet-stream' }));
    } catch (e) {
      setText(this.projectMessage, TS.exportFailed(e instanceof Error ? e.message : String(e)));
    }
  }

  private async exportPytorch(): Promise<void> {
    this.applyPending();
    try {
      const { pytorchScript } = await import('../share/pytorchExport');
      download(`${fileStem(this.names.join('-'))}.py`, pytorchScript(this.engine.sceneJson()), 'text/x-python');
    } catch (e) {
      setText(this.projectMessage, TS.exportFailed(e instanceof Error ? e.message : String(e)));
    }
  }

  // ---------------------------------------------------------------- keeping the samples

  private restoreSamples(): void {
    const kept = keptProject();
    if (kept) store.replace(kept.classes);
  }


  private scheduleSave(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => this.flushSave(), 1000);
    if (this.active) this.keptScene = this.engine.sceneJson();
  }

  private flushSave(): void {
    if (!this.saveTimer && !this.trainedSinceSave) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = 0;
    if (this.names.length < MIN_CLASSES || (!this.active && !this.keptScene)) return;
    try {
      const scene = JSON.parse(this.active ? this.engine.sceneJson() : this.keptScene) as Record<string, unknown>;
      localStorage.setItem(STORAGE_KEY, writeProject({ scene, classes: this.names.map((name) => ({ name, samples: [...store.of(name)] })) }));
      this.trainedSinceSave = false;
    } catch {
      this.sayClasses(TS.storageFull);
    }
  }

  // ---------------------------------------------------------------- drawing the dashboard

  private say(message: string, isError: boolean): void {
    this.message = message;
    this.messageIsError = isError;
  }

  private sayClasses(message: string): void {
    setText(this.classesMessage, message);
  }

  private renderClasses(): void {
    this.classRows.render(this.names, {
      camera: this.camera.on, recording: this.recording?.name ?? null, removing: this.removing, clearing: this.clearing, shown: this.shownSample,
    });
    this.addClassButton.disabled = this.names.length >= MAX_CLASSES || !this.fits;
  }

  private renderDashboard(): void {
    if (!this.active) return;
    const total = store.count(this.names);
    const can = this.trainable();
    if (!this.fits) this.say(TS.needFit, true);
    else if (this.message === TS.needFit) this.say('', false);
    this.run.disabled = !can && !this.running;
    this.stepButton.disabled = !can;
    setText(this.run, this.running ? TS.pause : TS.train);
    this.run.setAttribute('aria-pressed', String(this.running));
    // a class with no samples trains along but is never learnt: say so rather than let it look broken
    const empty = this.names.filter((n) => store.of(n).length === 0);
    const hint = !this.fits ? '' : !this.worker ? '' : !this.workerReady ? TS.starting : !can ? TS.needSamples : empty.length ? TS.emptyClasses(empty) : '';
    setText(this.messageLine, this.message || hint);
    this.messageLine.classList.toggle('layer-error', this.messageIsError);
    const acc = this.accY.at(-1);
    const status = TS.status(this.epoch.toFixed(1), this.steps, acc === undefined ? null : (acc * 100).toFixed(0));
    setText(this.statusLine, this.workersUsed > 0 ? `${status} · ${S.digitsWorkers(this.workersUsed)}` : status);

    const d = this.el.dataset;
    d.ready = String(this.workerReady);
    d.running = String(this.running);
    d.steps = String(this.steps);
    d.samples = String(total);
    d.classes = String(this.names.length);
    d.source = this.source;
    this.renderPrediction();

    if (this.chartsDirty && !this.chartFrame) {
      this.chartsDirty = false;
      this.chartFrame = requestAnimationFrame(() => {
        this.chartFrame = 0;
        if (this.active) this.renderCharts();
      });
    }
  }

  private renderPrediction(): void {
    const key = this.names.join('\n');
    if (key !== this.barsKey) {
      this.barsKey = key;
      const bars = new ProbabilityBars('teach', TS.probsTitle, this.names, TS.probAria);
      if (this.bars) this.bars.el.replaceWith(bars.el);
      else this.verdict.after(bars.el);
      this.bars = bars;
      this.prediction = null;
    }
    const from = this.source === 'file' ? TS.predictFrom.file(this.sourceName) : TS.predictFrom[this.source];
    setText(this.predictFrom, this.tryRefusal || from);
    this.predictFrom.classList.toggle('layer-error', !!this.tryRefusal);
    const p = this.prediction && this.prediction.length === this.names.length && this.source !== 'none' ? softmax(this.prediction) : null;
    this.bars!.el.hidden = !p;
    this.showButton.disabled = !this.predictInput || this.source === 'none';
    if (this.predictInput && this.source !== 'none') paintValues(this.predictPreview, this.predictInput);
    this.predictPreview.hidden = this.source === 'none';
    if (!p) {
      setText(this.verdict, TS.predictNothing);
      this.verdict.classList.add('muted');
      this.el.dataset.prediction = '';
      this.el.dataset.predicted = '';
      return;
    }
    const k = argmax(p);
    this.bars!.render(p, k);
    this.verdict.classList.remove('muted');
    setText(this.verdict, this.steps ? TS.verdict(this.names[k], (p[k] * 100).toFixed(0)) : TS.predictUntrained);
    this.el.dataset.prediction = String(k);
    // what the shown prediction is of (a file's name, or pad/camera), so a reader can wait for it
    this.el.dataset.predicted = this.source === 'file' ? this.sourceName : this.source;
  }

  private renderCharts(): void {
    const { train, ink } = (this.colors ??= themeColors());
    const loss: Series[] = [{ label: TS.seriesLoss, color: train, x: this.lossX, y: this.lossY }];
    const acc: Series[] = [{ label: TS.seriesAccuracy, color: train, x: this.accX, y: this.accY }];
    this.lossChart.render(loss, TS.lossAria(this.lossY.at(-1)?.toFixed(3) ?? '—'), ink);
    this.accChart.render(acc, TS.accuracyAria(this.accY.length ? (this.accY.at(-1)! * 100).toFixed(0) : '—'), ink);
  }
}

/** The core's reason as a sentence of its own: capitalised and closed (it is worded as a clause). */
function sentence(clause: string): string {
  const t = clause.trim();
  if (!t) return t;
  return (t[0].toUpperCase() + t.slice(1)).replace(/[^.。!?！？]$/, (c) => `${c}${/[\u3000-\u9fff]/.test(c) ? '。' : '.'}`);
}

function pictureProblem(e: unknown): string {
  return TS.pictureProblems[e instanceof PictureError ? e.code : 'corrupt'] ?? TS.pictureProblems.corrupt;
}

function paintValues(canvas: HTMLCanvasElement, values: Float32Array): void {
  paintSample(canvas, toBytes(values));
}

/** Layer types and parameter shapes: what the worker's model must match. */
function structureKey(engine: Engine, inputShape: readonly number[]): string {
  const m = engine.reader;
  const parts = [inputShape.join('x')];
  for (let i = 0; i < m.layerCount(); i++) parts.push(`${m.layerType(i)}:${m.layerTensors(i).map((t) => `${t.name}${t.shape.join('x')}`).join(',')}`);
  return parts.join('|');
}

/** Mounts the dashboard above the pipeline (main.ts calls it once the example is first opened). */
export function mountTeach(app: App, engine: Engine, state: UIState, root: HTMLElement): () => void {
  const session = new TeachSession(app, engine, state);
  root.querySelector('section.network')?.prepend(session.el);
  return () => session.afterRender();
}
