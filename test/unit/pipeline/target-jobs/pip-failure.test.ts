import { describe, expect, it } from 'vitest';
import { classifyPipFailure } from '../../../../src/pipeline/target-jobs/pip-failure.js';

const NOT_FOUND = 'ERROR: Could not find a version that satisfies the requirement setuptools>=40.8.0 (from versions: none)\nERROR: No matching distribution found for setuptools>=40.8.0';
const retrying = (why: string) => `WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by '${why}': /simple/setuptools/`;
const COMPILE_ERROR = [
  'farmfix_broken/_broken.c:3:1: error: unknown type name ‘this’',
  "error: command '/usr/bin/gcc' failed with exit code 1",
  '  ERROR: Failed building wheel for farmfix-broken',
].join('\n');

describe('classifyPipFailure (issue 14, point 18)', () => {
  it.each<[string, string, 'transient' | 'deterministic']>([
    ['connection refused', `${retrying("NewConnectionError('<pip._vendor.urllib3.connection.HTTPConnection object at 0x7f>: Failed to establish a new connection: [Errno 111] Connection refused')")}\n${NOT_FOUND}`, 'transient'],
    ['connection reset', `${retrying("ProtocolError('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))")}\n${NOT_FOUND}`, 'transient'],
    ['5xx from the index', `${retrying("ResponseError('too many 503 error responses')")}\n${NOT_FOUND}`, 'transient'],
    ['5xx on a download', 'ERROR: HTTP error 502 while getting http://mirror.lan/files/x-1.0.tar.gz', 'transient'],
    ['read timeout', `${retrying('ReadTimeoutError("HTTPConnectionPool(host=\'10.0.0.1\', port=3141): Read timed out. (read timeout=15)")')}\n${NOT_FOUND}`, 'transient'],
    ['DNS', `${retrying("NewConnectionError('<...>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')")}`, 'transient'],
    ['hash mismatch while a CDN catches up', 'ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated the package versions, please update the hashes.', 'transient'],
    ['the inner pip of build isolation could not reach the index', `${retrying("NewConnectionError('...: [Errno 111] Connection refused')")}\n${NOT_FOUND}\n  error: subprocess-exited-with-error\n  × pip subprocess to install build dependencies did not run successfully.`, 'transient'],
    ['a compiler error', COMPILE_ERROR, 'deterministic'],
    ['a compiler error after a network hiccup pip recovered from', `${retrying("ProtocolError('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))")}\n${COMPILE_ERROR}`, 'deterministic'],
    ['a build backend that failed', '  × Building wheel for foo (pyproject.toml) did not run successfully.\n  │ exit code: 1', 'deterministic'],
    ['a requirement that does not exist', 'ERROR: Could not find a version that satisfies the requirement nonexistent==9 (from versions: 1.0)', 'deterministic'],
    ['an untrusted http host (a configuration problem)', 'WARNING: The repository located at 10.0.0.5 is not a trusted or secure host and is being ignored.', 'deterministic'],
    ['nothing recognisable', 'Traceback (most recent call last):\nKeyError: x', 'deterministic'],
  ])('%s → %s', (_what, output, kind) => {
    expect(classifyPipFailure(output).kind).toBe(kind);
  });

  it('names the line that made it transient', () => {
    const failure = classifyPipFailure(`Looking in indexes: http://x/\n${retrying("ResponseError('too many 503 error responses')")}\n${NOT_FOUND}`);
    expect(failure).toEqual({ kind: 'transient', reason: expect.stringContaining('too many 503 error responses') });
  });
});
