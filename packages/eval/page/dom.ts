// What both report pages build their DOM and their figures with.

/** An element with its text (never HTML: values from documents stay text) and class. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** A share as a percentage with one decimal, or a dash when there is none. */
export const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`;
