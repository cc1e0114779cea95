"""Packaging for gradlab: the `autograd` engine and the `nn` library built on it.

The distribution is called gradlab because the name `autograd` on PyPI belongs to HIPS
autograd, which also imports as `autograd`; install this one into its own virtual environment.
Only `autograd` and `nn` are installed: `demos`, `benchmarks` and `tests` run from the clone
(`python -m demos`), so no package with such a generic name lands in site-packages.
"""
from setuptools import find_packages, setup

setup(
    name="gradlab",
    version="0.1.0",
    description="A small, readable, fast reverse-mode autograd engine on floats and numpy "
                "arrays, with a neural-network library, demos and benchmarks",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    packages=find_packages(include=["autograd", "autograd.*", "nn", "nn.*"]),
    python_requires=">=3.10",
    install_requires=["numpy>=1.24", "graphviz>=0.20", "tqdm>=4.60"],
    extras_require={
        # nbclient, nbformat and ipykernel run docs/tutorial.ipynb in tests/test_notebook.py
        "test": ["pytest>=7", "hypothesis>=6.70", "nbclient>=0.8", "nbformat>=5.7",
                 "ipykernel>=6.0"],
        "demos": ["matplotlib>=3.6", "scikit-learn>=1.2"],
        "bench": ["micrograd==0.1.0", "torch==2.13.0", "threadpoolctl>=3"],
        "torch": ["torch>=2.0"],  # nn.to_torch and nn.from_torch
    },
    license="MIT",
)
