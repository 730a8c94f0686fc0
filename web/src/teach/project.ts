// A "Teach it your classes" project as one file: the scene (network, weights, class names as its
// `labels`) and every sample of every class. The format is in docs/scene-format.md:
//
//   { "format": "cnn-lens-project", "version": 1,
//     "scene": { …a scene… },
//     "sampleShape": [3, 32, 32],
//     "classes": [ { "name": "cup", "count": 20, "samples": "<base64 of count × 3072 bytes>" }, … ] }
//
// Reading checks everything before anything is used, so a file from elsewhere is refused with a
// reason (a ProjectError code) and the current work stays.
import { base64ToBytes, bytesToBase64 } from '../share/base64';
import { MAX_CLASSES, MAX_SAMPLES_PER_CLASS, MIN_CLASSES, SAMPLE_CHANNELS, SAMPLE_SIDE, SAMPLE_VALUES } from './samples';

export const PROJECT_FORMAT = 'cnn-lens-project';
export const PROJECT_VERSION = 1;
/** where this browser keeps the open project between visits (localStorage; the same format as the file) */
export const STORAGE_KEY = 'cnnlens:teach';
/** 6 classes × 300 samples × 3 KB is 5.5 MB of bytes, 7.4 MB as base64: anything far larger is not ours */
export const MAX_PROJECT_BYTES = 64 * 1024 * 1024;

export type ProjectErrorCode = 'not_json' | 'not_project' | 'version' | 'version_invalid' | 'classes' | 'samples' | 'scene' | 'too_big';

export class ProjectError extends Error {
  constructor(readonly code: ProjectErrorCode, detail = '') { super(`project: ${code}${detail ? ` (${detail})` : ''}`); }
}

export interface ProjectClass { name: string; samples: Uint8Array[] }
export interface Project { scene: Record<string, unknown>; classes: ProjectClass[] }

export function writeProject(p: Project): string {
  const classes = p.classes.map((c) => {
    const all = new Uint8Array(c.samples.length * SAMPLE_VALUES);
    c.samples.forEach((s, i) => all.set(s, i * SAMPLE_VALUES));
    return { name: c.name, count: c.samples.length, samples: bytesToBase64(all) };
  });
  return JSON.stringify({ format: PROJECT_FORMAT, version: PROJECT_VERSION, scene: p.scene, sampleShape: [SAMPLE_CHANNELS, SAMPLE_SIDE, SAMPLE_SIDE], classes });
}

let kept: Project | null | undefined;

/**
 * The project this browser kept from an earlier visit, or null. Read once per page: the example's
 * scene and the dashboard's samples both come from it when the example is first opened (later the
 * dashboard's memory is ahead of the storage it writes).
 */
export function keptProject(): Project | null {
  if (kept === undefined) {
    try {
      const text = localStorage.getItem(STORAGE_KEY);
      kept = text ? readProject(text) : null;
    } catch {
      kept = null; // nothing usable kept (storage refused, another version's file): a fresh start
    }
  }
  return kept;
}

/** Reads a project file's text; throws ProjectError. The scene itself is checked by the core when loaded. */
export function readProject(text: string): Project {
  if (text.length > MAX_PROJECT_BYTES) throw new ProjectError('too_big');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ProjectError('not_json');
  }
  const o = doc as Record<string, unknown> | null;
  if (!o || typeof o !== 'object' || o.format !== PROJECT_FORMAT) throw new ProjectError('not_project');
  // a newer file is told apart from a damaged one: only the first is fixed by updating CNN Lens
  if (typeof o.version !== 'number' || !Number.isInteger(o.version) || o.version < 1) throw new ProjectError('version_invalid', String(o.version));
  if (o.version > PROJECT_VERSION) throw new ProjectError('version', String(o.version));
  if (!o.scene || typeof o.scene !== 'object' || Array.isArray(o.scene)) throw new ProjectError('scene', 'no scene object');
  if (JSON.stringify(o.sampleShape) !== JSON.stringify([SAMPLE_CHANNELS, SAMPLE_SIDE, SAMPLE_SIDE])) throw new ProjectError('samples', 'sampleShape');
  const list = o.classes;
  if (!Array.isArray(list) || list.length < MIN_CLASSES || list.length > MAX_CLASSES) throw new ProjectError('classes');
  const names = new Set<string>();
  const classes: ProjectClass[] = list.map((c: unknown) => {
    const k = c as Record<string, unknown> | null;
    const name = typeof k?.name === 'string' ? k.name.trim() : '';
    if (!name || name.length > 60 || names.has(name)) throw new ProjectError('classes', name);
    names.add(name);
    const count = k!.count;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > MAX_SAMPLES_PER_CLASS || typeof k!.samples !== 'string') throw new ProjectError('samples', name);
    let bytes: Uint8Array;
    try {
      bytes = base64ToBytes(k!.samples);
    } catch {
      throw new ProjectError('samples', name);
    }
    if (bytes.length !== count * SAMPLE_VALUES) throw new ProjectError('samples', name);
    return { name, samples: Array.from({ length: count }, (_, i) => bytes.slice(i * SAMPLE_VALUES, (i + 1) * SAMPLE_VALUES)) };
  });
  const scene = o.scene as Record<string, unknown>;
  const labels = scene.labels;
  if (!Array.isArray(labels) || labels.length !== classes.length || labels.some((l, i) => l !== classes[i].name)) throw new ProjectError('classes', 'the scene\'s labels are not the classes');
  return { scene, classes };
}
