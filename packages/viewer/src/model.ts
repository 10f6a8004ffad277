/**
 * What the page shows: plain JSON, built in Node (never in the page) from an execution or a batch.
 * Nothing secret is in it: the CLI fetches from IDP and hands the page only results.
 */

/**
 * A box on a page, in the execution's own units (see `ExecutionView.units`).
 *
 * @example
 * ```ts
 * const box: ViewBox = { top: 0.1, left: 0.5, width: 0.2, height: 0.03 };
 * ```
 */
export interface ViewBox {
  top: number;
  left: number;
  width: number;
  height: number;
}

/**
 * One value as the page lists it and draws it.
 *
 * @example
 * ```ts
 * const shaky = view.fields.filter((f: ViewField) => (f.confidence ?? 100) < 80);
 * ```
 */
export interface ViewField {
  /** Unique in the view: links a list entry to its box. */
  id: string;
  kind: 'field' | 'cell' | 'prompt';
  name: string;
  value: string | null;
  /** 0–100, whichever scale the service used. */
  confidence?: number;
  /** 1-based page; values without one are drawn on page 1. */
  page: number;
  box?: ViewBox;
  table?: string;
  row?: number;
  prompt?: string;
}

/**
 * The view of one execution.
 *
 * @example
 * ```ts
 * const view: ExecutionView = executionView(execution, { documentName: 'invoice.pdf' });
 * ```
 */
export interface ExecutionView {
  kind: 'execution';
  title: string;
  status: string;
  /** Why it failed, in the model's words, with what to do (`statusMessage`, explained). */
  reason?: string;
  documentName: string;
  executionId?: string;
  /** Fields, cells and prompt answers, in the order the result lists them. */
  fields: ViewField[];
  /** Column names per table, in order of first appearance. */
  tables: { name: string; columns: string[]; rows: number }[];
  /**
   * How geometry numbers are read: `fraction` of the page's width and height when every number is
   * between 0 and 1; otherwise `points` (1/72 inch, PDF user space) for PDFs and pixels for images.
   */
  units: 'fraction' | 'points';
  /** The document, when given: where the page fetches it, or its bytes (static export). */
  document?: { type: 'pdf' | 'image'; mime: string; url?: string; base64?: string };
  /** Why there are no boxes (no document given, a type the browser cannot show, no geometry). */
  noBoxesReason?: string;
}

/**
 * The view of a batch folder.
 *
 * @example
 * ```ts
 * const view: BatchView = batchView(records, { title: 'march' });
 * ```
 */
export interface BatchView {
  kind: 'batch';
  title: string;
  /** Documents per journal state and per execution status (as in summary.json). */
  states: Record<string, number>;
  statuses: Record<string, number>;
  documents: {
    index: number;
    file: string;
    state: string;
    status?: string;
    /** Values below the threshold, and values with a score. */
    low: number;
    scored: number;
    values: number;
    /** Whether a view of this document exists (it has results). */
    viewable: boolean;
  }[];
  /** Per field name: how many values fell in each tenth of 0–100 (the last bucket holds 100). */
  histograms: { name: string; buckets: number[] }[];
  /** Say so when no result carried a score (the batch ran without --confidence). */
  noScoresReason?: string;
}

/**
 * What the page is given.
 *
 * @example
 * ```ts
 * const data: ViewData = { view, threshold: 80 };
 * ```
 */
export interface ViewData {
  view: ExecutionView | BatchView;
  /** Confidence below this (0–100) is low; the page lets the user move it. */
  threshold: number;
  /** Batch only: each document's view, when embedded (static export); otherwise fetched. */
  documents?: (ExecutionView | null)[];
}
