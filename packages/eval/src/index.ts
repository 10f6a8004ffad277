export {
  type BatchSource,
  loadResults,
  openBatchSource,
  type ResultsSource,
  resultDocument,
  type StoreReadOptions,
} from './batch-source.js';
export {
  auroc,
  aurocSorted,
  brier,
  type CalibrationBin,
  ece,
  reliabilityBins,
  type ScoredValue,
} from './calibration.js';
export {
  type Comparator,
  ComparatorError,
  normalizeText,
  parseComparator,
  parseDate,
  parseNumber,
  similarity,
} from './comparators.js';
export {
  type Comparison,
  compareAll,
  type EvalConfig,
  type FieldOutcomes,
  type WrongValue,
} from './compare.js';
export { type Counts, outcome, rates } from './counts.js';
export {
  type ChangedValue,
  type ChangeKind,
  type DiffOptions,
  type DiffReport,
  diffResults,
  diffStream,
  type FieldDiff,
  type Verdict,
  type VersionDiff,
  worseFirst,
} from './diff.js';
export { type DiffHtmlOptions, diffHtmlReport, diffPageData, type SideView } from './diff-html.js';
export type { DiffPageData } from './diff-page-data.js';
export {
  type EvalOptions,
  type EvalReport,
  evaluate,
  type FieldReport,
  fieldReport,
  REVIEW_BUDGETS,
  reportOf,
} from './evaluate.js';
export { checkGate, type GateResult, type GateRule, needsTruth, parseFailOn } from './fail-on.js';
export {
  type Correction,
  evaluateReviews,
  type Harvest,
  harvestReviews,
  type ReviewedDocument,
  requireReviews,
  truthJsonl,
} from './harvest.js';
export { type HtmlReportOptions, htmlReport, reportPageData, scriptJson } from './html-report.js';
export { hungarian } from './hungarian.js';
export { EvalInputError, isPresent, type ResultDocument, type ResultValue, type TruthRow } from './inputs.js';
export { levenshtein } from './levenshtein.js';
export { type Matching, matchDocuments } from './match.js';
export { fieldsWorstFirst } from './order.js';
export type { PageData } from './page-data.js';
export { eachResult, parseResultLine, readResults } from './read-results.js';
export { parseTruthCsv, parseTruthLine, readTruth } from './read-truth.js';
export {
  adviseFromCurve,
  adviseThreshold,
  ascending,
  errorCapture,
  errorCaptureSorted,
  type ThresholdPoint,
  thresholdCurve,
  thresholdCurveSorted,
} from './review-budget.js';
