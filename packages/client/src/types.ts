import type { components, operations, paths } from './generated/idp.js';

type Schemas = components['schemas'];

/**
 * One of the seven statuses the service documents.
 *
 * @example
 * ```ts
 * const done: ExecutionStatus[] = ['SUCCEEDED', 'PARTIAL_SUCCESS'];
 * ```
 */
export type ExecutionStatus = Schemas['ExecutionStatus'];
/**
 * An execution exactly as the spec describes the response body.
 *
 * @example
 * ```ts
 * const body = JSON.parse(text) as ExecutionBody;
 * ```
 */
export type ExecutionBody = Schemas['Execution'];
/**
 * A field with everything the service can send (`valueOnly=false`).
 *
 * @example
 * ```ts
 * const low = (f: Field) => (f.confidenceScore ?? 100) < 80;
 * ```
 */
export type Field = Schemas['Field'];
/**
 * A field as sent with `valueOnly=true` (the default): the value only.
 *
 * @example
 * ```ts
 * const value = (f: ValueOnlyField) => f.value ?? '';
 * ```
 */
export type ValueOnlyField = Pick<Field, 'value'> & { confidenceScore?: never; geometry?: never };
/**
 * Where a value sits on its page (units undocumented); only with `valueOnly: false`.
 *
 * @example
 * ```ts
 * const area = (g: Geometry) => g.width * g.height;
 * ```
 */
export type Geometry = Schemas['Geometry'];
/**
 * Any JSON value: what a field's `value` or a review item's `result` may hold. Documented examples carry
 * text; narrow with `typeof` before use.
 *
 * @example
 * ```ts
 * const text = (v: JsonValue) => (typeof v === 'string' ? v : JSON.stringify(v));
 * ```
 */
export type JsonValue = Schemas['JsonValue'];
/**
 * An execution waiting for a person's review (`listReviews()`): `docOperationId` is the execution id.
 *
 * @example
 * ```ts
 * for await (const task of idp.reviews()) console.log(task.docFileName, task.docOperationId);
 * ```
 */
export type ReviewTask = Schemas['ReviewTask'];
/**
 * A review task's payload: the low-confidence items (`analyzersResults`) and three free-form parts.
 *
 * @example
 * ```ts
 * const review: Review = await idp.getReview({ actionId, executionId });
 * ```
 */
export type Review = Schemas['Review'];
/**
 * One low-confidence item of a review: its field `name`, the `result` as extracted (or corrected).
 *
 * @example
 * ```ts
 * const shaky = review.analyzersResults.filter((item: ReviewItem) => !item.isValidated);
 * ```
 */
export type ReviewItem = Schemas['AnalyzerResult'];
/**
 * A document action, with the schema of what it extracts (`configuration.content.output`).
 *
 * @example
 * ```ts
 * const action: Action = await idp.getAction(actionId);
 * ```
 */
export type Action = Schemas['Action'];
/**
 * A page of actions and the total count.
 *
 * @example
 * ```ts
 * const { actions, total }: ActionList = await idp.listActions({ size: 50 });
 * ```
 */
export type ActionList = Schemas['ActionList'];
/**
 * What an action extracts: field, table and prompt definitions.
 *
 * @example
 * ```ts
 * const names = (o: OutputSchema) => (o.fields ?? []).map((f) => f.name);
 * ```
 */
export type OutputSchema = Schemas['OutputSchema'];
/**
 * A published version of an action; `runtimeBaseUrl(version)` reads where it runs.
 *
 * @example
 * ```ts
 * const version: ActionVersion = await idp.getActionVersion(actionId, '1.1.0');
 * ```
 */
export type ActionVersion = Schemas['ActionVersion'];
/**
 * A user or team that may review an action's executions.
 *
 * @example
 * ```ts
 * const people = (await idp.listReviewers(actionId)).filter((r: Reviewer) => r.type === 'USER');
 * ```
 */
export type Reviewer = Schemas['Reviewer'];
/**
 * An RFC 9457 problem body, as the service sends with errors.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpApiError) console.error(e.problem?.title, e.problem?.detail); }
 * ```
 */
export type Problem = Schemas['Problem'];
/**
 * The service's answer to a submit (before idp-kit renames `id` to `executionId`).
 *
 * @example
 * ```ts
 * const raw: SubmittedExecution = { id: executionId, documentName: 'invoice.pdf' };
 * ```
 */
export type SubmittedExecution = Schemas['SubmittedExecution'];

/**
 * The field type for a `valueOnly` setting: `true` (default) drops confidence and geometry.
 *
 * @example
 * ```ts
 * type Detailed = FieldFor<false>; // value, confidenceScore?, geometry?
 * ```
 */
export type FieldFor<ValueOnly extends boolean> = ValueOnly extends true ? ValueOnlyField : Field;

/**
 * Results in either envelope: each map is optional, and absent while the execution runs.
 *
 * @example
 * ```ts
 * const count = (r: Results) => Object.keys(r.fields ?? {}).length;
 * ```
 */
export interface Results<F = Field> {
  /** Field name → field. */
  fields?: Record<string, F>;
  /** Table name → rows; a row maps column name → cell. */
  tables?: Record<string, Record<string, F>[]>;
  /** Prompt name → question and answer. */
  prompts?: Record<string, Prompt<F>>;
}

/**
 * A prompt answer: the question asked, where the answer came from, and the answer.
 *
 * @example
 * ```ts
 * const answer = (p: Prompt) => p.answer.value ?? '(no answer)';
 * ```
 */
export type Prompt<F = Field> = Omit<Schemas['Prompt'], 'answer'> & { answer?: F };
/**
 * One row of an extracted table: column name → cell.
 *
 * @example
 * ```ts
 * const total = (row: TableRow) => Number(row.amount?.value ?? 0);
 * ```
 */
export type TableRow<F = Field> = Record<string, F>;
/**
 * One page of results (`page` is a number in the docs, a string in some payloads).
 *
 * @example
 * ```ts
 * for (const page of execution.pages ?? []) console.log(page.page, Object.keys(page.fields ?? {}));
 * ```
 */
export type Page<F = Field> = Results<F> & Pick<Schemas['Page'], 'page'>;

interface ExecutionBase {
  id: ExecutionBody['id'];
  documentName: ExecutionBody['documentName'];
  /** Why it failed, in the model's words (`length`, `MAX_TOKENS`, …); `explainStatusMessage()` says what to do. */
  statusMessage?: ExecutionBody['statusMessage'];
}

/**
 * Submitted, not done: no results yet.
 *
 * @example
 * ```ts
 * if (execution.status === 'IN_PROGRESS') console.log('still working');
 * ```
 */
export interface RunningExecution extends ExecutionBase {
  status: 'ACKNOWLEDGED' | 'IN_PROGRESS' | 'RESULTS_PENDING';
}

/**
 * Processing failed: no results.
 *
 * @example
 * ```ts
 * if (execution.status === 'FAILED') alert(`IDP could not process ${execution.documentName}`);
 * ```
 */
export interface FailedExecution extends ExecutionBase {
  status: 'FAILED';
}

/**
 * Results are available: in `pages[]` (documented), at the top level (observed), or both.
 * MANUAL_VALIDATION_REQUIRED carries the results as extracted, before a reviewer's changes.
 *
 * @example
 * ```ts
 * if (execution.status === 'SUCCEEDED') console.log(execution.pages?.length);
 * ```
 */
export interface CompletedExecution<F = Field> extends ExecutionBase, Results<F> {
  status: 'SUCCEEDED' | 'PARTIAL_SUCCESS' | 'MANUAL_VALIDATION_REQUIRED';
  pages?: Page<F>[];
}

/**
 * An execution, discriminated on `status`: narrow it to reach the results.
 *
 * The type names the seven documented statuses. A status the service adds later reaches you unchanged at
 * run time (never an error; `isKnownStatus()` tells): keep a `default` branch when you switch on it.
 *
 * @example
 * ```ts
 * const execution = await idp.getExecution(ref);
 * if (execution.status === 'SUCCEEDED') console.log(execution.pages?.[0]?.fields);
 * ```
 */
export type Execution<ValueOnly extends boolean = true> =
  | RunningExecution
  | FailedExecution
  | CompletedExecution<FieldFor<ValueOnly>>;

/**
 * Identifies one execution of one published document-action version.
 *
 * @example
 * ```ts
 * const ref: ExecutionRef = { actionId, actionVersion: '1.1.0', executionId };
 * ```
 */
export interface ExecutionRef {
  actionId: string;
  actionVersion: string;
  executionId: string;
}

export type { components, operations, paths };
