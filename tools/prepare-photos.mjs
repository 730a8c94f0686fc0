// Copies the sample photos of the "Kernels on a photo" example into web/public/photos/ (not
// committed; the page fetches one only when the example opens). They come from Debian's
// python3-skimage package (scikit-image's sample data); their licences, as scikit-image's
// skimage/data/_fetchers.py states them, are recorded in the README and shown under the photo:
//   chelsea.png   Stéfan van der Walt, CC0          coffee.png  Rachel Michetti, CC0
//   astronaut.png NASA, public domain               camera.png  Lav Varshney, CC0
// The package pulls in SciPy and Matplotlib, so it is not installed: tools/lib/debian-package.mjs
// fetches its .deb without root and unpacks it under build/datasets/ (an installed copy is used
// when there is one).
import { copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { debianPackageRoot } from './lib/debian-package.mjs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'web/public/photos');
const PHOTOS = ['chelsea.png', 'coffee.png', 'astronaut.png', 'camera.png'];
const DATA = 'usr/lib/python3/dist-packages/skimage/data';

/** The folder holding scikit-image's sample data: the installed package's, or the .deb unpacked. */
function skimageData() {
  const cache = join(root, 'build/datasets/python3-skimage');
  return join(debianPackageRoot('python3-skimage', PHOTOS.map((f) => join(DATA, f)), cache, (m) => console.log(`photos: ${m}`)), DATA);
}

const fresh = PHOTOS.every((f) => existsSync(join(outDir, f)));
if (fresh) {
  console.log(`photos: ${PHOTOS.length} sample photos already in ${outDir}`);
} else {
  const from = skimageData();
  mkdirSync(outDir, { recursive: true });
  let bytes = 0;
  for (const f of PHOTOS) {
    copyFileSync(join(from, f), join(outDir, f));
    bytes += statSync(join(outDir, f)).size;
  }
  writeFileSync(join(outDir, 'README.txt'), [
    'Sample photos from scikit-image (Debian package python3-skimage), as its data module describes them:',
    'chelsea.png: Chelsea the cat, by Stéfan van der Walt, CC0.',
    'coffee.png: a coffee cup, by Rachel Michetti, courtesy of Pikolo Espresso Bar, CC0.',
    'astronaut.png: Eileen Collins, NASA, public domain.',
    'camera.png: a photographer, by Lav Varshney, CC0.',
    '',
  ].join('\n'));
  console.log(`photos: copied ${PHOTOS.length} sample photos (${(bytes / 1024).toFixed(0)} KB) to ${outDir}`);
}
