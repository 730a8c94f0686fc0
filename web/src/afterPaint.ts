// Long work split over frames (opening a big network) must give each piece a frame of its own.
// A requestAnimationFrame callback runs just before the next frame's style, layout and paint, so
// work done there (or in a task that ends right before it) is drawn in the same frame as that
// piece's own DOM changes, and the frame takes both. A task queued from the callback runs once
// the frame is painted: one piece, then its drawing, then the next piece.

/** Runs `work` in a task of its own once the next frame is painted; the result cancels it. */
export function afterNextPaint(work: () => void): () => void {
  let timer = 0;
  const frame = requestAnimationFrame(() => { timer = window.setTimeout(work, 0); });
  return () => {
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
}
