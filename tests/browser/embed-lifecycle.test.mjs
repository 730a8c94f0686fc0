// A <cnn-lens> removed from the page gives everything back: several elements created and removed
// 100 times (some removed while still loading, some while training) leave no event listeners on
// window or document and no wasm heap in use; an element moved within the page keeps its work;
// the elements that stayed still work.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

/** The example blog post, once its three <cnn-lens> elements are ready. */
async function openExample() {
  const page = await h.open({ path: 'embed-example.html', ready: null });
  await page.waitForFunction(() => document.querySelectorAll('cnn-lens[data-ready="true"]').length === 3, null, { timeout: 20000 });
  return page;
}

/** Event listeners registered on window and on document, as DevTools lists them. */
async function pageListeners(cdp) {
  const counts = {};
  for (const target of ['window', 'document']) {
    const { result } = await cdp.send('Runtime.evaluate', { expression: target });
    const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId });
    counts[target] = listeners.length;
    await cdp.send('Runtime.releaseObject', { objectId: result.objectId });
  }
  return counts;
}

const heapInUse = (page) => page.evaluate(() => customElements.get('cnn-lens').heapInUse());

/**
 * One round: three new elements (an example, a share-less inline scene, read-only with theme
 * auto) appended together; one is removed while it is still loading; the others once drawn,
 * one of them while training runs.
 */
function round(page) {
  return page.evaluate(async () => {
    const host = document.createElement('div');
    document.body.append(host);
    const make = (attrs) => {
      const el = document.createElement('cnn-lens');
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      host.append(el);
      return el;
    };
    const a = make({ scene: 'classic', view: 'both' });
    const b = make({ scene: 'classic', readonly: '', theme: 'auto', panels: 'input,conv,explain' });
    const early = make({ scene: 'classic' });
    early.remove(); // before it finished loading
    const ready = (el) => new Promise((ok) => (el.dataset.ready === 'true' ? ok() : el.addEventListener('cnnlens-ready', ok, { once: true })));
    await Promise.all([ready(a), ready(b)]);
    a.shadowRoot.querySelector('[data-testid="btn-run"]')?.click(); // training is running when it goes
    await new Promise((ok) => requestAnimationFrame(ok));
    host.remove();
    // let the removals take effect (a microtask) and any frame already queued run
    await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
  });
}

test('elements created and removed 100 times leave no listeners and no wasm memory behind', async () => {
  const page = await openExample();
  const cdp = await page.context().newCDPSession(page);
  await round(page); // the first round warms caches that live as long as the module
  const listenersBefore = await pageListeners(cdp);
  const heapBefore = await heapInUse(page);
  for (let k = 0; k < 99; k++) await round(page);
  const listenersAfter = await pageListeners(cdp);
  const heapAfter = await heapInUse(page);
  assert.deepEqual(listenersAfter, listenersBefore, 'window and document listeners back to where they were');
  assert.equal(heapAfter, heapBefore, `wasm heap in use back to ${heapBefore} bytes`);
  assert.equal(await page.evaluate(() => document.querySelectorAll('cnn-lens').length), 3, 'only the page\'s own three elements remain');
  // the elements that stayed still answer edits
  const demo = page.locator('#demo-train');
  const before = await page.evaluate(() => document.querySelector('#demo-train').model.loss());
  await demo.getByTestId('btn-step').click();
  await page.waitForFunction((l) => document.querySelector('#demo-train').model.loss() !== l, before);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a removed element frees its Model; moved within the page it keeps its work', async () => {
  const page = await openExample();
  const moved = await page.evaluate(async () => {
    const el = document.querySelector('#demo-train');
    const model = el.model;
    el.model.setInputCell(0, 0, 0, 0.25);
    el.refresh();
    const scene = el.sceneJSON();
    document.body.append(el); // a move: disconnected and connected in one task
    await new Promise((ok) => setTimeout(ok, 50));
    return { same: el.model === model, ready: el.dataset.ready, kept: el.sceneJSON() === scene };
  });
  assert.deepEqual(moved, { same: true, ready: 'true', kept: true });
  const removed = await page.evaluate(async () => {
    const el = document.querySelector('#demo-conv');
    window.removedElement = el;
    const model = el.model;
    el.remove();
    await new Promise((ok) => setTimeout(ok, 50));
    let deleted = false;
    try { model.loss(); } catch { deleted = true; } // Embind throws on a deleted object
    return { deleted, model: el.model === undefined, ready: el.dataset.ready ?? null, shadow: el.shadowRoot.childElementCount };
  });
  assert.deepEqual(removed, { deleted: true, model: true, ready: null, shadow: 0 });
  // put back, it starts again from its attributes
  await page.evaluate(() => document.body.append(window.removedElement));
  await page.waitForFunction(() => window.removedElement.dataset.ready === 'true');
  assert.equal(await page.evaluate(() => window.removedElement.model.layerCount()), 5, 'the classic network again');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
