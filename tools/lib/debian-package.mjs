// Files of a Debian package the build needs as data (sample photos, a data set), without root
// and without installing it (its dependencies may be large): the installed files when the
// package is installed, else `apt-get download` of the .deb into `cacheDir` and `dpkg-deb -x`
// there (a cache: later builds reuse the unpacked files).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The root under which `files` (paths inside the package, e.g. `usr/share/...`) exist: '/' when
 * installed, else `cacheDir` after downloading and unpacking the package there.
 */
export function debianPackageRoot(pkg, files, cacheDir, log = console.log) {
  const has = (root) => files.every((f) => existsSync(join(root, f)));
  if (has('/')) return '/';
  if (has(cacheDir)) return cacheDir;
  mkdirSync(cacheDir, { recursive: true });
  log(`apt-get download ${pkg} (once) into ${cacheDir}`);
  try {
    execFileSync('apt-get', ['download', '-q', pkg], { cwd: cacheDir, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (e) {
    throw new Error(`could not download Debian's ${pkg} (${e.message}); install it (apt-get install ${pkg}) or run apt-get update first`);
  }
  const deb = readdirSync(cacheDir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download left no ${pkg} .deb in ${cacheDir}`);
  execFileSync('dpkg-deb', ['-x', deb, '.'], { cwd: cacheDir });
  rmSync(join(cacheDir, deb)); // the unpacked files are the cache
  if (!has(cacheDir)) throw new Error(`${deb} does not hold ${files.join(', ')}`);
  return cacheDir;
}
