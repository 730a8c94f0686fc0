// Cause and effect on one screen at the sizes teachers use: on a 1280x720 projector and a
// 1440x900 laptop, pointing at a convolution output cell leaves that cell, its whole receptive
// field in the input and the explanation's heading visible together, none of them under the
// sticky header; the header bar stays a small share of the screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

/** The element's box, and whether the element itself is what is drawn at its centre (not covered). */
const boxes = (page, selector) => page.locator(selector).evaluateAll((els) => els.map((el) => {
  const r = el.getBoundingClientRect();
  const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, visible: !!top && (el === top || el.contains(top)) };
}));

function inViewport(b, viewport, what) {
  // a pixel's slack: scrolling into view aligns edges to fractions of a pixel
  assert.ok(b.top >= -1 && b.left >= -1 && b.bottom <= viewport.height + 1 && b.right <= viewport.width + 1,
    `${what} inside the ${viewport.width}x${viewport.height} viewport: ${JSON.stringify(b)}`);
  assert.ok(b.visible, `${what} not covered by anything (e.g. the sticky header)`);
}

for (const viewport of [{ width: 1280, height: 720 }, { width: 1440, height: 900 }]) {
  test(`${viewport.width}x${viewport.height}: the hovered output cell, its receptive field and the explanation heading are on screen together`, async () => {
    const page = await h.open(viewport);
    const header = (await boxes(page, '.app-header'))[0];
    assert.ok(header.bottom - header.top <= 0.12 * viewport.height, `header bar ${header.bottom - header.top} px of ${viewport.height}`);
    // a cell of the last output row: the farthest from the input
    for (const index of [0, 15]) {
      const target = page.locator('[data-testid="matrix-0-output-0"] .cell').nth(index);
      await target.scrollIntoViewIfNeeded();
      await target.hover();
      await page.getByTestId('explain-formula').first().waitFor();
      const [cell] = await boxes(page, `[data-testid="matrix-0-output-0"] .cell >> nth=${index}`);
      inViewport(cell, viewport, `output cell ${index}`);
      const field = await boxes(page, '[data-testid="matrix-input-0"] .cell.field');
      assert.equal(field.length, 9, 'the 3x3 receptive field is marked');
      field.forEach((b, k) => inViewport(b, viewport, `receptive field cell ${k} of output ${index}`));
      const heading = await boxes(page, '.inspector h2');
      assert.ok(heading.length >= 1, 'the explanation has a heading');
      inViewport(heading[0], viewport, 'the explanation heading');
    }
    await page.context().close();
  });
}
