// Spin, then sleep: keeps a worker's thread running for a moment while it waits for a message
// that is about to come (a helper between two shards, the trainer while its helper finishes).
// A thread that sleeps for a few hundred microseconds on every step is often slow to come back
// on shared virtual machines: its core is handed to something else and its caches go cold.
// Thread pools do the same for the same reason (OpenMP spins before it blocks). Without a
// SharedArrayBuffer there is no way to wait on memory, so the thread spins through its own
// event loop: a message to itself, again and again, until the awaited one arrives (it is queued
// behind at most one of them) or the spin's time is up; then the thread sleeps as usual.

export class KeepAwake {
  private readonly channel = new MessageChannel();
  private until = 0;
  private spinning = false;

  constructor(private readonly spinMs: number) {
    this.channel.port1.onmessage = () => {
      if (performance.now() < this.until) this.channel.port2.postMessage(0);
      else this.spinning = false;
    };
  }

  /** Spin for up to `spinMs` from now (a call while spinning extends it). */
  start(): void {
    this.until = performance.now() + this.spinMs;
    if (this.spinning) return;
    this.spinning = true;
    this.channel.port2.postMessage(0);
  }

  /** The awaited message came: the spin ends at its next turn. */
  stop(): void {
    this.until = 0;
  }
}
