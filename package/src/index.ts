// The package's main entry (`import 'cnn-lens'`): defines the <cnn-lens> custom element (once per
// page) and exports its class. The element itself lives in web/src/embed/element.ts, shared with
// the page's build, so the package and web/dist never drift apart.
export { CnnLensElement } from '../../web/src/embed/element';
