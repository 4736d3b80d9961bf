/** Test helper: sends one request through a router with a fake writer and waits for the answer. */
import type { RequestHandler } from '@xp2p/device';
import { fakeResponse, type FakeResponse } from './fake-response-writer.js';

export function request(router: RequestHandler, path: string, query: string, sessionId = 'session-1'): FakeResponse {
  const res = fakeResponse();
  router({ type: 'request', v: 1, path, query }, new URLSearchParams(query), res, { sessionId });
  return res;
}

/** Sends a request and waits until it is answered completely (end or failure). */
export async function ask(
  router: RequestHandler,
  path: string,
  query: string,
  sessionId?: string,
): Promise<FakeResponse> {
  const res = request(router, path, query, sessionId);
  await res.finished;
  return res;
}
