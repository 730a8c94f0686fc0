// The "Teach it your classes" example as a scene: the project this browser kept from the last
// visit (its network, weights and class names; the dashboard restores the samples), else two
// empty classes and an untrained network.
import { keptProject } from './project';
import { teachScene } from './samples';
import { TS } from './strings';

export async function loadTeachExample(): Promise<{ json: string; notice?: string }> {
  const kept = keptProject();
  if (kept) return { json: JSON.stringify(kept.scene) };
  return { json: JSON.stringify(teachScene([TS.defaultName(1), TS.defaultName(2)], TS.title, TS.description)) };
}
