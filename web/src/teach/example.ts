// The "Teach it your classes" example as a scene: the project this browser kept from the last
// visit (its network, weights and class names; the dashboard restores the samples), else two
// empty classes and an untrained network.
import { readProject, STORAGE_KEY } from './project';
import { teachScene } from './samples';
import { TS } from './strings';

export async function loadTeachExample(): Promise<{ json: string; notice?: string }> {
  try {
    const kept = localStorage.getItem(STORAGE_KEY);
    if (kept) return { json: JSON.stringify(readProject(kept).scene) };
  } catch {
    // nothing usable kept: a fresh start
  }
  return { json: JSON.stringify(teachScene([TS.defaultName(1), TS.defaultName(2)], TS.title, TS.description)) };
}
