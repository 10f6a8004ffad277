import type { components, operations, paths } from './generated/idp.js';

type Schemas = components['schemas'];

/** One of the seven statuses the service documents. */
export type ExecutionStatus = Schemas['ExecutionStatus'];
/** An execution as the service returns it (either result envelope, or both). */
export type ExecutionBody = Schemas['Execution'];
export type Field = Schemas['Field'];
export type Geometry = Schemas['Geometry'];
export type Page = Schemas['Page'];
export type Prompt = Schemas['Prompt'];
export type TableRow = Schemas['TableRow'];
export type Problem = Schemas['Problem'];
export type SubmittedExecution = Schemas['SubmittedExecution'];

/** Identifies one execution of one published document-action version. */
export interface ExecutionRef {
  actionId: string;
  actionVersion: string;
  executionId: string;
}

export type { components, operations, paths };
