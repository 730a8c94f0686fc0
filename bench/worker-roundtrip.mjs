// What one message costs between the Digits trainer and its helper, with no training around it:
// headless Chromium, a dedicated worker and the worker it starts (as trainer.worker.ts starts
// shard.worker.ts), passing a Float32Array back and forth (transferred, as the gradients and
// parameters are), 1,000 round trips after 50 of warm-up, five times per size. Both threads are
// busy with nothing else, so neither sleeps long between messages: this is the messages' own
// cost, not the wake-up of a core that waited a whole shard. bench/README.md quotes it.
//
//   node bench/worker-roundtrip.mjs
import { createServer } from 'node:http';
import os from 'node:os';
import { launch } from '../tests/browser/harness.mjs';

const ROUND_TRIPS = 1000;
const WARMUP = 50;
const REPEATS = 5;

// the helper: answers every message with the same buffer
const inner = 'onmessage = (e) => { postMessage(e.data, [e.data.buffer]); };';
// the trainer's side: starts the helper, then times the round trips it is asked for
const outer = `
const helper = new Worker(${JSON.stringify(`data:text/javascript,${encodeURIComponent(inner)}`)});
let n = 0, t0 = 0;
const send = (floats) => helper.postMessage(floats, [floats.buffer]);
helper.onmessage = (e) => {
  n++;
  if (n === ${WARMUP}) t0 = performance.now();
  if (n === ${WARMUP + ROUND_TRIPS}) { postMessage((performance.now() - t0) / ${ROUND_TRIPS}); return; }
  send(e.data);
};
onmessage = (e) => { n = 0; send(new Float32Array(e.data)); };`;
const page = `<!doctype html><script>
const trainer = new Worker(URL.createObjectURL(new Blob([${JSON.stringify(outer)}], { type: 'text/javascript' })));
window.roundTrip = (floats) => new Promise((done) => { trainer.onmessage = (e) => done(e.data); trainer.postMessage(floats); });
</script>`;

const server = createServer((_req, res) => {
  res.setHeader('content-type', 'text/html');
  res.end(page);
}).listen(0, '127.0.0.1');
await new Promise((ready) => server.once('listening', ready));
const browser = await launch();
try {
  const tab = await browser.newPage();
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  console.log(`worker ↔ nested worker round trips, headless Chromium, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  // 1 float: the message alone; 7,434: the Digits network's parameters or gradients
  for (const floats of [1, 7434]) {
    const us = [];
    for (let r = 0; r < REPEATS; r++) us.push(1000 * await tab.evaluate((f) => window.roundTrip(f), floats));
    us.sort((a, b) => a - b);
    console.log(`${floats} float(s): median ${us[REPEATS >> 1].toFixed(1)} µs a round trip (range ${us[0].toFixed(1)}–${us.at(-1).toFixed(1)} µs, ${REPEATS} × ${ROUND_TRIPS})`);
  }
} finally {
  await browser.close();
  server.close();
}
