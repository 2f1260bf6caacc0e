"""Packages of the wheel; everything else is in pyproject.toml.

The top-level `resources/` folder (fonts with their licences, compiled translations) goes
into the wheel as the package data `inspector_app/resources/`, where
`inspector_app.core.resources` finds it. pyproject.toml alone cannot add a package that
lives outside its parent's folder to an automatic package search, hence this file.
"""

from setuptools import find_namespace_packages, setup

# Namespace packages too: migrations/, forms/definitions/, resources/fonts/ hold data only.
code = find_namespace_packages(include=["inspector_app*", "sync*"], exclude=["*.__pycache__"])
data = ["inspector_app.resources"] + [f"inspector_app.resources.{name}"
                                      for name in find_namespace_packages(where="resources")]

setup(packages=code + data, package_dir={"inspector_app.resources": "resources"})
