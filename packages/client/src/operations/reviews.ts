import { apiError, jsonOrText } from '../api-error.js';
import { IdpValidationError } from '../errors.js';
import { everyPage, type PageOptions } from '../pages.js';
import type { CallOptions } from '../pipeline.js';
import type { ExecutionRef, JsonValue, Review, ReviewTask } from '../types.js';
import { assertUuid } from '../validate.js';
import { type ExecutionContext, resolveRef } from './execution.js';
import { isRecord, pageQuery, sendJson } from './json.js';

/**
 * Names one execution's review task: its action and execution (an `ExecutionRef` will do, or the
 * execution's URL).
 *
 * @example
 * ```ts
 * const ref: ReviewRef = { actionId, executionId };
 * ```
 */
export interface ReviewRef {
  actionId: string;
  executionId: string;
}

const REVIEW_PARTS = ['queriesResults', 'results', 'signaturesResults'] as const;

function isReviewTask(value: unknown): value is ReviewTask {
  return isRecord(value) && typeof value.docOperationId === 'string';
}

function isReviewTaskList(value: unknown): value is ReviewTask[] {
  return Array.isArray(value) && value.every(isReviewTask);
}

/** Why a value is not a review payload, or `undefined` when it is one. */
function reviewProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'a review payload must be an object';
  if (!Array.isArray(value.analyzersResults)) return 'analyzersResults must be an array';
  for (const [index, item] of value.analyzersResults.entries()) {
    if (!isRecord(item) || typeof item.id !== 'string' || typeof item.name !== 'string') {
      return `analyzersResults[${index}] must be an object with an id and a name`;
    }
  }
  for (const part of REVIEW_PARTS) {
    if (!isRecord(value[part])) return `${part} must be an object (it may be empty: {})`;
  }
  return undefined;
}

function isReview(value: unknown): value is Review {
  return reviewProblem(value) === undefined;
}

/**
 * A copy of `review` with the named items corrected: each item whose `name` is a key of `corrections`
 * gets that `result` and `isValidated: true`. A name the review does not have throws
 * `IdpValidationError` listing those it has; the review itself is left unchanged.
 *
 * @example
 * ```ts
 * const review = await idp.getReview(ref);
 * await idp.updateReview(ref, correctReview(review, { total: '1,920.00' }));
 * ```
 */
export function correctReview(review: Review, corrections: Readonly<Record<string, JsonValue>>): Review {
  const problem = reviewProblem(review);
  if (problem) throw new IdpValidationError(`correctReview: ${problem}`);
  const names = new Set(review.analyzersResults.map((item) => item.name));
  const unknown = Object.keys(corrections).filter((name) => !names.has(name));
  if (unknown.length > 0) {
    throw new IdpValidationError(
      `the review has no item named ${unknown.map((n) => JSON.stringify(n)).join(', ')}; it has ${[...names].map((n) => JSON.stringify(n)).join(', ') || 'none'}`,
    );
  }
  return {
    ...review,
    analyzersResults: review.analyzersResults.map((item) =>
      Object.hasOwn(corrections, item.name)
        ? { ...item, result: corrections[item.name] as JsonValue, isValidated: true }
        : item,
    ),
  };
}

export function reviewOperations(context: ExecutionContext) {
  const { pipeline, baseUrl } = context;
  const org = `${baseUrl}/api/v1/organizations/${encodeURIComponent(context.organizationId)}`;

  function reviewUrl(ref: ReviewRef | ExecutionRef | string): string {
    let resolved: ReviewRef;
    if (typeof ref === 'string') {
      resolved = resolveRef(context, ref);
    } else {
      if (typeof ref !== 'object' || ref === null) {
        throw new IdpValidationError('a review is named by { actionId, executionId } or an execution URL');
      }
      assertUuid('actionId', ref.actionId);
      assertUuid('executionId', ref.executionId);
      resolved = ref;
    }
    return `${org}/actions/${encodeURIComponent(resolved.actionId)}/reviews/${encodeURIComponent(resolved.executionId)}`;
  }

  const NOT_IN_REVIEW =
    'There is no review task for this execution: it is not (or no longer) in MANUAL_VALIDATION_REQUIRED, or the ids are wrong.';

  async function listReviews(options: PageOptions & CallOptions = {}): Promise<ReviewTask[]> {
    const { query, call } = pageQuery(options);
    return sendJson(
      pipeline,
      {
        name: 'listReviews',
        method: 'GET',
        url: `${org}/reviews${query}`,
        accept: isReviewTaskList,
        expected: 'a list of review tasks',
      },
      call,
    );
  }

  return {
    listReviews,

    reviews(options: { size?: number } & CallOptions = {}): AsyncGenerator<ReviewTask, void, undefined> {
      const { size, ...call } = options;
      return everyPage(
        async (page, pageSize) => ({ items: await listReviews({ ...call, page, size: pageSize }) }),
        size,
      );
    },

    async getReview(ref: ReviewRef | ExecutionRef | string, options: CallOptions = {}): Promise<Review> {
      return sendJson(
        pipeline,
        {
          name: 'getReview',
          method: 'GET',
          url: reviewUrl(ref),
          accept: isReview,
          expected: 'a review payload',
          advice: (status) => (status === 404 ? NOT_IN_REVIEW : undefined),
        },
        options,
      );
    },

    async updateReview(
      ref: ReviewRef | ExecutionRef | string,
      review: Review,
      options: CallOptions = {},
    ): Promise<Review> {
      const url = reviewUrl(ref);
      const problem = reviewProblem(review);
      if (problem) {
        throw new IdpValidationError(
          `updateReview: ${problem}. Send the payload getReview() returned, with corrected results (see correctReview()).`,
        );
      }
      return sendJson(
        pipeline,
        {
          name: 'updateReview',
          method: 'PATCH',
          url,
          body: review,
          accept: isReview,
          expected: 'a review payload',
          advice: (status) =>
            status === 404
              ? NOT_IN_REVIEW
              : status === 400
                ? 'The service refused the corrections: send the payload getReview() returned, changing only results.'
                : undefined,
        },
        options,
      );
    },

    async approveReview(ref: ReviewRef | ExecutionRef | string, options: CallOptions = {}): Promise<void> {
      const url = reviewUrl(ref);
      await sendJson<void>(
        pipeline,
        {
          name: 'approveReview',
          method: 'DELETE',
          url,
          expect: [200, 202, 204, 404],
          // A 404 after a retry means an earlier attempt closed the task and its answer was lost:
          // the review is approved. A 404 on the first attempt means there was none to approve.
          read: async (response, attempt) => {
            const text = await response.text();
            if (response.status !== 404 || attempt.number > 1) return;
            throw apiError('approveReview', response, jsonOrText(text), url, NOT_IN_REVIEW);
          },
        },
        options,
      );
    },
  };
}
