// Embedding: the example blog post (web/embed-example.html) shows three differently configured
// <cnn-lens> instances that are edited independently; the iframe mode (?embed=1) shows only the
// asked panels, is read-only on request and posts its height to the parent page.
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

const scenes = (page) => page.evaluate(() => [...document.querySelectorAll('cnn-lens')].map((e) => e.sceneJSON()));

test('the blog example shows three configured instances', async () => {
  const page = await openExample();
  const info = await page.evaluate(() => [...document.querySelectorAll('cnn-lens')].map((e) => ({ id: e.id, mode: e.state.mode, title: JSON.parse(e.sceneJSON()).title })));
  assert.deepEqual(info.map((i) => i.mode), ['values', 'both', 'gradients']);
  assert.equal(info[2].title, JSON.parse(await page.evaluate(() => document.querySelector('#demo-multi').sceneJSON())).title);
  const one = page.locator('#demo-conv');
  // panels: input, conv and explain only
  assert.ok(await one.getByTestId('input-card').isVisible());
  assert.ok(await one.getByTestId('layer-card-0').isVisible());
  assert.equal(await one.getByTestId('layer-card-1').isVisible(), false, 'pooling hidden');
  assert.equal(await one.getByTestId('loss-card').isVisible(), false, 'loss hidden');
  assert.equal(await one.locator('.app-header').isVisible(), false, 'controls hidden');
  assert.equal(await one.locator('.training').isVisible(), false);
  // the second has training and no inspector; the third every panel
  assert.ok(await page.locator('#demo-train .training').isVisible());
  assert.equal(await page.locator('#demo-train .inspector').isVisible(), false);
  assert.ok(await page.locator('#demo-multi .app-header').isVisible());
  // styles stay inside each shadow root: the blog's own text is untouched
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).fontFamily.includes('Georgia')), true);
  // hover explains a conv output cell of the read-only instance
  await one.getByTestId('matrix-0-output-0').locator('.cell').first().hover();
  assert.match(await one.getByTestId('explain').textContent(), /Convolution/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('editing one instance leaves the others unchanged; read-only refuses edits', async () => {
  const page = await openExample();
  const before = await scenes(page);
  // edit a weight of the second instance through its own UI
  const two = page.locator('#demo-train');
  await two.getByTestId('matrix-0-weight-0').locator('.cell').first().click();
  await page.keyboard.type('0.25');
  await page.keyboard.press('Enter');
  await two.getByTestId('btn-step').click();
  const after = await scenes(page);
  assert.notEqual(after[1], before[1], 'the edited instance changed');
  assert.equal(JSON.parse(after[1]).layers[0].weight[0] !== 1, true);
  assert.equal(after[0], before[0], 'first instance unchanged');
  assert.equal(after[2], before[2], 'third instance unchanged');
  // the third: change its view; the others keep theirs
  await page.locator('#demo-multi').getByTestId('mode-values').click();
  assert.deepEqual(await page.evaluate(() => [...document.querySelectorAll('cnn-lens')].map((e) => e.state.mode)), ['values', 'both', 'values']);
  // read-only: clicking a cell opens no editor, typing changes nothing
  const one = page.locator('#demo-conv');
  await one.getByTestId('matrix-input-0').locator('.cell').first().click();
  await page.keyboard.type('5');
  await page.keyboard.press('Enter');
  assert.equal(await one.getByTestId('cell-editor').count(), 0);
  assert.equal((await scenes(page))[0], before[0]);
  // attributes reconfigure a live instance
  await page.evaluate(() => document.querySelector('#demo-conv').setAttribute('view', 'gradients'));
  assert.equal(await page.evaluate(() => document.querySelector('#demo-conv').state.mode), 'gradients');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('theme="dark" darkens one element only; its toggle and the attribute switch it, never the page', async () => {
  const page = await openExample();
  await page.evaluate(() => {
    const el = document.createElement('cnn-lens');
    el.id = 'demo-dark';
    el.setAttribute('scene', 'classic');
    el.setAttribute('panels', 'all');
    el.setAttribute('theme', 'dark');
    document.body.append(el);
  });
  await page.waitForFunction(() => document.querySelector('#demo-dark')?.dataset.ready === 'true', null, { timeout: 20000 });
  // a cell holding 0 is the middle of the colour scale: near-white in light, dark grey in dark
  const look = (id) => page.evaluate((id) => {
    const root = document.querySelector(id).shadowRoot;
    const card = root.querySelector('[data-testid="layer-card-0"]');
    return {
      theme: root.querySelector('.cnnlens-root').dataset.theme,
      card: getComputedStyle(card).backgroundColor,
      zero: getComputedStyle([...root.querySelectorAll('.cell')].find((c) => c.textContent === '0')).backgroundColor,
    };
  }, id);
  const lightLook = { theme: 'light', card: 'rgb(255, 255, 255)', zero: 'rgb(247, 247, 247)' };
  const darkLook = { theme: 'dark', card: 'rgb(30, 35, 43)', zero: 'rgb(36, 40, 48)' };
  const pageTheme = () => page.evaluate(() => [document.documentElement.dataset.theme ?? null, localStorage.getItem('cnnlens:theme')]);
  assert.deepEqual(await look('#demo-dark'), darkLook);
  assert.deepEqual(await look('#demo-multi'), lightLook, 'the other instances stay light');
  const pageBefore = await pageTheme();
  await page.locator('#demo-dark').getByTestId('theme-toggle').click();
  assert.deepEqual(await look('#demo-dark'), lightLook, 'its own toggle switches it');
  assert.deepEqual(await look('#demo-multi'), lightLook);
  assert.deepEqual(await pageTheme(), pageBefore, 'the host page and its storage are untouched');
  await page.evaluate(() => document.querySelector('#demo-multi').setAttribute('theme', 'dark'));
  assert.deepEqual(await look('#demo-multi'), darkLook, 'the attribute switches a live element');
  assert.deepEqual(await look('#demo-dark'), lightLook);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a share link works as the scene attribute; a bad one shows a notice', async () => {
  const page = await openExample();
  const link = await page.evaluate(async () => {
    const src = document.querySelector('#demo-train');
    src.model.setParamElement(3, 'weight', 0, 0.3141592);
    src.refresh();
    const el = document.createElement('cnn-lens');
    el.id = 'copy';
    document.body.append(el);
    return src.sceneJSON();
  });
  assert.ok(link);
  // build a link with the page's own encoder by loading the app in a second tab
  const app = await page.context().newPage();
  await app.goto(h.server.url);
  await app.waitForSelector('body[data-ready="true"]');
  const share = await app.evaluate(async (json) => { window.cnnlens.loadScene(json); return window.cnnlens.shareLink(); }, link);
  await page.evaluate((s) => { const el = document.querySelector('#copy'); el.setAttribute('scene', s); }, share);
  await page.waitForFunction((j) => document.querySelector('#copy').sceneJSON() === j, link, { timeout: 10000 });
  await page.evaluate(() => document.querySelector('#copy').setAttribute('scene', 'https://example.invalid/?scene=1.broken'));
  await page.locator('#copy').getByTestId('notice').waitFor();
  assert.match(await page.locator('#copy').getByTestId('notice-text').textContent(), /damaged.*Showing the default example/);
  // a misspelt example name: the notice lists the names there are
  await page.evaluate(() => document.querySelector('#copy').setAttribute('scene', 'clasic'));
  await page.locator('#copy').getByTestId('notice-text').filter({ hasText: 'clasic' }).waitFor();
  assert.match(await page.locator('#copy').getByTestId('notice-text').textContent(), /no example of that name.*classic, edge-blur-sharpen/);
  await page.context().close();
});

test('iframe mode: only the asked panels, read-only, height posted to the parent', async () => {
  const page = await h.open({ width: 1100, height: 800, path: 'embed-example.html', ready: null });
  const src = `${h.server.url}?embed=1&panels=input,conv&readonly=1&view=gradients`;
  await page.evaluate((s) => {
    document.body.innerHTML = '';
    // the 3-line listener of docs/embedding.md
    addEventListener('message', (e) => {
      for (const f of document.querySelectorAll('iframe')) if (f.contentWindow === e.source && e.data?.type === 'cnnlens:height') f.style.height = e.data.height + 'px';
    });
    const f = document.createElement('iframe');
    f.src = s;
    f.style.cssText = 'width: 1000px; height: 150px; border: 0';
    document.body.append(f);
  }, src);
  await page.waitForFunction(() => parseFloat(document.querySelector('iframe').style.height) > 300, null, { timeout: 15000 });
  const frame = page.frameLocator('iframe');
  await frame.locator('body[data-ready="true"]').waitFor();
  assert.ok(await frame.getByTestId('layer-card-0').isVisible());
  assert.equal(await frame.getByTestId('loss-card').isVisible(), false);
  assert.equal(await frame.locator('.app-header').isVisible(), false);
  assert.equal(await frame.locator('.side').isVisible(), false);
  assert.ok(await frame.getByTestId('matrix-0-weight.grad-0').isVisible(), 'gradients view');
  assert.ok(await frame.getByTestId('setting-0-out_channels').isDisabled(), 'read-only settings');
  const height = parseFloat(await page.evaluate(() => document.querySelector('iframe').style.height));
  const content = await frame.locator('#app').evaluate((el) => Math.ceil(el.getBoundingClientRect().bottom));
  assert.ok(Math.abs(height - content) <= 2, `${height} vs ${content}`);
  await page.context().close();
});
