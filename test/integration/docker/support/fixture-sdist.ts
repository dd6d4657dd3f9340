/**
 * A minimal sdist with a C extension, written in the test (no PyPI, no host
 * build tools): `farmdemo-0.1.0.tar.gz` with a setuptools build. The C code
 * calls into libc, so the extension must link against the target's libc.
 */
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';

export const FIXTURE_NAME = 'farmdemo';
export const FIXTURE_VERSION = '0.1.0';
export const FIXTURE_SDIST = `${FIXTURE_NAME}-${FIXTURE_VERSION}.tar.gz`;

const FILES: Record<string, string> = {
  'PKG-INFO': `Metadata-Version: 2.1\nName: ${FIXTURE_NAME}\nVersion: ${FIXTURE_VERSION}\nSummary: farm executor test fixture\n`,
  'pyproject.toml': '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n',
  'setup.py': [
    'from setuptools import Extension, setup',
    '',
    'setup(',
    `    name="${FIXTURE_NAME}",`,
    `    version="${FIXTURE_VERSION}",`,
    `    packages=["${FIXTURE_NAME}"],`,
    `    ext_modules=[Extension("${FIXTURE_NAME}._speedups", ["${FIXTURE_NAME}/_speedups.c"])],`,
    ')',
    '',
  ].join('\n'),
  [`${FIXTURE_NAME}/__init__.py`]: 'from ._speedups import add, describe\n',
  [`${FIXTURE_NAME}/_speedups.c`]: `#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdio.h>
#include <string.h>

static PyObject *add(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) return NULL;
    return PyLong_FromLong(a + b);
}

/* snprintf and strlen come from the C library: the .so must NEED it. */
static PyObject *describe(PyObject *self, PyObject *unused) {
    char buffer[64];
    snprintf(buffer, sizeof buffer, "farmdemo built with %d-bit longs", (int)(sizeof(long) * 8));
    return PyUnicode_FromStringAndSize(buffer, (Py_ssize_t)strlen(buffer));
}

static PyMethodDef methods[] = {
    {"add", add, METH_VARARGS, "Add two integers in C."},
    {"describe", describe, METH_NOARGS, "Say how it was built."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speedups", NULL, -1, methods};

PyMODINIT_FUNC PyInit__speedups(void) { return PyModule_Create(&module); }
`,
};

/** Writes the sdist into `dir` and returns its path. */
export async function writeFixtureSdist(dir: string): Promise<string> {
  const file = path.join(dir, FIXTURE_SDIST);
  const pack = tar.pack();
  const written = pipeline(pack, createGzip(), createWriteStream(file));
  const root = `${FIXTURE_NAME}-${FIXTURE_VERSION}`;
  for (const [name, content] of Object.entries(FILES)) {
    pack.entry({ name: `${root}/${name}`, mode: 0o644, mtime: new Date(0) }, content);
  }
  pack.finalize();
  await written;
  return file;
}
