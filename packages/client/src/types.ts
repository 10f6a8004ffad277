import type { components, operations, paths } from './generated/idp.js';

type Schemas = components['schemas'];

/** One of the seven statuses the service documents. */
export type ExecutionStatus = Schemas['ExecutionStatus'];
/** An execution exactly as the spec describes the response body. */
export type ExecutionBody = Schemas['Execution'];
/** A field with everything the service can send (`valueOnly=false`). */
export type Field = Schemas['Field'];
/** A field as sent with `valueOnly=true` (the default): the value only. */
export type ValueOnlyField = Pick<Field, 'value'> & { confidenceScore?: never; geometry?: never };
export type Geometry = Schemas['Geometry'];
export type Problem = Schemas['Problem'];
export type SubmittedExecution = Schemas['SubmittedExecution'];

/** The field type for a `valueOnly` setting: `true` (default) drops confidence and geometry. */
export type FieldFor<ValueOnly extends boolean> = ValueOnly extends true ? ValueOnlyField : Field;

/** Results in either envelope: each map is optional, and absent while the execution runs. */
export interface Results<F = Field> {
  /** Field name → field. */
  fields?: Record<string, F>;
  /** Table name → rows; a row maps column name → cell. */
  tables?: Record<string, Record<string, F>[]>;
  /** Prompt name → question and answer. */
  prompts?: Record<string, Prompt<F>>;
}

export type Prompt<F = Field> = Omit<Schemas['Prompt'], 'answer'> & { answer: F };
export type TableRow<F = Field> = Record<string, F>;
/** One page of results (`page` is a number in the docs, a string in some payloads). */
export type Page<F = Field> = Results<F> & { page: Schemas['Page']['page'] };

interface ExecutionBase {
  id: ExecutionBody['id'];
  documentName: ExecutionBody['documentName'];
}

/** Submitted, not done: no results yet. */
export interface RunningExecution extends ExecutionBase {
  status: 'ACKNOWLEDGED' | 'IN_PROGRESS' | 'RESULTS_PENDING';
}

/** Processing failed: no results. */
export interface FailedExecution extends ExecutionBase {
  status: 'FAILED';
}

/**
 * Results are available: in `pages[]` (documented), at the top level (observed), or both.
 * MANUAL_VALIDATION_REQUIRED carries the results as extracted, before a reviewer's changes.
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

/** Identifies one execution of one published document-action version. */
export interface ExecutionRef {
  actionId: string;
  actionVersion: string;
  executionId: string;
}

export type { components, operations, paths };
