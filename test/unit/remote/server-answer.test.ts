import { describe, expect, it } from 'vitest';
import { AccessDeniedError, TransientError, UsageError, WheelRejectedError } from '../../../src/errors.js';
import { errorForAnswer, errorForNoAnswer } from '../../../src/remote/server-answer.js';

const upload = { what: 'upload of a-1.0-py3-none-any.whl to glibc', url: 'https://farm.example/glibc/upload/', wheel: 'a-1.0-py3-none-any.whl' };
const hello = { what: 'worker hello', url: 'https://farm.example/api/v1/worker/hello' };

describe('errorForAnswer', () => {
  it.each([
    [upload, 401, { error: 'unauthorized', message: "token 'x' was revoked" }, AccessDeniedError, /401: token 'x' was revoked/],
    [upload, 403, { error: 'forbidden', message: 'outside' }, AccessDeniedError, /403/],
    [upload, 409, { error: 'conflict', message: 'immutable' }, WheelRejectedError, /409: immutable/],
    [upload, 400, { error: 'digest mismatch', message: 'sha256 mismatch' }, TransientError, /sha256 mismatch/],
    [upload, 400, { error: 'rejected', message: 'METADATA names' }, WheelRejectedError, /METADATA/],
    [upload, 413, { error: 'too large' }, WheelRejectedError, /413/],
    [upload, 502, {}, TransientError, /502: HTTP 502/],
    [hello, 404, { error: 'not found' }, UsageError, /404/],
    [hello, 503, {}, TransientError, /503/],
  ] as const)('%#: %i', (call, status, body, type, message) => {
    const error = errorForAnswer(call, status, body);
    expect(error).toBeInstanceOf(type);
    expect(error.message).toMatch(message);
  });

  it('a request with no answer is transient, naming the server and why', () => {
    const error = errorForNoAnswer(upload, Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }));
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toBe('upload of a-1.0-py3-none-any.whl to glibc: no answer from farm api at https://farm.example (ECONNREFUSED)');
  });
});
