// The test app's script: the two ways a site uses the package, as a reader would write them.
import 'cnn-lens';
import { loadModel } from 'cnn-lens/core';

// the core on its own: the classic example's loss, for the test to compare
loadModel('classic').then((model) => {
  document.body.dataset.coreLoss = String(model.loss());
  model.delete();
});
