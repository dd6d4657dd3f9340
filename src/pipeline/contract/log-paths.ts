/**
 * Where job logs live on the worker's disk: by request id, package and
 * target, so `farm logs <request> <package> <target>` finds them. Pure.
 */
import path from 'node:path';

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

function part(value: string, what: string): string {
  if (!SAFE.test(value) || value.includes('..')) throw new TypeError(`unsafe ${what} in a log path: ${JSON.stringify(value)}`);
  return value;
}

/** `<stateDir>/logs`. */
export function logsDir(stateDir: string): string {
  return path.join(stateDir, 'logs');
}

/** `<stateDir>/logs/<request>/<name>/<target>-py<python>.log`: build, repair and smoke test of one wheel. */
export function buildLogPath(stateDir: string, requestId: string, name: string, target: string, python: string): string {
  return path.join(logsDir(stateDir), part(requestId, 'request id'), part(name, 'name'), `${part(target, 'target')}-py${part(python, 'python')}.log`);
}

/** `<stateDir>/logs/<request>/_resolve/<target>-py<python>.log`. */
export function resolveLogPath(stateDir: string, requestId: string, target: string, python: string): string {
  return path.join(logsDir(stateDir), part(requestId, 'request id'), '_resolve', `${part(target, 'target')}-py${part(python, 'python')}.log`);
}

/** `<stateDir>/logs/<request>/<name>/mirror-<repository>.log`. */
export function mirrorLogPath(stateDir: string, requestId: string, name: string, repository: string): string {
  return path.join(logsDir(stateDir), part(requestId, 'request id'), part(name, 'name'), `mirror-${part(repository, 'repository')}.log`);
}

/** `<stateDir>/logs/<request>/_worker/<container setup>.log`: cache volume set-up and the like. */
export function workerLogPath(stateDir: string, what: string): string {
  return path.join(logsDir(stateDir), '_worker', `${part(what, 'log name')}.log`);
}
