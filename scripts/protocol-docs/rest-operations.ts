import type { z } from 'zod';
import {
  adminCreateUserSchema,
  adminMemberRemovedSchema,
  adminMintTokenSchema,
  adminMintedTokenSchema,
  adminQueueDeletedSchema,
  adminQueueListSchema,
  adminQueueMemberBodySchema,
  adminRecordListSchema,
  adminRecordQuerySchema,
  adminSupervisorSchema,
  adminUserListQuerySchema,
  adminUserListSchema,
  adminUserSchema,
  callRecordSchema,
  healthSchema,
  loginRequestSchema,
  queueConfigPatchSchema,
  queueConfigSchema,
  queueListingSchema,
  queueMemberSchema,
  queueStatsSchema,
  refreshRequestSchema,
  signOutResponseSchema,
  tokenResponseSchema,
} from '../../protocol/index.js';

/**
 * The REST API as the server's routes implement it (server/http/*, server/contact-center/
 * admin-routes.ts, /healthz and /metrics in server/app.ts): what the OpenAPI document lists.
 * Errors are `{error: {code, message}}` with the status and code given here.
 */

export interface RestError {
  status: number;
  codes: string[];
  when: string;
}
export interface RestOperation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  operationId: string;
  tag: 'auth' | 'admin' | 'queues' | 'operations';
  summary: string;
  admin: boolean;
  pathParams?: { name: string; description: string }[];
  query?: z.ZodObject;
  body?: z.ZodType;
  success: { status: number; description: string; schema?: z.ZodType; text?: string };
  errors: RestError[];
}

const badBody: RestError = {
  status: 400,
  codes: ['bad-request'],
  when: 'The body is not JSON or does not match its schema (the message names the field).',
};
const bigBody: RestError = {
  status: 413,
  codes: ['payload-too-large'],
  when: 'The body is over 64 KiB.',
};
const badQuery: RestError = {
  status: 400,
  codes: ['bad-request'],
  when: 'A query parameter does not match its schema.',
};
const adminKey: RestError = {
  status: 401,
  codes: ['unauthorized'],
  when: 'The bearer key is missing or wrong.',
};
const adminOff: RestError = {
  status: 404,
  codes: ['not-found'],
  when: 'The admin API is not enabled (no `auth.adminApiKey`), or no such user, record or queue.',
};
const badPath: RestError = {
  status: 400,
  codes: ['bad-request'],
  when: 'The queue name or user id in the path is not valid.',
};
const withBody = [badBody, bigBody];
const userParam = { name: 'userId', description: 'A user id.' };
const queueParam = { name: 'name', description: 'A queue name.' };

export const REST_OPERATIONS: readonly RestOperation[] = [
  {
    method: 'post',
    path: '/api/auth/login',
    operationId: 'login',
    tag: 'auth',
    summary: 'Sign in with a password: an access token (for `hello`) and a refresh token.',
    admin: false,
    body: loginRequestSchema,
    success: { status: 200, description: 'Signed in.', schema: tokenResponseSchema },
    errors: [
      ...withBody,
      {
        status: 401,
        codes: ['unauthorized'],
        when: 'Wrong user or password, or a disabled account.',
      },
      {
        status: 429,
        codes: ['rate-limited'],
        when: 'Over `auth.signInPerAccountPerMinute` for the account or `auth.signInPerAddressPerMinute` for the client address.',
      },
    ],
  },
  {
    method: 'post',
    path: '/api/auth/refresh',
    operationId: 'refresh',
    tag: 'auth',
    summary:
      'A new token pair for the sign-in’s current refresh token, which is used up (rotation). A used one presented again revokes the whole sign-in; the one just replaced is accepted within `auth.refreshReuseGraceSec` and answered with the same new refresh token.',
    admin: false,
    body: refreshRequestSchema,
    success: { status: 200, description: 'A fresh pair.', schema: tokenResponseSchema },
    errors: [
      ...withBody,
      {
        status: 401,
        codes: ['token-expired', 'unauthorized'],
        when: '`token-expired`: the refresh token expired (sign in again); `unauthorized`: not a valid refresh token, already used (its sign-in is revoked now), a revoked sign-in (signed out, password changed), or a disabled account.',
      },
      {
        status: 429,
        codes: ['rate-limited'],
        when: 'Over `auth.signInPerAddressPerMinute` for the client address.',
      },
    ],
  },
  ...(['logout', 'logout-all'] as const).map((path): RestOperation => ({
    method: 'post',
    path: `/api/auth/${path}`,
    operationId: path === 'logout' ? 'signOut' : 'signOutEverywhere',
    tag: 'auth',
    summary:
      path === 'logout'
        ? 'Sign out this sign-in (the refresh token’s): its tokens stop working and its sessions get `session.closing signed-out`. An expired or revoked token answers `revoked: 0`.'
        : 'Sign out every sign-in of the refresh token’s user (minted access tokens are not sign-ins and stay valid); their sessions get `session.closing signed-out`.',
    admin: false,
    body: refreshRequestSchema,
    success: { status: 200, description: 'Signed out.', schema: signOutResponseSchema },
    errors: [
      ...withBody,
      {
        status: 401,
        codes: ['unauthorized'],
        when:
          path === 'logout'
            ? 'Not a refresh token of this server.'
            : 'Not a refresh token of this server, or one of a revoked or expired sign-in.',
      },
      {
        status: 429,
        codes: ['rate-limited'],
        when: 'Over `auth.signInPerAddressPerMinute` for the client address.',
      },
    ],
  })),
  {
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    tag: 'operations',
    summary: 'Liveness and counts; 503 with `stopping` while the server shuts down.',
    admin: false,
    success: { status: 200, description: 'Running.', schema: healthSchema },
    errors: [{ status: 503, codes: [], when: 'Shutting down: the same body, `status: stopping`.' }],
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    tag: 'operations',
    summary:
      'Prometheus metrics (text exposition format). Not authenticated: keep it off the public network.',
    admin: false,
    success: { status: 200, description: 'The metrics.', text: 'text/plain' },
    errors: [],
  },
  {
    method: 'post',
    path: '/admin/users',
    operationId: 'createUser',
    tag: 'admin',
    summary: 'Create a user.',
    admin: true,
    body: adminCreateUserSchema,
    success: { status: 201, description: 'Created.', schema: adminUserSchema },
    errors: [
      ...withBody,
      adminKey,
      adminOff,
      { status: 409, codes: ['conflict'], when: 'The user id exists.' },
    ],
  },
  {
    method: 'get',
    path: '/admin/users',
    operationId: 'listUsers',
    tag: 'admin',
    summary:
      'Users in id order, a page at a time (`cursor` = the `nextCursor` of the previous page).',
    admin: true,
    query: adminUserListQuerySchema,
    success: { status: 200, description: 'One page.', schema: adminUserListSchema },
    errors: [badQuery, adminKey, adminOff],
  },
  ...(['disable', 'enable'] as const).map((action): RestOperation => ({
    method: 'post',
    path: `/admin/users/{userId}/${action}`,
    operationId: `${action}User`,
    tag: 'admin',
    summary:
      action === 'disable'
        ? 'Disable an account: refused at the next sign-in; its sessions are closed (`session.closing account-disabled`) and its calls and media end.'
        : 'Enable a disabled account.',
    admin: true,
    pathParams: [userParam],
    success: { status: 200, description: 'The account now.', schema: adminUserSchema },
    errors: [adminKey, adminOff],
  })),
  {
    method: 'post',
    path: '/admin/users/{userId}/tokens',
    operationId: 'mintToken',
    tag: 'admin',
    summary:
      'An access token for one of the business server’s users (no password needed, no refresh token).',
    admin: true,
    pathParams: [userParam],
    body: adminMintTokenSchema,
    success: { status: 200, description: 'The token.', schema: adminMintedTokenSchema },
    errors: [
      ...withBody,
      adminKey,
      adminOff,
      { status: 409, codes: ['conflict'], when: 'The user is disabled.' },
    ],
  },
  {
    method: 'get',
    path: '/admin/records',
    operationId: 'listRecords',
    tag: 'admin',
    summary: 'Call records, newest first (see docs/protocol.md, "Admin paging").',
    admin: true,
    query: adminRecordQuerySchema,
    success: { status: 200, description: 'One page.', schema: adminRecordListSchema },
    errors: [badQuery, adminKey, adminOff],
  },
  {
    method: 'get',
    path: '/admin/records/{callId}',
    operationId: 'getRecord',
    tag: 'admin',
    summary: 'One call record.',
    admin: true,
    pathParams: [{ name: 'callId', description: 'The call id (1-64 of A-Z a-z 0-9 _ -).' }],
    success: { status: 200, description: 'The record.', schema: callRecordSchema },
    errors: [adminKey, adminOff],
  },
  {
    method: 'get',
    path: '/admin/queues',
    operationId: 'listQueues',
    tag: 'queues',
    summary: 'Every contact-center queue with its agents, supervisors and waiting calls.',
    admin: true,
    success: { status: 200, description: 'The queues.', schema: adminQueueListSchema },
    errors: [adminKey, adminOff],
  },
  {
    method: 'post',
    path: '/admin/queues',
    operationId: 'createQueue',
    tag: 'queues',
    summary: 'Create a queue.',
    admin: true,
    body: queueConfigSchema,
    success: {
      status: 201,
      description: 'Its configuration with defaults.',
      schema: queueConfigSchema,
    },
    errors: [
      ...withBody,
      adminKey,
      adminOff,
      { status: 409, codes: ['conflict'], when: 'The queue exists.' },
    ],
  },
  {
    method: 'get',
    path: '/admin/queues/{name}',
    operationId: 'getQueue',
    tag: 'queues',
    summary: 'One queue.',
    admin: true,
    pathParams: [queueParam],
    success: { status: 200, description: 'The queue.', schema: queueListingSchema },
    errors: [badPath, adminKey, adminOff],
  },
  {
    method: 'patch',
    path: '/admin/queues/{name}',
    operationId: 'updateQueue',
    tag: 'queues',
    summary:
      'Change a queue’s settings (only the fields given; `overflowTo: null` removes the overflow).',
    admin: true,
    pathParams: [queueParam],
    body: queueConfigPatchSchema,
    success: { status: 200, description: 'The configuration now.', schema: queueConfigSchema },
    errors: [badPath, ...withBody, adminKey, adminOff],
  },
  {
    method: 'delete',
    path: '/admin/queues/{name}',
    operationId: 'deleteQueue',
    tag: 'queues',
    summary: 'Delete a queue; calls waiting in it end with `timeout`.',
    admin: true,
    pathParams: [queueParam],
    success: { status: 200, description: 'Deleted.', schema: adminQueueDeletedSchema },
    errors: [badPath, adminKey, adminOff],
  },
  {
    method: 'get',
    path: '/admin/queues/{name}/stats',
    operationId: 'queueStats',
    tag: 'queues',
    summary: 'A queue’s figures since the server started.',
    admin: true,
    pathParams: [queueParam],
    success: { status: 200, description: 'The figures.', schema: queueStatsSchema },
    errors: [badPath, adminKey, adminOff],
  },
  {
    method: 'put',
    path: '/admin/queues/{name}/agents/{userId}',
    operationId: 'setAgent',
    tag: 'queues',
    summary: 'Make a user an agent of the queue, or change their tier and skill.',
    admin: true,
    pathParams: [queueParam, userParam],
    body: adminQueueMemberBodySchema,
    success: { status: 200, description: 'The membership.', schema: queueMemberSchema },
    errors: [badPath, ...withBody, adminKey, adminOff],
  },
  {
    method: 'delete',
    path: '/admin/queues/{name}/agents/{userId}',
    operationId: 'removeAgent',
    tag: 'queues',
    summary: 'Remove an agent from the queue.',
    admin: true,
    pathParams: [queueParam, userParam],
    success: {
      status: 200,
      description: 'Whether they were an agent.',
      schema: adminMemberRemovedSchema,
    },
    errors: [badPath, adminKey, adminOff],
  },
  ...(['put', 'delete'] as const).map((method): RestOperation => ({
    method,
    path: '/admin/queues/{name}/supervisors/{userId}',
    operationId: method === 'put' ? 'addSupervisor' : 'removeSupervisor',
    tag: 'queues',
    summary: method === 'put' ? 'Make a user a supervisor of the queue.' : 'Remove a supervisor.',
    admin: true,
    pathParams: [queueParam, userParam],
    success: { status: 200, description: 'The supervision now.', schema: adminSupervisorSchema },
    errors: [badPath, adminKey, adminOff],
  })),
];
