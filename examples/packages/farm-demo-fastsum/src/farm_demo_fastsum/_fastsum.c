#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* fastsum(iterable) -> int: the sum of the integers, computed in C. */
static PyObject *fastsum(PyObject *self, PyObject *arg) {
    PyObject *iter = PyObject_GetIter(arg);
    if (iter == NULL) return NULL;
    long long total = 0;
    PyObject *item;
    while ((item = PyIter_Next(iter)) != NULL) {
        long long value = PyLong_AsLongLong(item);
        Py_DECREF(item);
        if (value == -1 && PyErr_Occurred()) {
            Py_DECREF(iter);
            return NULL;
        }
        total += value;
    }
    Py_DECREF(iter);
    if (PyErr_Occurred()) return NULL;
    return PyLong_FromLongLong(total);
}

/* machine() -> str: the architecture this extension was compiled for. */
static PyObject *machine(PyObject *self, PyObject *unused) {
#if defined(__x86_64__)
    return PyUnicode_FromString("x86_64");
#elif defined(__aarch64__)
    return PyUnicode_FromString("aarch64");
#elif defined(__arm__)
    return PyUnicode_FromString("armv7l");
#else
    return PyUnicode_FromString("unknown");
#endif
}

static PyMethodDef methods[] = {
    {"fastsum", fastsum, METH_O, "Sum an iterable of integers in C."},
    {"machine", machine, METH_NOARGS, "Architecture the extension was compiled for."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fastsum", NULL, -1, methods};

PyMODINIT_FUNC PyInit__fastsum(void) { return PyModule_Create(&module); }
