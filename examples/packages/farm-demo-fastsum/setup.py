from setuptools import Extension, setup

setup(
    packages=["farm_demo_fastsum"],
    package_dir={"": "src"},
    ext_modules=[Extension("farm_demo_fastsum._fastsum", ["src/farm_demo_fastsum/_fastsum.c"])],
)
