// A row of matrices wider than its card scrolls sideways; on a phone the scrollbar is hidden and
// the clip can fall on a cell's edge, so nothing says there is more (a 2×8 weight showed 7
// columns). Such a row fades out at the side that has more: `more-right` / `more-left`, kept up
// to date as it is resized or scrolled (styles.css draws the fade).

const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver((entries) => {
  for (const { target } of entries) {
    const el = target as HTMLElement;
    // a removed row reports its new 0x0 box once: the last word
    if (!el.isConnected) observer!.unobserve(el);
    else mark(el);
  }
});

function mark(el: HTMLElement): void {
  const more = el.scrollWidth - el.clientWidth;
  el.classList.toggle('more-left', more > 1 && el.scrollLeft > 1);
  el.classList.toggle('more-right', more > 1 && el.scrollLeft < more - 1);
}

/** Keeps `el`'s fade at the side(s) it can still scroll to. */
export function hintOverflow(el: HTMLElement): void {
  if (!observer) return;
  observer.observe(el);
  el.addEventListener('scroll', () => mark(el), { passive: true });
}
