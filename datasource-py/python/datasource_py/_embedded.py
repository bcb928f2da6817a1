"""Makes the SDK's Python files, compiled into a wheel's native module, importable as
`<package>._sdk.<name>`: one copy per wheel, so wheels built with different SDK versions
never share them. Run by Rust once per wheel, before anything else of the SDK's."""

import importlib.abc
import importlib.util
import sys


class EmbeddedFiles(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds and loads the package `package` and its modules from `files` (name -> (path,
    text)); the path is what tracebacks show."""

    def __init__(self, package, files):
        self.package = package
        self.files = dict(files)

    def find_spec(self, fullname, path=None, target=None):
        if fullname == self.package:
            return importlib.util.spec_from_loader(fullname, self, is_package=True)
        parent, _, name = fullname.rpartition(".")
        if parent == self.package and name in self.files:
            return importlib.util.spec_from_loader(fullname, self, origin=self.files[name][0])
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        entry = self._entry(module.__name__)
        if entry is not None:
            path, text = entry
            module.__file__ = path
            exec(compile(text, path, "exec"), module.__dict__)

    def get_source(self, fullname):
        entry = self._entry(fullname)
        return entry[1] if entry is not None else ""

    def _entry(self, fullname):
        if fullname == self.package:
            return None
        return self.files[fullname.rpartition(".")[2]]


def install(package, files):
    """Makes `package` (`<wheel's package>._sdk`) importable, once per process."""
    if not any(getattr(finder, "package", None) == package for finder in sys.meta_path):
        sys.meta_path.append(EmbeddedFiles(package, files))
