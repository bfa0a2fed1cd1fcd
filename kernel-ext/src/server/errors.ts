/** The one place where errors become HTTP responses. */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../backends/base';
import { isStorageFull, type Storage } from '../engine/storage';
import { ApiError } from '../protocol/errors';

export function toApiError(err: unknown, storage?: Pick<Storage, 'markFull' | 'error'>): ApiError {
  if (err instanceof ApiError) return err;
  // A write that found no space: 507 with the data dir and its free space, not a 500.
  if (storage && isStorageFull(err)) {
    storage.markFull(err);
    return storage.error();
  }
  const fe = err as FastifyError;
  switch (fe?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('payload_too_large', 'Request body is larger than the server accepts');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('invalid_request', `Malformed JSON body: ${fe.message}`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('invalid_request', 'Send the body as application/json');
    // The router's own refusals (frameworkErrors in index.ts), before any route or auth.
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ApiError('uri_too_long', 'A path parameter is longer than the server accepts');
    case 'FST_ERR_BAD_URL':
      return new ApiError('invalid_request', `The URL could not be decoded: ${fe.message}`);
  }
  if (err instanceof SyntaxError)
    return new ApiError('invalid_request', `Malformed JSON body: ${err.message}`);
  if (fe?.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new ApiError(
      fe.statusCode === 413 ? 'payload_too_large' : 'invalid_request',
      fe.message
    );
  }
  return new ApiError('internal', 'Internal server error');
}

/** Fastify's `frameworkErrors`: the router's refusals in the API's error shape too. */
export function frameworkError(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const api = toApiError(err);
  reply.code(api.status).send(api.toJSON());
}

export function registerErrorHandling(
  app: FastifyInstance,
  log: Logger,
  storage?: Pick<Storage, 'markFull' | 'error'>
): void {
  app.setErrorHandler((err, req, reply) => {
    const api = toApiError(err, storage);
    if (api.code === 'internal')
      log.error({ err, url: req.url, method: req.method }, 'request failed');
    reply.code(api.status).send(api.toJSON());
  });
  app.setNotFoundHandler((req, reply) => {
    const api = new ApiError('not_found', `No route ${req.method} ${req.url.split('?')[0]}`);
    reply.code(404).send(api.toJSON());
  });
}
