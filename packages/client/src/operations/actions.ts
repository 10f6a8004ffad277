import { IdpValidationError } from '../errors.js';
import { everyPage, type PageOptions } from '../pages.js';
import type { CallOptions, Pipeline } from '../pipeline.js';
import type { Action, ActionList, ActionVersion, Reviewer } from '../types.js';
import { assertUuid, assertVersion } from '../validate.js';
import { isRecord, pageQuery, sendJson } from './json.js';

/**
 * How a list of actions or versions is sorted: by `updatedAt` (default, newest first), `name` or `type`.
 *
 * @example
 * ```ts
 * await idp.listActions({ sort: 'name,asc' });
 * ```
 */
export type ActionSort =
  | 'updatedAt,desc'
  | 'updatedAt,asc'
  | 'name,asc'
  | 'name,desc'
  | 'type,asc'
  | 'type,desc';

const SORTS: readonly ActionSort[] = [
  'updatedAt,desc',
  'updatedAt,asc',
  'name,asc',
  'name,desc',
  'type,asc',
  'type,desc',
];

/**
 * Paging and sorting of `listActions()` and `listActionVersions()`.
 *
 * @example
 * ```ts
 * const options: ListActionsOptions = { page: 0, size: 50, sort: 'name,asc' };
 * ```
 */
export interface ListActionsOptions extends PageOptions, CallOptions {
  sort?: ActionSort;
}

function checkSort(sort: unknown): void {
  if (sort !== undefined && !SORTS.includes(sort as ActionSort)) {
    throw new IdpValidationError(`sort must be one of ${SORTS.join(', ')}, got ${JSON.stringify(sort)}`);
  }
}

function isAction(value: unknown): value is Action {
  return isRecord(value) && typeof value.id === 'string';
}

function isActionList(value: unknown): value is ActionList {
  return isRecord(value) && Array.isArray(value.actions) && value.actions.every(isAction);
}

function isActionVersion(value: unknown): value is ActionVersion {
  return isRecord(value) && typeof value.version === 'string';
}

function isVersionList(value: unknown): value is ActionVersion[] {
  return Array.isArray(value) && value.every(isActionVersion);
}

function isReviewerList(value: unknown): value is Reviewer[] {
  return Array.isArray(value) && value.every((r) => isRecord(r) && typeof r.id === 'string');
}

/**
 * The runtime base URL a version is published to (its RUNTIME_PUBLICATION's `info.baseUrl`), or
 * `undefined` when it is not published to a runtime. Use it as `baseUrl` of a client for that version.
 *
 * @example
 * ```ts
 * const baseUrl = runtimeBaseUrl(await idp.getActionVersion(actionId, '1.1.0'));
 * ```
 */
export function runtimeBaseUrl(version: ActionVersion): string | undefined {
  const published = (version.operations ?? []).filter(
    (op) => op.type === 'RUNTIME_PUBLICATION' && typeof op.info?.baseUrl === 'string',
  );
  // The latest publication wins when there are several.
  published.sort((a, b) => String(b.updatedAt ?? '').localeCompare(String(a.updatedAt ?? '')));
  return published[0]?.info?.baseUrl;
}

const ACTION_NOT_FOUND =
  'Check the action id, and that organizationId is the business group that owns the action (the parent organization gives 404).';

export function actionOperations(pipeline: Pipeline, controlPlaneUrl: string, organizationId: string) {
  const org = `${controlPlaneUrl}/idp/api/v1/organizations/${encodeURIComponent(organizationId)}`;
  const advice = (status: number) => (status === 404 ? ACTION_NOT_FOUND : undefined);

  function actionUrl(actionId: string): string {
    assertUuid('actionId', actionId);
    return `${org}/actions/${encodeURIComponent(actionId)}`;
  }

  async function listActions(options: ListActionsOptions = {}): Promise<ActionList> {
    checkSort(options.sort);
    const { query, call } = pageQuery(options);
    return sendJson(
      pipeline,
      {
        name: 'listActions',
        method: 'GET',
        url: `${org}/actions${query}`,
        accept: isActionList,
        expected: 'a list of actions',
      },
      call,
    );
  }

  async function listActionVersions(
    actionId: string,
    options: ListActionsOptions = {},
  ): Promise<ActionVersion[]> {
    const url = actionUrl(actionId);
    checkSort(options.sort);
    const { query, call } = pageQuery(options);
    return sendJson(
      pipeline,
      {
        name: 'listActionVersions',
        method: 'GET',
        url: `${url}/versions${query}`,
        accept: isVersionList,
        expected: 'a list of action versions',
        advice,
      },
      call,
    );
  }

  return {
    listActions,
    listActionVersions,

    actions(options: Omit<ListActionsOptions, 'page'> = {}): AsyncGenerator<Action, void, undefined> {
      const { size, ...rest } = options;
      return everyPage(async (page, pageSize) => {
        const list = await listActions({ ...rest, page, size: pageSize });
        return { items: list.actions, ...(list.total !== undefined ? { total: list.total } : {}) };
      }, size);
    },

    actionVersions(
      actionId: string,
      options: Omit<ListActionsOptions, 'page'> = {},
    ): AsyncGenerator<ActionVersion, void, undefined> {
      const { size, ...rest } = options;
      return everyPage(
        async (page, pageSize) => ({
          items: await listActionVersions(actionId, { ...rest, page, size: pageSize }),
        }),
        size,
      );
    },

    async getAction(actionId: string, options: CallOptions = {}): Promise<Action> {
      return sendJson(
        pipeline,
        {
          name: 'getAction',
          method: 'GET',
          url: actionUrl(actionId),
          accept: isAction,
          expected: 'an action',
          advice,
        },
        options,
      );
    },

    async getActionVersion(
      actionId: string,
      version: string,
      options: CallOptions = {},
    ): Promise<ActionVersion> {
      const url = actionUrl(actionId);
      assertVersion('version', version);
      return sendJson(
        pipeline,
        {
          name: 'getActionVersion',
          method: 'GET',
          url: `${url}/versions/${encodeURIComponent(version)}`,
          accept: isActionVersion,
          expected: 'an action version',
          advice: (status) =>
            status === 404
              ? `${ACTION_NOT_FOUND} The version must be a published one, such as 1.1.0.`
              : undefined,
        },
        options,
      );
    },

    async listReviewers(actionId: string, options: CallOptions = {}): Promise<Reviewer[]> {
      return sendJson(
        pipeline,
        {
          name: 'listReviewers',
          method: 'GET',
          url: `${actionUrl(actionId)}/reviewers`,
          accept: isReviewerList,
          expected: 'a list of reviewers',
          advice,
        },
        options,
      );
    },
  };
}
